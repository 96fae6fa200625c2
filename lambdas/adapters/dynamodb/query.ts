/** Every page of a Query, for the reads that want all of a (small) partition. */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { guarded } from './errors';

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
