export { freePort } from './free-port.js';
export { findTools, type Tools } from './tools.js';
export { waitFor } from './wait.js';
export { startNatsServer, type NatsServer, type NatsServerOptions } from './nats-server.js';
export { postgresLog, startPostgres, type PostgresCluster } from './postgres.js';
export { startSmtpServer, type ReceivedMail, type TestSmtpServer } from './smtp-server.js';
export { createTestDatabase } from './test-database.js';
