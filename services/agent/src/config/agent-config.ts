import { defineConfig, field, type ConfigOf } from '@hostwatch/config';

/** Every setting of the agent: environment variables, optionally a JSON file (`AGENT_CONFIG_FILE`) under them. */
export const agentConfigSpec = defineConfig({
  hostId: field.string({ env: 'HOST_ID', optional: true, description: "This host's id (default: the host id its key file was made for)." }),
  natsUrl: field.url({ env: 'NATS_URL', required: true, protocols: ['nats', 'tls'], description: 'NATS server URL(s).' }),
  hostKeyFile: field.path({ env: 'HOST_KEY_FILE', required: true, description: "This host's key file (0600), from `hostwatch keys generate --host`." }),
  collectorPublicKeyFile: field.path({
    env: 'COLLECTOR_PUBLIC_KEY_FILE',
    required: true,
    description: "The collector's public key file, which every message is sealed to.",
  }),
  stateDir: field.path({
    env: 'AGENT_STATE_DIR',
    default: '/var/lib/hostwatch-agent',
    description: 'Where read positions and the spool are kept.',
  }),
  authLogSource: field.enum({
    env: 'AUTH_LOG_SOURCE',
    values: ['auto', 'file', 'journal', 'none'],
    default: 'auto',
    description: 'Where sshd logs are read: auto-detect, files, the systemd journal, or not at all.',
  }),
  authLogPaths: field.list({
    env: 'AUTH_LOG_PATHS',
    optional: true,
    description: 'Auth log files to tail (default: /var/log/auth.log or /var/log/secure, whichever exists).',
  }),
  fromStart: field.boolean({
    env: 'AUTH_LOG_FROM_START',
    default: false,
    description: 'Read the auth logs from their start, ignoring the saved positions.',
  }),
  exitAtEnd: field.boolean({
    env: 'AUTH_LOG_EXIT_AT_END',
    default: false,
    description: 'Read the auth logs to their end, deliver, then exit (no stats).',
  }),
  statsIntervalMs: field.duration({ env: 'STATS_INTERVAL', default: '10s', min: '1s', description: 'How often host statistics are sampled.' }),
  sshBatchSize: field.integer({ env: 'SSH_BATCH_SIZE', default: 200, min: 1, max: 1000, description: 'Most log events in one message.' }),
  sshBatchWaitMs: field.duration({
    env: 'SSH_BATCH_WAIT',
    default: '1s',
    min: '10ms',
    max: '1m',
    description: 'Longest the first event of a batch waits for more.',
  }),
  spoolMaxBytes: field.integer({
    env: 'SPOOL_MAX_BYTES',
    default: 64 * 1024 * 1024,
    min: 1024 * 1024,
    description: 'Most bytes the on-disk spool holds while the broker is unreachable.',
  }),
  healthPort: field.integer({
    env: 'HEALTH_PORT',
    optional: true,
    min: 0,
    max: 65535,
    description: 'Port of /healthz, /readyz and /metrics on 127.0.0.1 (default: off; 0 picks one).',
  }),
  procRoot: field.path({ env: 'PROC_ROOT', default: '/proc', description: 'Where procfs is mounted (a container mounts the host\'s elsewhere).' }),
  sysRoot: field.path({ env: 'SYS_ROOT', default: '/sys', description: 'Where sysfs is mounted.' }),
  rootPath: field.path({ env: 'HOST_ROOT', default: '/', description: "Where the host's root file system is mounted, for disk usage." }),
  enrollmentToken: field.string({
    env: 'ENROLLMENT_TOKEN',
    optional: true,
    secret: true,
    description: "The fleet's shared enrollment secret: a new host's key is approved on its first message (else it waits for `hostwatch hosts approve`).",
  }),
  journalctl: field.string({ env: 'JOURNALCTL', default: 'journalctl', description: 'The journalctl program, for hosts that log only to the journal.' }),
});

/** The agent's loaded configuration. */
export type AgentConfig = ConfigOf<typeof agentConfigSpec>;
