/**
 * The aggregator folds a stream batch at once (#27): the contributions of a batch's records to
 * the same bucket are one write of that bucket, not one write each. Each contribution keeps its
 * own "applied" marker, so a redelivered batch still counts once, and an incident's changes of one
 * batch (a fold, then its un-fold) still apply in their order.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { incidentItem } from '../../lambdas/adapters/dynamodb/incident-items';
import { bucketKey, bucketPartition, writeShard } from '../../lambdas/adapters/dynamodb/keys';
import { aggregateFromItem } from '../../lambdas/adapters/dynamodb/metrics-store';
import { Aggregate } from '../../lambdas/domain/metrics/sketch';
import { acknowledge, edit, reopen, report, resolve, type Incident } from '../../lambdas/domain/incident';
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

  /**
   * The group's one bucket of this size in each write shard, merged: what it counts, the extremes
   * of its times to acknowledge and resolve, its most writes, and how many shards hold it.
   */
  const bucket = async (group: string, granularity: 'minute' | 'hour' | 'week') => {
    const merged = { reported: 0, acknowledged: 0, ttaMax: 0, ttaMin: Infinity, resolved: 0, ttrMax: 0, ttrMin: Infinity, version: 0, shards: 0 };
    for (let shard = 0; shard < readConfig().writeShards; shard++) {
      const { Items = [] } = await db.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': bucketPartition(SHARED, group, granularity, shard) }, ConsistentRead: true }));
      expect(Items.length).toBeLessThanOrEqual(1);
      for (const item of Items) {
        const { reported, acknowledged, resolved, tta, ttr } = aggregateFromItem(item);
        merged.reported += reported;
        merged.acknowledged += acknowledged;
        if (tta.count > 0) { merged.ttaMax = Math.max(merged.ttaMax, tta.max); merged.ttaMin = Math.min(merged.ttaMin, tta.min); }
        merged.resolved += resolved;
        if (ttr.count > 0) { merged.ttrMax = Math.max(merged.ttrMax, ttr.max); merged.ttrMin = Math.min(merged.ttrMin, ttr.min); }
        merged.version = Math.max(merged.version, Number(item.revision ?? item.version));
        merged.shards++;
      }
    }
    return merged;
  };

  it('writes each bucket once for a batch of 30 reports of one minute, and a redelivered batch adds nothing', async () => {
    const reports = Array.from({ length: 30 }, (_, i) => report(`inc_${String(i).padStart(3, '0')}`, 'facebook', {
      title: 't', severity: i % 2 ? 'high' : 'critical', category: 'ddos', participants: ['fbi', 'cisa', 'google'],
    }, at(i)).incident);
    const event = batch(reports.map((after) => ({ before: null, after })));
    expect((await aggregate(event)).batchItemFailures).toEqual([]);

    for (const granularity of ['minute', 'hour', 'week'] as const) {
      const all = await bucket('all', granularity);
      // One write shard for the whole batch: its reports share every bucket.
      expect(all).toMatchObject({ reported: 30, version: 1, shards: 1 });
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

  /** Ids whose own write shards differ: `first` leads batch 1, `moved` is folded with it into its shard; `later` leads batch 2 in another. */
  const ids = () => {
    const id = (shard: number, n: number) => Array.from({ length: 200 }, (_, i) => `inc_${n}_${i}`).find((x) => writeShard(x, readConfig().writeShards) === shard)!;
    return [id(0, 1), id(1, 2), id(1, 3)] as const;
  };

  it('takes an un-fold out of the write shard that holds its contribution, whichever batch put it there', async () => {
    expect(readConfig().writeShards).toBeGreaterThan(1);
    const [first, moved, later] = ids();
    const make = (incidentId: string, s: number, severity: 'high' | 'medium') => report(incidentId, 'facebook', { title: 't', severity, category: 'ddos', participants: ['fbi'] }, at(s)).incident;
    const ack = (incident: Incident, s: number) => acknowledge(record(incident), 'fbi', {}, at(s))!.incident;
    const [a, y] = [make(first, 0, 'high'), make(moved, 1, 'high')];
    const [aAcked, yAcked] = [ack(a, 90), ack(y, 31)];
    expect((await aggregate(batch([{ before: null, after: a }, { before: null, after: y }, { before: a, after: aAcked }, { before: y, after: yAcked }]))).batchItemFailures).toEqual([]);
    expect(await bucket('severity#high', 'hour')).toMatchObject({ reported: 2, acknowledged: 2, ttaMax: 90, ttaMin: 30, shards: 1 });

    // Batch 2 folds into `later`'s shard; the moved incident's un-folds come out of the shard that holds them.
    const z = make(later, 5, 'medium');
    const yLow = edit(record(yAcked), { orgId: 'facebook' }, { severity: 'low' }, at(200), () => at(0)).incident;
    expect((await aggregate(batch([{ before: null, after: z }, { before: yAcked, after: yLow }]))).batchItemFailures).toEqual([]);
    expect(await bucket('severity#high', 'hour')).toMatchObject({ reported: 1, acknowledged: 1, ttaMax: 90, ttaMin: 90 });
    expect(await bucket('severity#low', 'hour')).toMatchObject({ reported: 1, acknowledged: 1, ttaMax: 30, ttaMin: 30 });
    expect(await bucket('all', 'hour')).toMatchObject({ reported: 3, acknowledged: 2 });
  });

  it('reopened and resolved again in one batch: the first resolve comes out of one shard as the second goes into another', async () => {
    const [first, moved, later] = ids();
    const make = (incidentId: string, s: number) => report(incidentId, 'facebook', { title: 't', severity: 'high', category: 'ddos', participants: ['fbi'] }, at(s)).incident;
    const [a, y] = [make(first, 0), make(moved, 1)];
    const yResolved = resolve(record(y), { orgId: 'facebook' }, 'done', at(101)).incident;
    expect((await aggregate(batch([{ before: null, after: a }, { before: null, after: y }, { before: y, after: yResolved }]))).batchItemFailures).toEqual([]);
    expect(await bucket('all', 'hour')).toMatchObject({ reported: 2, resolved: 1, ttrMax: 100, ttrMin: 100, shards: 1 });

    const z = make(later, 5);
    const yReopened = reopen(record(yResolved), { orgId: 'facebook' }, 'back', at(200)).incident;
    const yAgain = resolve(record(yReopened), { orgId: 'facebook' }, 'done again', at(501)).incident;
    expect((await aggregate(batch([{ before: null, after: z }, { before: yResolved, after: yReopened }, { before: yReopened, after: yAgain }]))).batchItemFailures).toEqual([]);
    expect(await bucket('all', 'hour')).toMatchObject({ reported: 3, resolved: 1, ttrMax: 500, ttrMin: 500 });
  });

  it('four batches at once, then four more moving their incidents between groups: every figure exact, however the shards collide', async () => {
    const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
    const incidents = Array.from({ length: 40 }, (_, i) => {
      const reported = report(`inc_c${String(i).padStart(2, '0')}`, 'facebook', { title: 't', severity: SEVERITIES[i % 4]!, category: 'ddos', participants: ['fbi'] }, at(i)).incident;
      return { reported, acked: acknowledge(record(reported), 'fbi', {}, at(i + 10 + i * 3))!.incident };
    });
    // As Lambda with a parallelization factor of 4: each incident's records in one batch, four batches at once.
    const lanes = [0, 1, 2, 3].map((k) => incidents.filter((_, i) => i % 4 === k));
    const first = await Promise.all(lanes.map((lane) => aggregate(batch(lane.flatMap(({ reported, acked }) => [{ before: null, after: reported }, { before: reported, after: acked }])))));
    expect(first.flatMap((r) => r.batchItemFailures)).toEqual([]);

    // Then every incident moves to the next severity, its batches split another way (by tens).
    const moved = incidents.map(({ acked }, i) => ({ before: acked, after: edit(record(acked), { orgId: 'facebook' }, { severity: SEVERITIES[(i + 1) % 4]! }, at(400 + i), () => at(0)).incident }));
    const second = await Promise.all([0, 1, 2, 3].map((k) => aggregate(batch(moved.slice(k * 10, k * 10 + 10)))));
    expect(second.flatMap((r) => r.batchItemFailures)).toEqual([]);

    for (const severity of SEVERITIES) {
      const now = moved.filter(({ after }) => after.severity === severity).map(({ after }) => (Date.parse(after.acknowledgedAt!) - Date.parse(after.reportedAt)) / 1000);
      expect(await bucket(`severity#${severity}`, 'hour')).toMatchObject({ reported: 10, acknowledged: 10, ttaMax: Math.max(...now), ttaMin: Math.min(...now) });
    }
    expect(await bucket('all', 'hour')).toMatchObject({ reported: 40, acknowledged: 40 });
  });

  it('folds into a bucket written in the layout before `figures`, and writes it back in the new one', async () => {
    const incident = report('inc_onlegacy', 'facebook', { title: 't', severity: 'high', category: 'ddos', participants: ['fbi'] }, at(0)).incident;
    const acked = acknowledge(record(incident), 'fbi', {}, at(600))!.incident;
    // The hour's bucket in the batch's shard as an earlier release wrote it: 3 reported, 2 acknowledged in 30 s and 120 s.
    const before = new Aggregate();
    for (let i = 0; i < 3; i++) before.add({ kind: 'reported' });
    for (const seconds of [30, 120]) before.add({ kind: 'acknowledged', seconds });
    const Key = bucketKey(SHARED, 'all', 'hour', '2026-11-03T20:00:00.000Z', writeShard(incident.id, readConfig().writeShards));
    await db.send(new PutCommand({ TableName: table.tableName, Item: {
      ...Key, entity: 'metrics', version: 4, reported: 3, acknowledged: 2, resolved: 0,
      ttaCount: 2, ttaSum: 150, ttaMax: 120, ttaMin: 30, ttaSketch: JSON.stringify(before.tta.toBins()), ttrCount: 0, ttrSum: 0, ttrMax: 0,
    } }));

    expect((await aggregate(batch([{ before: null, after: incident }, { before: incident, after: acked }]))).batchItemFailures).toEqual([]);

    const { Item } = await db.send(new GetCommand({ TableName: table.tableName, Key, ConsistentRead: true }));
    expect(Object.keys(Item!).sort()).toEqual(['PK', 'SK', 'entity', 'figures', 'revision']);
    expect(Item!.revision).toBe(5);
    const after = aggregateFromItem(Item);
    expect(after.summary().incidents).toMatchObject({ reported: 4, acknowledged: 3 });
    expect(after.tta.summary()).toMatchObject({ count: 3, meanSeconds: 250, maxSeconds: 600 });
    expect(after.tta.min).toBe(30);
  });

  it('a writer of the layout before cannot overwrite a `figures` bucket: its guard finds no version, and nothing is lost', async () => {
    const incident = report('inc_newlayout', 'facebook', { title: 't', severity: 'high', category: 'ddos', participants: ['fbi'] }, at(0)).incident;
    expect((await aggregate(batch([{ before: null, after: incident }]))).batchItemFailures).toEqual([]);
    const Key = bucketKey(SHARED, 'all', 'hour', '2026-11-03T20:00:00.000Z', writeShard(incident.id, readConfig().writeShards));
    const { Item } = await db.send(new GetCommand({ TableName: table.tableName, Key, ConsistentRead: true }));
    expect(typeof Item!.figures).toBe('string');

    // What the previous release's aggregator does with it (during a deployment, or after a rollback):
    // reads it as empty (it knows no `figures`), adds its contribution, and puts it back guarded by
    // the version it read, `version = :v`, :v its `version` or 0.
    const read = Number(Item!.version ?? 0);
    const overwrite = db.send(new PutCommand({
      TableName: table.tableName,
      Item: { ...Key, entity: 'metrics', version: read + 1, reported: 1, acknowledged: 0, resolved: 0, ttaCount: 0, ttaSum: 0, ttaMax: 0, ttrCount: 0, ttrSum: 0, ttrMax: 0 },
      ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': read },
    }));
    await expect(overwrite).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const after = await db.send(new GetCommand({ TableName: table.tableName, Key, ConsistentRead: true }));
    expect(after.Item).toEqual(Item);
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
