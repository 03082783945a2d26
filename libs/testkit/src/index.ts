export { freePort, waitFor } from '@hostwatch/local-servers';
export { startTestNatsServer, startTestPostgres, type TestNatsServer, type TestPostgres } from './test-servers.js';
export { startSmtpServer, type ReceivedMail, type TestSmtpServer } from './smtp-server.js';
export { createTestDatabase } from './test-database.js';
export type { HostwatchPostgresContext } from './provided-context.js';
