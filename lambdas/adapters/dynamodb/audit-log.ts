/**
 * AuditLog on DynamoDB. Entries are only ever Put with `attribute_not_exists`: nothing in the
 * service updates or deletes one (the IAM policies grant no DeleteItem on the table to any
 * function that reads them; see lib/service-stack.ts).
 *
 *   entry  PK AUDIT#<incidentId> or AUDIT#-  SK <at>#<random>   GSI1 AUDIT#<yyyy-mm-dd>[#<shard>] / <at>#<random>
 *
 * One partition per incident answers "who read and changed it", oldest first; one index partition
 * per day and write shard answers an admin's window (each shard's entries come in order, so the
 * first entries of the day are the first of the shards' first entries, merged). With `shards` > 1
 * a busy day's entries spread over that many index partitions instead of one. `participants` (JSON, on entries about restricted incidents)
 * lets a query keep an admin's own entries (`contains` of the quoted organization id: ids are
 * lowercase letters, digits and `-`, so a quoted id matches exactly one array member) and count
 * the others per day without returning them.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditLog } from '../../domain/ports';
import { countRequests, type AuditPage, type AuditPageQuery, type AuditRecord, type AuditWindowQuery, type HiddenDayQuery } from '../../domain/audit-entry';
import { guarded } from './errors';
import { queryAll } from './query';
import { allInOrder } from '../../shared/pool';
import { GSI1, TTL_ATTRIBUTE } from './table';
import { auditDayPartition, auditPartition, writeShard } from './keys';
import { Transaction, type WriteItem } from './transaction';

export const AUDIT_ENTITY = 'audit';
const DAY_MS = 86_400_000;

type Item = Record<string, unknown>;

/**
 * Where entries go and how long they stay: `retentionDays` unset keeps them for good; `shards`
 * (default 1) is the number of write shards of each day's index partition (see writeShard).
 */
export interface AuditStorage { tableName: string; retentionDays?: number; shards?: number }

export function auditItem(record: AuditRecord, retentionDays?: number, shards = 1): Item {
  return {
    ...(retentionDays ? { [TTL_ATTRIBUTE]: Math.floor(Date.parse(record.at) / 1000) + retentionDays * 86_400 } : {}),
    PK: auditPartition(record.incidentId), SK: record.id,
    GSI1PK: auditDayPartition(record.at.slice(0, 10), writeShard(record.id, shards)), GSI1SK: record.id,
    entity: AUDIT_ENTITY,
    ...record,
    actorOrgId: record.actor.orgId,
    // Stored as JSON: actor fields are optional and DynamoDB maps would drop undefined ones anyway.
    actor: JSON.stringify(record.actor),
    ...(record.participants ? { participants: JSON.stringify(record.participants) } : {}),
  };
}

/** The entry with its members in the documented order. */
function recordFromItem(item: Item): AuditRecord {
  const e = item as Item & AuditRecord;
  return {
    id: e.id, at: e.at, actor: JSON.parse(String(item.actor)), action: e.action,
    ...(e.incidentId ? { incidentId: e.incidentId } : {}),
    ...(e.tlp ? { tlp: e.tlp } : {}),
    requestId: e.requestId, outcome: e.outcome,
    ...(e.detail ? { detail: e.detail } : {}),
    ...(typeof item.participants === 'string' ? { participants: JSON.parse(item.participants) } : {}),
  };
}

/** The Put of an entry that may never overwrite another. */
export const auditPut = ({ tableName, retentionDays, shards }: AuditStorage, record: AuditRecord): WriteItem =>
  ({ Put: { TableName: tableName, Item: auditItem(record, retentionDays, shards), ConditionExpression: 'attribute_not_exists(PK)' } });

/** TransactWriteItems takes 100 items a request: a list page's entries (at most 100) are one. */
const BATCH = 100;

export class DynamoAuditLog implements AuditLog {
  private readonly tableName: string;
  constructor(private readonly db: DynamoDBDocumentClient, private readonly storage: AuditStorage) { this.tableName = storage.tableName; }

  /**
   * Appends as transactions of conditional Puts: all of a request's entries or none, never one
   * replacing another, and authorized by `dynamodb:PutItem` alone — the one write action every
   * function that records anything holds (a reading function only on `AUDIT#…` keys).
   */
  async append(entries: readonly AuditRecord[]): Promise<void> {
    for (let i = 0; i < entries.length; i += BATCH) {
      const tx = new Transaction().addAll(entries.slice(i, i + BATCH).map((entry) => auditPut(this.storage, entry)));
      await guarded(tx.send(this.db));
    }
  }

  async forIncident(incidentId: string, { limit, after }: AuditPageQuery): Promise<AuditPage> {
    const page = await guarded(this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': auditPartition(incidentId) },
      ConsistentRead: true,
      Limit: limit + 1,
      ExclusiveStartKey: after ? { PK: auditPartition(incidentId), SK: after } : undefined,
    })));
    const items = (page.Items ?? []).map(recordFromItem);
    const kept = items.slice(0, limit);
    return { items: kept, last: items.length > limit ? kept.at(-1)!.id : null };
  }

  async between(query: AuditWindowQuery): Promise<AuditPage> {
    const { from, to, limit } = query;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const filters: string[] = [];
    if (query.action) { filters.push('#action = :action'); names['#action'] = 'action'; values[':action'] = query.action; }
    if (query.orgId) { filters.push('actorOrgId = :org'); values[':org'] = query.orgId; }
    // Only what the viewer's admins may see one by one (see domain/audit-entry.ts, visibleTo).
    filters.push('(attribute_not_exists(participants) OR contains(participants, :viewer))');
    values[':viewer'] = JSON.stringify(query.viewerOrgId);
    const items: AuditRecord[] = [];
    // From the window's start (inclusive) or just after the cursor, to its end (exclusive).
    const lower = query.after ? `${query.after}\u0000` : from;
    for (let day = Date.parse(lower.slice(0, 10)); day < Date.parse(to) && items.length <= limit; day += DAY_MS) {
      // Each shard's first limit + 1 entries of the day (in order), merged: the day's first ones.
      // Every shard's query settles before the day is answered or fails (allInOrder): none is left paging.
      const shards = await allInOrder(this.shards().map(async (shard) => {
        const found: Item[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await guarded(this.db.send(new QueryCommand({
            TableName: this.tableName,
            IndexName: GSI1.indexName,
            KeyConditionExpression: 'GSI1PK = :p AND GSI1SK BETWEEN :from AND :to',
            ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
            ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: { ':p': auditDayPartition(new Date(day).toISOString().slice(0, 10), shard), ':from': lower, ':to': to, ...values },
            ExclusiveStartKey: start,
          })));
          for (const item of page.Items ?? []) if (String(item.GSI1SK) < to) found.push(item);
          start = page.LastEvaluatedKey;
        } while (start && items.length + found.length <= limit);
        return found;
      }));
      const ofDay = shards.flat().sort((a, b) => (String(a.GSI1SK) < String(b.GSI1SK) ? -1 : 1));
      items.push(...ofDay.slice(0, limit + 1 - items.length).map(recordFromItem));
    }
    const kept = items.slice(0, limit);
    return { items: kept, last: items.length > limit ? kept.at(-1)!.id : null };
  }

  /** Every write shard of a day's index partition. */
  private shards(): number[] {
    return Array.from({ length: Math.max(1, this.storage.shards ?? 1) }, (_, i) => i);
  }

  /** Reads the day's entries about restricted incidents the viewer is not in: who acted and in which request only. */
  async hiddenOn(query: HiddenDayQuery): Promise<Array<{ orgId: string; count: number }>> {
    const names: Record<string, string> = { '#requestId': 'requestId' };
    const values: Record<string, unknown> = { ':p': auditDayPartition(query.day), ':viewer': JSON.stringify(query.viewerOrgId) };
    const filters = ['attribute_exists(participants)', 'NOT contains(participants, :viewer)'];
    if (query.action) { filters.push('#action = :action'); names['#action'] = 'action'; values[':action'] = query.action; }
    if (query.orgId) { filters.push('actorOrgId = :org'); values[':org'] = query.orgId; }
    const items = (await allInOrder(this.shards().map((shard) => queryAll(this.db, {
      TableName: this.tableName,
      IndexName: GSI1.indexName,
      KeyConditionExpression: 'GSI1PK = :p',
      FilterExpression: filters.join(' AND '),
      ProjectionExpression: 'actorOrgId, #requestId',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ...values, ':p': auditDayPartition(query.day, shard) },
    })))).flat();
    return countRequests(items.map((item) => ({ orgId: String(item.actorOrgId), requestId: String(item.requestId) })));
  }
}
