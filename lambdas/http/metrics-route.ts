/** GET /v1/metrics, declared apart so its function bundles no other route's schemas. */
import type { RouteSpec } from './route-spec';
import { MetricsQuery } from './metrics-schemas';

export const GET_METRICS = {
  operationId: 'getMetrics', method: 'GET', path: '/v1/metrics', handler: 'get-metrics', auth: ['manager'], query: MetricsQuery,
} as const satisfies RouteSpec;
