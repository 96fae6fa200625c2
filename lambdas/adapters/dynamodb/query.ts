/** Reads that want many items: every page of a Query (a small partition), or many keys at once. */
import { BatchGetCommand, type BatchGetCommandOutput, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { inPool } from '../../shared/pool';
import { guarded } from './errors';

/** Every page of a Query, for the reads that want all of a (small) partition. */
export async function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await guarded(db.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** BatchGetItem reads at most 100 keys a request. */
const BATCH_GET_LIMIT = 100;
/** BatchGetItem requests in flight at once: a ten-year metrics window grouped by organization is hundreds. */
const BATCH_GET_CONCURRENCY = 8;

/**
 * Reads of any number of items by key: one BatchGetItem per 100 keys, at most eight requests at
 * once, unprocessed keys retried with a short backoff. Items that do not exist are left out.
 * Consistent unless asked otherwise.
 */
export async function batchGetAll(db: DynamoDBDocumentClient, tableName: string, keys: Array<Record<string, unknown>>, { projection, consistent = true }: { projection?: string; consistent?: boolean } = {}): Promise<Array<Record<string, unknown>>> {
  const chunks: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) chunks.push(keys.slice(i, i + BATCH_GET_LIMIT));
  const pages = await inPool(chunks, BATCH_GET_CONCURRENCY, async (chunk) => {
    const out: Array<Record<string, unknown>> = [];
    let wanted: Array<Record<string, unknown>> | undefined = chunk;
    for (let attempt = 0; wanted?.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
      const res: BatchGetCommandOutput = await guarded(db.send(new BatchGetCommand({
        RequestItems: { [tableName]: { Keys: wanted, ConsistentRead: consistent, ...(projection ? { ProjectionExpression: projection } : {}) } },
      })));
      out.push(...(res.Responses?.[tableName] ?? []));
      wanted = res.UnprocessedKeys?.[tableName]?.Keys;
    }
    return out;
  });
  return pages.flat();
}
