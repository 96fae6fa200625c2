/**
 * The local stand-in for the stream event source (npm start, the load bench): a consumer is given
 * only the records its filter accepts, in batches of at most its batch size, as Lambda's filter
 * criteria and batch size do in AWS (STREAM_CONSUMERS); a failed record is delivered again, with
 * everything after it, and nothing before it.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { startStreamPoller } from '../../local/stream-poller';
import { endpoint, eventually, useFreshTable } from '../support/harness';

describe('the local stream poller', () => {
  let table: Awaited<ReturnType<typeof useFreshTable>>;
  const db = createDocumentClient({ endpoint: endpoint() });
  beforeEach(async () => { table = await useFreshTable(); });
  afterEach(async () => { await table.drop(); });
  afterAll(() => db.destroy());

  /** Items of two entities, interleaved: `thing#0`, `other#0`, `thing#1`, … */
  async function write(n: number) {
    for (let i = 0; i < n; i++) {
      for (const entity of ['thing', 'other']) await db.send(new PutCommand({ TableName: table.tableName, Item: { PK: `T#${entity}#${i}`, SK: 'X', entity, n: i } }));
    }
  }
  const pkOf = (r: DynamoDBStreamEvent['Records'][number]) => String(r.dynamodb?.Keys?.PK?.S);

  it('gives a consumer only the records its filter accepts, in batches of at most its batch size', async () => {
    const batches: string[][] = [];
    const poller = await startStreamPoller({
      endpoint: endpoint(), tableName: table.tableName, intervalMs: 300,
      consumer: { entity: 'thing', insertsOnly: true, batchSize: 3 },
      handler: async (event) => { batches.push(event.Records.map(pkOf)); return { batchItemFailures: [] }; },
    });
    try {
      await write(7);
      // An update of an accepted entity: not an insert, so not given.
      await db.send(new UpdateCommand({ TableName: table.tableName, Key: { PK: 'T#thing#0', SK: 'X' }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 99 } }));
      await eventually(() => batches.flat().length >= 7, 30_000);
      await new Promise((r) => setTimeout(r, 700));
      expect(batches.flat()).toEqual(Array.from({ length: 7 }, (_, i) => `T#thing#${i}`));
      expect(batches.every((b) => b.length >= 1 && b.length <= 3)).toBe(true);
    } finally {
      await poller.stop();
    }
  });

  it('gives a consumer with types only records of those types (the notifier is not given the `notified` events)', async () => {
    const given: string[] = [];
    const poller = await startStreamPoller({
      endpoint: endpoint(), tableName: table.tableName, intervalMs: 300,
      consumer: { entity: 'thing', insertsOnly: true, types: ['reported'], batchSize: 25 },
      handler: async (event) => { given.push(...event.Records.map(pkOf)); return { batchItemFailures: [] }; },
    });
    try {
      for (const [i, type] of ['reported', 'notified', 'notified', 'reported'].entries()) {
        await db.send(new PutCommand({ TableName: table.tableName, Item: { PK: `T#thing#${i}`, SK: 'X', entity: 'thing', type } }));
      }
      await eventually(() => given.length >= 2, 30_000);
      await new Promise((r) => setTimeout(r, 700));
      expect(given).toEqual(['T#thing#0', 'T#thing#3']);
    } finally {
      await poller.stop();
    }
  });

  it('delivers a failed record again with everything after it, and nothing before it', async () => {
    const seen: string[] = [];
    let failedOnce = false;
    const poller = await startStreamPoller({
      endpoint: endpoint(), tableName: table.tableName, intervalMs: 300,
      consumer: { entity: 'thing', insertsOnly: false, batchSize: 100 },
      handler: async (event) => {
        for (const r of event.Records) {
          if (pkOf(r) === 'T#thing#2' && !failedOnce) { failedOnce = true; return { batchItemFailures: [{ itemIdentifier: r.dynamodb!.SequenceNumber! }] }; }
          seen.push(pkOf(r));
        }
        return { batchItemFailures: [] };
      },
    });
    try {
      await write(4);
      await eventually(() => seen.length >= 4, 30_000);
      await new Promise((r) => setTimeout(r, 700));
      expect(failedOnce).toBe(true);
      expect(seen).toEqual(['T#thing#0', 'T#thing#1', 'T#thing#2', 'T#thing#3']);
    } finally {
      await poller.stop();
    }
  });
});

