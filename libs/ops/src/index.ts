export { createMetricsRegistry } from './metrics.js';
export { startOpsServer, type OpsServer, type OpsServerOptions } from './ops-server.js';
export { checkReadiness, type Readiness, type ReadinessCheck } from './readiness.js';
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';
