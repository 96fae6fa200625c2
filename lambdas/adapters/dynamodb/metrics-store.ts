/**
 * MetricsStore on DynamoDB.
 *
 *   bucket   PK METRICS#<scope>#<group>#<hour|day>   SK <bucket start, ISO>
 *   applied  PK MAPPLIED#<incidentId>                SK <kind>#<scope>#<group>   (expires after a week)
 *
 * `<scope>` is `shared` (incidents not RED or AMBER+STRICT) or `restricted#<orgId>` (the restricted
 * incidents that organization participates in): see `scopesOf` in the domain.
 *
 * A contribution is one TransactWriteItems: the "applied" marker (attribute_not_exists, so a
 * redelivered stream record adds nothing) and the hour and day buckets, each guarded by its
 * version so concurrent writers never lose an update.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Aggregate, Distribution, bucketStart, type Granularity, type MetricsStore, type Scope, type ScopedContribution } from '../../domain/metrics';
import type { Clock } from '../../domain/ports';
import { cancellationReasons, guarded, translate } from './errors';

type Item = Record<string, unknown>;
const scopeKey = (scope: Scope) => (scope.kind === 'shared' ? 'shared' : `restricted#${scope.orgId}`);
const bucketPk = (scope: Scope, group: string, granularity: Granularity) => `METRICS#${scopeKey(scope)}#${group}#${granularity}`;
const bucketKey = (scope: Scope, group: string, granularity: Granularity, start: string) => ({ PK: bucketPk(scope, group, granularity), SK: start });
const WEEK = 7 * 24 * 3600;
const GRANULARITIES = ['hour', 'day'] as const;
const ATTEMPTS = 30;

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

export class DynamoMetricsStore implements MetricsStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string, private readonly clock: Clock) {}

  async apply(c: ScopedContribution): Promise<void> {
    const keys = GRANULARITIES.map((g) => bucketKey(c.scope, c.group, g, bucketStart(c.reportedAt, g)));
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const current = await Promise.all(keys.map((Key) => guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true })))));
      const puts = current.map(({ Item }, i) => {
        const aggregate = aggregateFromItem(Item);
        aggregate.add(c);
        const version = Number(Item?.version ?? 0);
        return {
          Put: {
            TableName: this.tableName,
            Item: aggregateToItem(c.scope, c.group, GRANULARITIES[i]!, keys[i]!.SK, aggregate, version + 1),
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
