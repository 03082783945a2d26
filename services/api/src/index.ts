export { API_VERSION, buildApp, type ApiDependencies } from './app.js';
export { healthRoutes, type ReadinessChecks } from './routes/health.js';
