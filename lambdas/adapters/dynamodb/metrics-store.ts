/**
 * MetricsStore on DynamoDB.
 *
 *   bucket         PK METRICS#<scope>#<group>#<minute|hour|day>   SK <bucket start, ISO>
 *   contributions  PK METRICS#<scope>#<group>#contributions        SK <minute start, ISO>
 *   applied        PK MAPPLIED#<incidentId>                        SK <kind>#<scope>#<group>   (expires after a week)
 *
 * `<scope>` is `shared` (incidents not RED or AMBER+STRICT) or `restricted#<orgId>` (the restricted
 * incidents that organization participates in): see `scopesOf` in the domain. A minute's
 * contributions item lists each contribution of that minute (its millisecond in the minute, kind
 * and seconds), so the partial minutes at a window's edges are exact with one GetItem each.
 *
 * A contribution is one TransactWriteItems: the "applied" marker (attribute_not_exists, so a
 * redelivered stream record adds nothing), the minute, hour and day buckets and the minute's
 * contributions, each guarded by its version so concurrent writers never lose an update.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  Aggregate, Distribution, bucketStart, type Granularity, type MetricKind, type MetricsStore, type Scope, type ScopedContribution,
} from '../../domain/metrics';
import type { Clock } from '../../domain/ports';
import { cancellationReasons, guarded, translate } from './errors';

type Item = Record<string, unknown>;
const scopeKey = (scope: Scope) => (scope.kind === 'shared' ? 'shared' : `restricted#${scope.orgId}`);
const bucketPk = (scope: Scope, group: string, granularity: Granularity | 'contributions') => `METRICS#${scopeKey(scope)}#${group}#${granularity}`;
const bucketKey = (scope: Scope, group: string, granularity: Granularity | 'contributions', start: string) => ({ PK: bucketPk(scope, group, granularity), SK: start });
const WEEK = 7 * 24 * 3600;
const GRANULARITIES = ['minute', 'hour', 'day'] as const;
const ATTEMPTS = 30;

/** One stored contribution: its millisecond within the minute, its kind and its seconds. */
type Entry = [number, MetricKind, number | null];

function distributionToItem(prefix: string, d: Distribution): Item {
  return {
    [`${prefix}Count`]: d.count, [`${prefix}Sum`]: d.sum, [`${prefix}Max`]: d.max,
    [`${prefix}Min`]: d.count ? d.min : undefined, [`${prefix}Sketch`]: d.count ? JSON.stringify(d.toBins()) : undefined,
  };
}

function distributionFromItem(prefix: string, item: Item): Distribution {
  const sketch = item[`${prefix}Sketch`];
  return Distribution.fromStored(
    Number(item[`${prefix}Count`] ?? 0), Number(item[`${prefix}Sum`] ?? 0), Number(item[`${prefix}Max`] ?? 0),
    typeof sketch === 'string' ? JSON.parse(sketch) : null,
    item[`${prefix}Min`] === undefined ? undefined : Number(item[`${prefix}Min`]),
  );
}

/** A bucket as stored. */
export function aggregateToItem(scope: Scope, group: string, granularity: Granularity, start: string, aggregate: Aggregate, version: number): Item {
  return {
    ...bucketKey(scope, group, granularity, start), entity: 'metrics', version,
    reported: aggregate.reported, acknowledged: aggregate.acknowledged, resolved: aggregate.resolved,
    ...distributionToItem('tta', aggregate.tta), ...distributionToItem('ttr', aggregate.ttr),
  };
}

export function aggregateFromItem(item: Item | undefined): Aggregate {
  const a = new Aggregate();
  if (!item) return a;
  a.reported = Number(item.reported ?? 0);
  a.acknowledged = Number(item.acknowledged ?? 0);
  a.resolved = Number(item.resolved ?? 0);
  a.tta = distributionFromItem('tta', item);
  a.ttr = distributionFromItem('ttr', item);
  return a;
}

/** A minute's contributions as stored. */
export function contributionsToItem(scope: Scope, group: string, minute: string, entries: Entry[], version: number): Item {
  return { ...bucketKey(scope, group, 'contributions', minute), entity: 'metricsContributions', version, entries: JSON.stringify(entries) };
}

const entriesFromItem = (item: Item | undefined): Entry[] => (typeof item?.entries === 'string' ? JSON.parse(item.entries) : []);
const entryOf = (c: ScopedContribution): Entry => [Date.parse(c.reportedAt) % 60_000, c.kind, c.seconds ?? null];

/** Every item the store would hold for these contributions (for loading a history at once, as the benchmark does). */
export function itemsFor(contributions: ScopedContribution[]): Item[] {
  const buckets = new Map<string, { scope: Scope; group: string; granularity: Granularity; start: string; aggregate: Aggregate }>();
  const minutes = new Map<string, { scope: Scope; group: string; start: string; entries: Entry[] }>();
  for (const c of contributions) {
    for (const granularity of GRANULARITIES) {
      const start = bucketStart(c.reportedAt, granularity);
      const k = JSON.stringify(bucketKey(c.scope, c.group, granularity, start));
      let b = buckets.get(k);
      if (!b) buckets.set(k, (b = { scope: c.scope, group: c.group, granularity, start, aggregate: new Aggregate() }));
      b.aggregate.add(c);
    }
    const start = bucketStart(c.reportedAt, 'minute');
    const k = JSON.stringify(bucketKey(c.scope, c.group, 'contributions', start));
    let m = minutes.get(k);
    if (!m) minutes.set(k, (m = { scope: c.scope, group: c.group, start, entries: [] }));
    m.entries.push(entryOf(c));
  }
  return [
    ...[...buckets.values()].map((b) => aggregateToItem(b.scope, b.group, b.granularity, b.start, b.aggregate, 1)),
    ...[...minutes.values()].map((m) => contributionsToItem(m.scope, m.group, m.start, m.entries, 1)),
  ];
}

export class DynamoMetricsStore implements MetricsStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string, private readonly clock: Clock) {}

  async apply(c: ScopedContribution): Promise<void> {
    const minute = bucketStart(c.reportedAt, 'minute');
    // Each item this contribution changes, and how: the three buckets, then the minute's contributions.
    const changes: Array<{ Key: { PK: string; SK: string }; next(item: Item | undefined, version: number): Item }> = [
      ...GRANULARITIES.map((g) => {
        const Key = bucketKey(c.scope, c.group, g, bucketStart(c.reportedAt, g));
        return {
          Key,
          next: (item: Item | undefined, version: number) => {
            const aggregate = aggregateFromItem(item);
            aggregate.add(c);
            return aggregateToItem(c.scope, c.group, g, Key.SK, aggregate, version);
          },
        };
      }),
      {
        Key: bucketKey(c.scope, c.group, 'contributions', minute),
        next: (item, version) => contributionsToItem(c.scope, c.group, minute, [...entriesFromItem(item), entryOf(c)], version),
      },
    ];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const current = await Promise.all(changes.map(({ Key }) => guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true })))));
      const puts = current.map(({ Item }, i) => {
        const version = Number(Item?.version ?? 0);
        return {
          Put: {
            TableName: this.tableName,
            Item: changes[i]!.next(Item, version + 1),
            ConditionExpression: Item ? 'version = :v' : 'attribute_not_exists(PK)',
            ...(Item ? { ExpressionAttributeValues: { ':v': version } } : {}),
          },
        };
      });
      try {
        await this.db.send(new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { PK: `MAPPLIED#${c.incidentId}`, SK: `${c.kind}#${scopeKey(c.scope)}#${c.group}`, entity: 'metricsApplied', expiresAt: Math.floor(this.clock.now().getTime() / 1000) + WEEK },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            ...puts,
          ],
        }));
        return;
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw translate(err);
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return; // applied before: a redelivery
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
    throw new Error(`metrics bucket for ${scopeKey(c.scope)} ${c.group} kept changing`);
  }

  async readWithin(scope: Scope, group: string, from: string, to: string): Promise<Aggregate> {
    const minute = bucketStart(from, 'minute');
    const [lo, hi] = [Date.parse(from) - Date.parse(minute), Date.parse(to) - Date.parse(minute)];
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: bucketKey(scope, group, 'contributions', minute) })));
    const total = new Aggregate();
    for (const [ms, kind, seconds] of entriesFromItem(Item)) {
      if (ms >= lo && ms < hi) total.add(seconds === null ? { kind } : { kind, seconds });
    }
    return total;
  }

  async read(scope: Scope, group: string, granularity: Granularity, from: string, to: string): Promise<Aggregate> {
    const total = new Aggregate();
    const last = new Date(Date.parse(to) - 1).toISOString();
    let start: Item | undefined;
    do {
      const page = await guarded(this.db.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :last',
        ExpressionAttributeValues: { ':pk': bucketPk(scope, group, granularity), ':from': from, ':last': last },
        ExclusiveStartKey: start,
      })));
      for (const item of page.Items ?? []) total.merge(aggregateFromItem(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return total;
  }
}
