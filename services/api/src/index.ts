export { API_VERSION, buildApp, type ApiDependencies } from './app.js';
export { ApiTokens, type TokenScope } from './auth/api-tokens.js';
export { createApiDb, type ApiDbOptions } from './db/create-api-db.js';
export { apiConfigSpec, readApiConfig, type ApiConfig } from './config/api-config.js';
export { runApi } from './main.js';
export { healthRoutes, type ReadinessChecks } from './routes/health.js';
export { apiComponents } from './server.js';
