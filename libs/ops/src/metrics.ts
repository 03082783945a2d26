import { Registry, collectDefaultMetrics } from 'prom-client';

/** A Prometheus registry for one service, with the process metrics and a `service` label on all. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'hostwatch_' });
  return registry;
}
