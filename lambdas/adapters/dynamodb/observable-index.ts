/**
 * The correlation index on DynamoDB (keys.ts: observablePartition, correlationToldKey): one item
 * per (observable, incident), its sort key the incident's id (ULIDs: newest first when read
 * backwards), so "which incidents carry this?" is one Query whatever the number of incidents; and,
 * per pair, what an incident's `correlated` events told of the other (written with the events, in
 * the incident repository's transaction; read here).
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inPool } from '../../shared/pool';
import type { ObservableIndex, ObservablePage } from '../../domain/ports';
import { observableKey, type ObservableRef } from '../../domain/observables';
import { guarded } from './errors';
import { batchGetAll } from './query';
import { correlationToldKey, observableEntryKey, observablePartition } from './keys';

/** Index entries written at once. */
const PUTS_AT_ONCE = 8;

export const ENTITY_OBSERVABLE = 'observable';
export const ENTITY_CORRELATION = 'correlation';

/** The item that records what incident `incidentId`'s correlated events told of `otherId`. */
export const correlationToldItem = (c: { incidentId: string; otherId: string; observables: string[] }) =>
  ({ ...correlationToldKey(c.incidentId, c.otherId), entity: ENTITY_CORRELATION, otherId: c.otherId, observables: c.observables });

export class DynamoObservableIndex implements ObservableIndex {
  /** Requests made and items read, for the bench (a report's correlation work). */
  readonly work = { requests: 0, itemsRead: 0 };

  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async add(incidentId: string, observables: readonly ObservableRef[]): Promise<void> {
    // Plain puts of the same item: writing one again changes nothing (a redelivered record). One
    // PutItem each (at most 200 a change, a few at once), the write the functions are granted.
    await inPool(observables, PUTS_AT_ONCE, async (o) => {
      this.work.requests++;
      await guarded(this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...observableEntryKey(o.type, observableKey(o), incidentId), entity: ENTITY_OBSERVABLE, incidentId, type: o.type, value: o.value, ...(o.platform ? { platform: o.platform } : {}) },
      })));
    });
  }

  async incidentsWith(observable: ObservableRef, { limit, after }: { limit: number; after?: string }): Promise<ObservablePage> {
    const PK = observablePartition(observable.type, observableKey(observable));
    this.work.requests++;
    const page = await guarded(this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': PK },
      ProjectionExpression: 'SK',
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: limit,
      ExclusiveStartKey: after === undefined ? undefined : { PK, SK: after },
    })));
    const incidentIds = (page.Items ?? []).map((i) => String(i.SK));
    this.work.itemsRead += incidentIds.length;
    return { incidentIds, last: page.LastEvaluatedKey && incidentIds.length ? incidentIds.at(-1)! : null };
  }

  async told(incidentId: string, otherIds: readonly string[]): Promise<Map<string, string[]>> {
    if (otherIds.length === 0) return new Map();
    this.work.requests += Math.ceil(otherIds.length / 100);
    const items = await batchGetAll(this.db, this.tableName, otherIds.map((o) => correlationToldKey(incidentId, o)));
    this.work.itemsRead += items.length;
    return new Map(items.map((i) => [String(i.otherId), (i.observables as string[] | undefined) ?? []]));
  }
}
