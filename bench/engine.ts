/**
 * DynamoDB Local's own pace, by transaction size: what the engine every other section runs on
 * charges for a transaction and for each of its items. Puts of 300-byte items, each guarded as the
 * service's writes are, into a table shaped like the service's (two indexes, a stream), one at a
 * time and four at once. The fit `ms = perTransaction + perItem × items` over the four-at-once rows
 * says whether fewer, larger transactions would help (a fixed cost per transaction) or only fewer
 * items (a cost per item). On this machine it varies by hour: read it beside the other sections.
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';
import { progress } from './support';

const SIZES = [1, 5, 15, 50, 100];
const CONCURRENCY = [1, 4];

export async function benchEngine(db: DynamoDBDocumentClient, newTable: (name: string, stream?: boolean) => Promise<string>, seconds: number) {
  const tableName = await newTable('bench-engine', true);
  let id = 0;
  const transaction = (items: number) => new TransactWriteCommand({
    TransactItems: Array.from({ length: items }, (_, k) => ({
      Put: { TableName: tableName, Item: { PK: `ENGINE#${id}`, SK: String(k), body: 'x'.repeat(300) }, ConditionExpression: 'attribute_not_exists(PK)' },
    })),
  });
  // Warm the engine's JIT before the first measured size.
  for (let n = 0; n < 100; n++) { id++; await db.send(transaction(10)); }
  const rows: Array<Record<string, unknown>> = [];
  const tick = progress('  engine');
  for (const concurrent of CONCURRENCY) {
    for (const items of SIZES) {
      let done = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: concurrent }, async () => {
        while (performance.now() - started < seconds * 1000) { id++; await db.send(transaction(items)); done++; }
      }));
      const elapsed = (performance.now() - started) / 1000;
      rows.push({ items, concurrent, transactionsPerSecond: +(done / elapsed).toFixed(1), itemsPerSecond: Math.round((done * items) / elapsed), msPerTransaction: +(elapsed * 1000 / done).toFixed(2) });
      tick(rows.length / (SIZES.length * CONCURRENCY.length));
    }
  }
  tick.done();
  // Least squares over the four-at-once rows: ms of engine time per transaction = a + b × items.
  const fit = rows.filter((r) => r.concurrent === 4).map((r) => ({ x: Number(r.items), y: 1000 / Number(r.transactionsPerSecond) }));
  const mx = fit.reduce((s, p) => s + p.x, 0) / fit.length;
  const my = fit.reduce((s, p) => s + p.y, 0) / fit.length;
  const perItem = fit.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / fit.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  rows.push({ items: 'fit (4 at once)', concurrent: 4, perTransactionMs: +(my - perItem * mx).toFixed(2), perItemMs: +perItem.toFixed(3) });
  return rows;
}
