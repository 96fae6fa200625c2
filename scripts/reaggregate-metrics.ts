/**
 * Folds the incidents reported in a window into the metrics buckets, with the operator's AWS
 * credentials, as the aggregator would have: for buckets that start empty (the per-scope buckets
 * after an upgrade from unscoped ones) or were lost.
 *   npx tsx scripts/reaggregate-metrics.ts --stage prod --from 2026-01-01 --to 2026-12-01
 * Locally (npm start's DynamoDB Local): add --endpoint http://127.0.0.1:<port> --table <name>.
 * Safe alongside the aggregator and when run again within a week (see `reaggregate`).
 */
import { createDocumentClient } from '../lambdas/adapters/dynamodb/client';
import { DynamoIncidentRepository } from '../lambdas/adapters/dynamodb/incident-repository';
import { DynamoMetricsStore } from '../lambdas/adapters/dynamodb/metrics-store';
import { systemClock } from '../lambdas/shared/ids';
import { makeMetrics } from '../lambdas/domain/metrics/service';
import { stageArgs } from './aws-directory';

async function main() {
  const { values } = stageArgs({ from: { type: 'string' }, to: { type: 'string' }, endpoint: { type: 'string' }, table: { type: 'string' } });
  const [from, to] = [values.from, values.to].map((v) => (v ? new Date(v) : null));
  if (!from || !to || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
    throw new Error('name the window: --from 2026-01-01 --to 2026-12-01 (dates or ISO-8601 times, from before to)');
  }
  const db = createDocumentClient({ ...(values.region ? { region: values.region } : {}), ...(values.endpoint ? { endpoint: values.endpoint } : {}) });
  const table = values.table ?? `concord-${values.stage}`;
  const metrics = makeMetrics({
    store: new DynamoMetricsStore(db, table, systemClock),
    incidents: new DynamoIncidentRepository(db, table),
    organizations: async () => [],
  });
  const n = await metrics.reaggregate(from.toISOString(), to.toISOString(), (day, count) => { if (count) console.error(`${day.slice(0, 10)}: ${count} incidents`); });
  console.error(`Done: ${n} incidents folded into ${table}'s metrics.`);
}

main().catch((err: Error) => {
  console.error(`Could not reaggregate the metrics: ${err.message}`);
  process.exit(1);
});
