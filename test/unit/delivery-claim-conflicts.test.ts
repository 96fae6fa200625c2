/**
 * Claims under contention, against a mocked DynamoDB (review of 34be3fb). Two runs claiming the same
 * deliveries at once (a stream retry beside a replay) make DynamoDB cancel one transaction with
 * TransactionConflict: claimAll is documented to send such a transaction again (ROUNDS times) and
 * to answer "held" for what a conflict keeps refusing, never to fail the whole notice.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { DynamoDeliveryLog } from '../../lambdas/adapters/dynamodb/delivery-log';
import { deliveryClaimKey } from '../../lambdas/adapters/dynamodb/keys';
import type { DeliveryRef } from '../../lambdas/domain/ports';

const ddb = mockClient(DynamoDBDocumentClient);
beforeEach(() => ddb.reset());

const NOW = new Date('2026-11-03T12:00:00Z');
const refs = (n: number, from = 0): DeliveryRef[] => Array.from({ length: n }, (_, i) => ({ incidentId: 'inc_x', seq: 1, orgId: `org-${String(from + i).padStart(2, '0')}` }));
const cancelled = (codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
type Items = Array<Record<string, any>>;

it('a claim transaction cancelled by a conflict with another run is sent again, not turned into a failure of the notice', async () => {
  let call = 0;
  ddb.on(TransactWriteCommand as never).callsFake((input: { TransactItems: Items }) => {
    // The first try meets another run's transaction on org-01's claim.
    if (++call === 1) throw cancelled(input.TransactItems.map((_, i) => (i === 3 ? 'TransactionConflict' : 'None')));
    return {};
  });
  const log = new DynamoDeliveryLog(createDocumentClient({ region: 'us-east-1' }), 'concord');
  const found = await log.claimAll(refs(2), 'run-a', NOW, 60_000);
  expect(found).toEqual(new Map([['org-00', 'claimed'], ['org-01', 'claimed']]));
  expect(call).toBe(2);
});

it('a conflict that keeps refusing answers "held" for what it kept out (the stream tries the record again), and a recorded delivery beside it "done"', async () => {
  ddb.on(TransactWriteCommand as never).callsFake((input: { TransactItems: Items }) => {
    const codes = input.TransactItems.map((item) => (item.ConditionCheck?.Key?.SK?.includes('org-00') ? 'ConditionalCheckFailed' : item.Put?.Item?.orgId === 'org-01' ? 'TransactionConflict' : 'None'));
    if (codes.some((c) => c !== 'None')) throw cancelled(codes);
    return {};
  });
  const log = new DynamoDeliveryLog(createDocumentClient({ region: 'us-east-1' }), 'concord');
  // org-02 shared every transaction the conflict cancelled: it is held too, as delivery-log.ts says (ROUNDS, then held).
  expect(await log.claimAll(refs(3), 'run-a', NOW, 60_000)).toEqual(new Map([['org-00', 'done'], ['org-01', 'held'], ['org-02', 'held']]));
});

it('a notice wider than one transaction whose later chunk fails lets go the claims its earlier chunks took (none held for a lease with nothing published)', async () => {
  let call = 0;
  ddb.on(TransactWriteCommand as never).callsFake(() => {
    // The second chunk's transaction outlasts the SDK's retries: throttled.
    if (++call === 2) throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException' });
    return {};
  });
  const log = new DynamoDeliveryLog(createDocumentClient({ region: 'us-east-1' }), 'concord');
  await expect(log.claimAll(refs(60), 'run-a', NOW, 60_000)).rejects.toThrow(/busy/);
  const sent = ddb.commandCalls(TransactWriteCommand as never).map((c) => (c.args[0].input as { TransactItems: Items }).TransactItems);
  // The first chunk's 50 claims were taken, then let go by their owner.
  const released = sent.slice(2).flat().filter((i) => i.Update?.ExpressionAttributeValues?.[':owner'] === 'run-a').map((i) => i.Update.Key.PK as string);
  expect(released).toEqual(refs(50).map((d) => deliveryClaimKey(d.incidentId, d.seq, d.orgId).PK));
});
