/** Metrics: bundled only by the two metrics functions (the quantile sketch is the heavy part). */
import { DynamoMetricsStore } from '../adapters/dynamodb/metrics-store';
import { makeMetrics } from '../domain/metrics/service';
import { derived } from './adapters';

export const metrics = derived(({ config, db, clock, incidentRepository, directoryRepository }) => makeMetrics({
  store: new DynamoMetricsStore(db, config.tableName, clock, config.writeShards),
  incidents: incidentRepository,
  organizations: async () => (await directoryRepository.listOrganizations()).map((o) => o.id),
  clock,
}));
