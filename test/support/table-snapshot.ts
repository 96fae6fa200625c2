/** The whole table, item by item, to prove a request changed nothing (or only appended audit entries). */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { endpoint } from './harness';

/** Every attribute and value, keys sorted at every level. */
export const canonical = (v: unknown): string => (v !== null && typeof v === 'object' && !Array.isArray(v)
  ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`
  : Array.isArray(v) ? `[${v.map(canonical).join(',')}]` : JSON.stringify(v));

export interface TableSnapshot {
  /** Every item but audit entries, canonical and sorted. */
  items: string[];
  /** The audit entries (the trail records refusals: appended, never a change to anything else). */
  audit: Array<Record<string, any>>;
}

/**
 * Scans the table. A key's `lastUsedAt` is left out: it is bookkeeping of who presented the key
 * (refused requests included), not a change a request made.
 */
export async function tableSnapshot(tableName: string): Promise<TableSnapshot> {
  const client = new DynamoDBClient({ endpoint: endpoint() });
  const items: string[] = [];
  const audit: Array<Record<string, any>> = [];
  let start: Record<string, any> | undefined;
  try {
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
      for (const { lastUsedAt: _used, ...item } of page.Items ?? []) {
        if (item.entity?.S === 'audit') audit.push(item);
        else items.push(canonical(item));
      }
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    client.destroy();
  }
  return { items: items.sort(), audit };
}

/** The audit entries `after` has that `before` had not. */
export const newAuditEntries = (before: TableSnapshot, after: TableSnapshot) => {
  const seen = new Set(before.audit.map((e) => e.id.S));
  return after.audit.filter((e) => !seen.has(e.id.S));
};
