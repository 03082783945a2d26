export { API_VERSION, buildApp, type ApiDependencies } from './app.js';
export { ApiTokens, type TokenScope } from './auth/api-tokens.js';
export { healthRoutes, type ReadinessChecks } from './routes/health.js';
