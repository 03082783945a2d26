/** The agent's version, reported in every stats message. */
export const AGENT_VERSION = '0.1.0';
