/** Milliseconds since the epoch; injected so tests can run on a clock of their own. */
export type Clock = () => number;

/** The system clock. */
export const systemClock: Clock = () => Date.now();
