import type { FastifyPluginAsync } from 'fastify';
import { alertRoutes } from './alerts.js';
import { hostEnrollmentRoutes } from './host-enrollment.js';
import { hostStatsRoutes } from './host-stats.js';
import { hostRoutes } from './hosts.js';
import { liveEventRoutes } from './live-events.js';
import { quarantineRoutes } from './quarantine.js';
import type { RouteContext } from './route-context.js';
import { securityEventRoutes } from './security-events.js';
import { silenceRoutes } from './silences.js';
import { sparklineRoutes } from './sparklines.js';
import { sshAttemptRoutes } from './ssh-attempts.js';
import { sshSessionRoutes } from './ssh-sessions.js';
import { sshTopRoutes } from './ssh-top.js';

/** Every `/api/v1` route, each needing a bearer token of the scope it names. */
export const apiRoutes: FastifyPluginAsync<RouteContext & { prefix?: string }> = async (
  app,
  { prefix: _prefix, ...ctx },
) => {
  for (const routes of [
    hostRoutes,
    hostStatsRoutes,
    sparklineRoutes,
    sshSessionRoutes,
    sshAttemptRoutes,
    sshTopRoutes,
    securityEventRoutes,
    alertRoutes,
    silenceRoutes,
    hostEnrollmentRoutes,
    quarantineRoutes,
    liveEventRoutes,
  ]) {
    await app.register(routes, ctx);
  }
};
