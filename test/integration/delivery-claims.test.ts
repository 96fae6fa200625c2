/**
 * Claims of one notice's deliveries against the real engine. A notice to 50 organizations claimed
 * each delivery with its own write and let each go with another: 100 writes before and after 50
 * publishes, most of the fan-out's time. They are now claimed and let go in transactions of up to
 * 100 (DynamoDB's limit), with the same conditions: a delivery another run holds stays theirs.
 */
import { DynamoDeliveryLog } from '../../lambdas/adapters/dynamodb/delivery-log';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import type { DeliveryRef } from '../../lambdas/domain/ports';
import { endpoint, useFreshTable } from '../support/harness';

let table: Awaited<ReturnType<typeof useFreshTable>>;
beforeAll(async () => { table = await useFreshTable(); });
afterAll(() => table.drop());

function log() {
  const db = createDocumentClient({ endpoint: endpoint(), region: 'us-east-1' });
  const writes: string[] = [];
  db.middlewareStack.add((next, context) => async (args) => {
    if (/Put|Update|TransactWrite|Delete/.test(String(context.commandName))) writes.push(String(context.commandName));
    return next(args);
  }, { step: 'initialize', name: 'count-writes' });
  return { deliveries: new DynamoDeliveryLog(db, table.tableName), writes };
}

const refs = (incidentId: string, n: number): DeliveryRef[] => Array.from({ length: n }, (_, i) => ({ incidentId, seq: 1, orgId: `org-${String(i).padStart(2, '0')}` }));
const NOW = new Date('2026-11-03T12:00:00Z');
const LEASE = 60_000;

/** The organizations `claimAll` found claimed, in order. */
const claimed = (found: Map<string, string>) => [...found].filter(([, o]) => o === 'claimed').map(([org]) => org);

it('claims 50 deliveries in one write and lets them go in one', async () => {
  const a = log();
  const all = refs('inc_claims_a', 50);
  expect(claimed(await a.deliveries.claimAll(all, 'run-a', NOW, LEASE))).toEqual(all.map((d) => d.orgId));
  expect(a.writes).toEqual(['TransactWriteItemsCommand']);
  // Another run takes none of them while the lease runs…
  expect(claimed(await log().deliveries.claimAll(all, 'run-b', NOW, LEASE))).toEqual([]);
  a.writes.length = 0;
  await a.deliveries.releaseAll(all, 'run-a');
  expect(a.writes).toEqual(['TransactWriteItemsCommand']);
  // …and every one once they are let go.
  expect(claimed(await log().deliveries.claimAll(all, 'run-c', NOW, LEASE))).toHaveLength(50);
});

it('leaves another run\'s held claims to it and takes the rest; lets go only its own', async () => {
  const all = refs('inc_claims_b', 20);
  const other = log();
  expect(claimed(await other.deliveries.claimAll([all[3]!, all[11]!], 'run-x', NOW, LEASE))).toEqual(['org-03', 'org-11']);
  const mine = log();
  const found = await mine.deliveries.claimAll(all, 'run-y', NOW, LEASE);
  const taken = claimed(found);
  expect([found.get('org-03'), found.get('org-11')]).toEqual(['held', 'held']);
  expect(taken).toEqual(all.map((d) => d.orgId).filter((o) => o !== 'org-03' && o !== 'org-11'));
  expect(mine.writes.length).toBeLessThanOrEqual(2);
  // Letting all 20 go releases its 18 and leaves run-x's two held.
  await mine.deliveries.releaseAll(all, 'run-y');
  expect(claimed(await log().deliveries.claimAll(all, 'run-z', NOW, LEASE))).toEqual(taken);
  // A lease that has run out may be taken.
  expect(claimed(await log().deliveries.claimAll([all[3]!], 'run-late', new Date(NOW.getTime() + LEASE), LEASE))).toEqual(['org-03']);
});

it('claims more than a transaction holds in transactions of 100 items (50 deliveries: each a check and a claim)', async () => {
  const a = log();
  expect(claimed(await a.deliveries.claimAll(refs('inc_claims_c', 130), 'run-a', NOW, LEASE))).toHaveLength(130);
  expect(a.writes).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
});

it('a delivery already recorded is found done in the claiming write itself: sent always, failed unless replaying', async () => {
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { deliveryItem } = await import('../../lambdas/adapters/dynamodb/incident-items');
  const db = createDocumentClient({ endpoint: endpoint(), region: 'us-east-1' });
  const [sent, failed, fresh] = refs('inc_claims_d', 3);
  await db.send(new PutCommand({ TableName: table.tableName, Item: deliveryItem({ ...sent!, status: 'sent' }) }));
  await db.send(new PutCommand({ TableName: table.tableName, Item: deliveryItem({ ...failed!, status: 'failed' }) }));
  const a = log();
  expect(await a.deliveries.claimAll([sent!, failed!, fresh!], 'run-a', NOW, LEASE)).toEqual(new Map([['org-00', 'done'], ['org-01', 'done'], ['org-02', 'claimed']]));
  // One write refused for the recorded two, one that claims the third.
  expect(a.writes).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
  expect(await log().deliveries.claimAll([sent!, failed!], 'replay', NOW, LEASE, true)).toEqual(new Map([['org-00', 'done'], ['org-01', 'claimed']]));
  db.destroy();
});
