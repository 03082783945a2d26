export { freePort } from './free-port.js';
export { ProcessOutput } from './process-output.js';
export { waitFor } from './wait.js';
export { findTools, repoRoot, type Tools } from './tools.js';
export { startNatsServer, type NatsServer, type NatsServerOptions } from './nats-server.js';
export { postgresLog, startPostgres, type PostgresCluster, type PostgresOptions } from './postgres.js';
