/**
 * The audit log reads a day of the admins' trail on every write shard at once. One shard that
 * cannot be read fails the read, once every shard's query has settled: nothing is left paging
 * after the answer (a Lambda is frozen then).
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { DynamoAuditLog } from '../../lambdas/adapters/dynamodb/audit-log';

const ddb = mockClient(DynamoDBDocumentClient);
const log = new DynamoAuditLog(createDocumentClient({ region: 'us-east-1' }), { tableName: 'concord', shards: 4 });
beforeEach(() => ddb.reset());

/** Shard 1's query fails at once; the others answer an empty page 30 ms later. */
function oneShardDown(): { settled: () => number } {
  let settled = 0;
  ddb.on(QueryCommand).callsFake(async (input: { ExpressionAttributeValues: Record<string, string> }) => {
    if (String(input.ExpressionAttributeValues[':p']).endsWith('#1')) throw new Error('shard 1 throttled');
    await new Promise((r) => setTimeout(r, 30));
    settled++;
    return { Items: [] };
  });
  return { settled: () => settled };
}

it('a window\'s day: fails once the other shards have answered', async () => {
  const shards = oneShardDown();
  await expect(log.between({ from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z', viewerOrgId: 'cisa', limit: 10 })).rejects.toThrow();
  expect(shards.settled()).toBe(3);
});

it('a day\'s restricted summaries: the same', async () => {
  const shards = oneShardDown();
  await expect(log.hiddenOn({ day: '2026-11-02', viewerOrgId: 'cisa' })).rejects.toThrow();
  expect(shards.settled()).toBe(3);
});
