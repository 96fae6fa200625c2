/**
 * The commit clock (adapters/dynamodb/incident-repository.ts) against the real engine. Every new
 * version takes the clock's next time in its own transaction, so versions are dated in commit
 * order (TAXII's date_added). In AWS each Lambda instance has its own repository, and the clock's
 * time it last saw is stale whenever another instance wrote since: a write must still be one
 * transaction when its own time is later than the clock's — as it is unless two writes meet in
 * the same millisecond — and a write dated before the clock must still take a later time.
 */
import { ulidGenerator } from '../../lambdas/shared/ids';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { DynamoIncidentRepository } from '../../lambdas/adapters/dynamodb/incident-repository';
import { DynamoDirectoryRepository } from '../../lambdas/adapters/dynamodb/directory-repository';
import { DynamoAuditLog } from '../../lambdas/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { endpoint, useFreshTable } from '../support/harness';
import type { Caller } from '../../lambdas/domain/actor';
import type { ReportInput } from '../../lambdas/domain/incident';

let table: Awaited<ReturnType<typeof useFreshTable>>;
beforeAll(async () => { table = await useFreshTable(); });
afterAll(() => table.drop());

const partner = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: 'k' });
const report = (): ReportInput => ({ title: 'Clock check', severity: 'high', category: 'misinformation', participants: ['fbi'] });

/** An instance of the service as one Lambda instance has it, counting its transactions; its clock is `now()`. */
function instance(now: () => Date = () => new Date()) {
  const db = createDocumentClient({ endpoint: endpoint(), region: 'us-east-1' });
  const sent = { transactions: 0 };
  db.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'TransactWriteItemsCommand') sent.transactions++;
    return next(args);
  }, { step: 'initialize', name: 'count-transactions' });
  const clock = { now };
  const incidents = makeIncidents({
    incidents: new DynamoIncidentRepository(db, table.tableName), directory: new DynamoDirectoryRepository(db, table.tableName),
    audit: new DynamoAuditLog(db, { tableName: table.tableName }), clock, ids: ulidGenerator(clock),
  });
  return { incidents, sent };
}

it('two instances writing in turn: each write is one transaction, though each last saw the clock before the other wrote', async () => {
  const [a, b] = [instance(), instance()];
  const first = await a.incidents.report(partner('facebook'), report());
  await b.incidents.report(partner('facebook'), report());
  for (const x of [a, b]) x.sent.transactions = 0;
  // Each instance's last sight of the clock is now stale: the other wrote after it.
  await a.incidents.acknowledge(partner('fbi'), first.incident.id, {});
  await b.incidents.addNote(partner('fbi'), first.incident.id, 'seen');
  await a.incidents.report(partner('facebook'), report());
  expect([a.sent.transactions, b.sent.transactions]).toEqual([2, 1]);
});

it('a write whose own time is before the clock\'s (a lagging instance clock) takes a later time than the clock\'s', async () => {
  const ahead = instance(() => new Date(Date.now() + 60_000));
  const behind = instance();
  await ahead.incidents.report(partner('facebook'), report());
  const late = await behind.incidents.report(partner('facebook'), report());
  expect(behind.sent.transactions).toBe(2);
  const record = await new DynamoIncidentRepository(createDocumentClient({ endpoint: endpoint(), region: 'us-east-1' }), table.tableName).get(late.incident.id);
  expect(Date.parse(record!.addedAt!)).toBeGreaterThan(Date.now() + 30_000);
});
