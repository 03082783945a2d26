export { createMetricsRegistry } from './metrics.js';
export { startOpsServer, type OpsServer, type OpsServerOptions, type ReadinessCheck } from './ops-server.js';
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';
