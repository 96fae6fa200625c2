/**
 * The aggregator folds a stream batch at once (#27): the contributions of a batch's records to
 * the same bucket are one write of that bucket, not one write each. Each contribution keeps its
 * own "applied" marker, so a redelivered batch still counts once, and an incident's changes of one
 * batch (a fold, then its un-fold) still apply in their order.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { incidentItem } from '../../lambdas/adapters/dynamodb/incident-items';
import { bucketPartition } from '../../lambdas/adapters/dynamodb/keys';
import { edit, report, type Incident } from '../../lambdas/domain/incident';
import { SHARED } from '../../lambdas/domain/metrics/contributions';
import { handler as aggregate } from '../../lambdas/handlers/aggregate-metrics';
import { readConfig } from '../../lambdas/config/env';
import { endpoint, useFreshTable } from '../support/harness';

const at = (s: number) => new Date(Date.parse('2026-11-03T20:00:00.000Z') + s * 1000).toISOString();
const record = (incident: Incident) => ({ incident, eventCount: 1, ackCode: null, escalation: null });

/** A stream batch exactly as Lambda delivers it: each change of an incident item, with its old image. */
function batch(changes: Array<{ before: Incident | null; after: Incident }>): DynamoDBStreamEvent {
  return {
    Records: changes.map(({ before, after }, i) => ({
      eventID: String(i), eventName: before ? 'MODIFY' : 'INSERT', eventSource: 'aws:dynamodb', awsRegion: 'us-east-1',
      dynamodb: {
        NewImage: marshall(incidentItem(record(after)), { removeUndefinedValues: true }) as never,
        ...(before ? { OldImage: marshall(incidentItem(record(before)), { removeUndefinedValues: true }) as never } : {}),
        SequenceNumber: String(1000 + i), StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    })),
  };
}

describe('folding a stream batch', () => {
  let table: Awaited<ReturnType<typeof useFreshTable>>;
  const db = createDocumentClient({ endpoint: endpoint() });
  beforeEach(async () => { table = await useFreshTable(); });
  afterEach(async () => { await table.drop(); });
  afterAll(() => db.destroy());

  /** The group's one bucket of this size in each write shard: the reports it counts, and its most writes. */
  const bucket = async (group: string, granularity: 'minute' | 'hour' | 'week') => {
    let reported = 0;
    let version = 0;
    for (let shard = 0; shard < readConfig().writeShards; shard++) {
      const { Items = [] } = await db.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': bucketPartition(SHARED, group, granularity, shard) }, ConsistentRead: true }));
      expect(Items.length).toBeLessThanOrEqual(1);
      for (const item of Items) { reported += Number(item.reported); version = Math.max(version, Number(item.version)); }
    }
    return { reported, version };
  };

  it('writes each bucket once for a batch of 30 reports of one minute, and a redelivered batch adds nothing', async () => {
    const reports = Array.from({ length: 30 }, (_, i) => report(`inc_${String(i).padStart(3, '0')}`, 'facebook', {
      title: 't', severity: i % 2 ? 'high' : 'critical', category: 'ddos', participants: ['fbi', 'cisa', 'google'],
    }, at(i)).incident);
    const event = batch(reports.map((after) => ({ before: null, after })));
    expect((await aggregate(event)).batchItemFailures).toEqual([]);

    for (const granularity of ['minute', 'hour', 'week'] as const) {
      const all = await bucket('all', granularity);
      expect(all).toMatchObject({ reported: 30, version: 1 });
      const high = await bucket('severity#high', granularity);
      expect(high).toMatchObject({ reported: 15, version: 1 });
      const fbi = await bucket('org#fbi', granularity);
      expect(fbi).toMatchObject({ reported: 30, version: 1 });
    }

    // Delivered again, as after a timeout: every marker is there, so nothing is added.
    expect((await aggregate(event)).batchItemFailures).toEqual([]);
    const all = await bucket('all', 'hour');
    expect(all).toMatchObject({ reported: 30, version: 1 });
  });

  it('applies an incident\'s changes of one batch in their order: moved out of a group and back', async () => {
    const reported = report('inc_moved', 'facebook', { title: 't', severity: 'high', category: 'ddos', participants: ['fbi'] }, at(0)).incident;
    const low = edit(record(reported), { orgId: 'facebook' }, { severity: 'low' }, at(60), () => at(0)).incident;
    const high = edit(record(low), { orgId: 'facebook' }, { severity: 'high' }, at(120), () => at(0)).incident;
    const other = report('inc_other', 'facebook', { title: 't', severity: 'high', category: 'ddos', participants: ['fbi'] }, at(5)).incident;
    expect((await aggregate(batch([
      { before: null, after: reported }, { before: null, after: other }, { before: reported, after: low }, { before: low, after: high },
    ]))).batchItemFailures).toEqual([]);

    const highHour = await bucket('severity#high', 'hour');
    expect(highHour.reported).toBe(2);
    const lowHour = await bucket('severity#low', 'hour');
    expect(lowHour.reported).toBe(0);
    expect((await bucket('all', 'hour')).reported).toBe(2);
  });
});
