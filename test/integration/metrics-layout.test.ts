/**
 * Upgrading a table an earlier release aggregated: that release wrote minute, hour and day buckets
 * only. The first aggregator of the six-size layout records when it began; windows before that
 * (plus a margin) are read from the three sizes, after it from all six, so the figures stay exact
 * across the upgrade with nothing re-aggregated.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { DynamoMetricsStore, itemsFor } from '../../lambdas/adapters/dynamodb/metrics-store';
import { report } from '../../lambdas/domain/incident';
import { type Caller } from '../../lambdas/domain/actor';
import { makeMetrics } from '../../lambdas/domain/metrics/service';
import { scopedContributionsOf } from '../../lambdas/domain/metrics/contributions';
import { ManualClock } from '../support/memory-repositories';
import { endpoint, useFreshTable } from '../support/harness';

const manager: Caller = { orgId: 'cisa', role: 'manager', keyId: 'k' };

it('counts what an earlier release aggregated into three sizes and what this one aggregates into six, in one window', async () => {
  const table = await useFreshTable();
  const db = createDocumentClient({ endpoint: endpoint() });
  try {
    const clock = new ManualClock(Date.parse('2026-03-20T12:00:00.000Z'));
    const store = new DynamoMetricsStore(db, table.tableName, clock);
    const metrics = makeMetrics({ store, incidents: { reportedBetween: async () => [] }, organizations: async () => [] });
    // Nothing written in this layout yet: every window is read from the three sizes.
    expect(await store.allSizesSince()).toBe(Number.POSITIVE_INFINITY);

    // The earlier release's buckets for an incident of 2 March: minute, hour and day, and the minute's contributions.
    const before = report('inc_earlier', 'fbi', { title: 't', severity: 'high', category: 'ddos', participants: [] }, '2026-03-02T09:30:00.000Z').incident;
    const old = itemsFor(scopedContributionsOf(null, before)).filter((i) => /#(minute|hour|day|contributions)$/.test(String(i.PK)));
    await db.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: old.map((Item) => ({ PutRequest: { Item } })) } }));

    // This release aggregates an incident of 20 March, and records when it began.
    const after = report('inc_later', 'fbi', { title: 't', severity: 'high', category: 'ddos', participants: [] }, '2026-03-20T12:00:00.000Z').incident;
    await metrics.recordAll([{ before: null, after }]);
    expect(await store.allSizesSince()).toBe(Date.parse('2026-03-20T12:15:00.000Z'));

    // A month wide: the weeks before the cut-over would miss the earlier incident; read from days, it counts.
    const month = await metrics.query({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' }, manager);
    expect(month.incidents.reported).toBe(2);
    const unaligned = await metrics.query({ from: '2026-03-02T09:29:59.999Z', to: '2026-03-29T17:00:00.001Z' }, manager);
    expect(unaligned.incidents.reported).toBe(2);
  } finally {
    db.destroy();
    await table.drop();
  }
});
