/**
 * Group commit on the commit clock (adapters/dynamodb/commit-clock.ts): writes of one process that
 * queue while one is in flight go in one TransactWriteItems with one Put of the clock. Before, each
 * write was a transaction of its own, taken one after another, and under load (#27, 50 reports a
 * second) writes that waited over a second raced each other for the clock and were cancelled over
 * and over: 17.6 transactions a stored report.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { DynamoIncidentRepository } from '../../lambdas/adapters/dynamodb/incident-repository';
import { BusyError, ConcurrentModificationError } from '../../lambdas/domain/errors';
import { acknowledge, report } from '../../lambdas/domain/incident';

const ddb = mockClient(DynamoDBDocumentClient);
beforeEach(() => ddb.reset());

const T0 = '2026-11-03T12:00:00.000Z';
const ids = ['inc_01M899CQ51KBW81DJ4QTE6713A', 'inc_01M899CQ51KBW81DJ4QTE6713B', 'inc_01M899CQ51KBW81DJ4QTE6713C', 'inc_01M899CQ51KBW81DJ4QTE6713D'];
const recordOf = (id: string) => ({ incident: report(id, 'facebook', { title: 't', severity: 'high', category: 'ddos', participants: ['fbi'] }, T0).incident, eventCount: 1, ackCode: null, escalation: null });
const ackOf = (id: string) => { const r = recordOf(id); return [r, acknowledge(r, 'fbi', {}, T0)!] as const; };
type Items = Array<Record<string, any>>;
const transactions = () => ddb.commandCalls(TransactWriteCommand as never).map((c) => (c.args[0].input as { TransactItems: Items }).TransactItems);
const clockPuts = (items: Items) => items.filter((i) => i.Put?.Item?.PK === 'COMMITS');
const incidentsIn = (items: Items) => items.filter((i) => i.Put?.Item?.SK === 'INCIDENT').map((i) => [i.Put.Item.id, i.Put.Item.addedAt]);
const cancelled = (reasons: Array<{ Code: string; Item?: Record<string, unknown> }>) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: reasons.map((r) => ({ Code: r.Code, Item: r.Item ? marshall(r.Item) : undefined })) });
/** Cancellation reasons for `items`: `failing` (by index) with its code, every other None. */
const reasonsFor = (items: Items, failing: Record<number, { Code: string; Item?: Record<string, unknown> }>) => items.map((_, i) => failing[i] ?? { Code: 'None' });

it('writes that queue while one is in flight go in one transaction, with one clock Put: consecutive times, the clock taking the last if it holds one before the first', async () => {
  ddb.onAnyCommand().resolves({});
  const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
  await Promise.all(ids.map((id) => { const [r, change] = ackOf(id); return repo.commit(r, change); }));
  const sent = transactions();
  // The first went alone (nothing was in flight); the three that queued behind it, together.
  expect(sent.map((items) => incidentsIn(items).map(([id]) => id))).toEqual([[ids[0]], ids.slice(1)]);
  expect(incidentsIn(sent[1]!).map(([, at]) => at)).toEqual(['2026-11-03T12:00:00.001Z', '2026-11-03T12:00:00.002Z', '2026-11-03T12:00:00.003Z']);
  expect(clockPuts(sent[1]!)).toEqual([{ Put: {
    TableName: 'concord', Item: { PK: 'COMMITS', SK: 'CLOCK', entity: 'clock', at: '2026-11-03T12:00:00.003Z' },
    ConditionExpression: 'attribute_not_exists(PK) OR #at < :at', ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':at': '2026-11-03T12:00:00.001Z' },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  } }]);
  // Every write's items are there, each once.
  expect(sent[1]!.length).toBe(3 * (transactions()[0]!.length - 1) + 1);
});

it('a group cancelled by one write\'s own condition answers that write (as its own transaction would have been) and sends the others again at once', async () => {
  const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
  let call = 0;
  ddb.on(TransactWriteCommand as never).callsFake((input: { TransactItems: Items }) => {
    call++;
    // The second transaction is the group: the guard of C's incident fails.
    if (call === 2) {
      const c = input.TransactItems.findIndex((i) => i.Put?.Item?.id === ids[2] && i.Put.Item.SK === 'INCIDENT');
      throw cancelled(reasonsFor(input.TransactItems, { [c]: { Code: 'ConditionalCheckFailed' } }));
    }
    return {};
  });
  const results = await Promise.allSettled(ids.map((id) => { const [r, change] = ackOf(id); return repo.commit(r, change); }));
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrentModificationError);
  expect(transactions().map((items) => incidentsIn(items).map(([id]) => id))).toEqual([[ids[0]], ids.slice(1), [ids[1], ids[3]]]);
  expect(ddb.commandCalls(GetCommand as never)).toHaveLength(0);
});

it('a create refused for its dedup claim in a group gets the claim\'s holder, as alone', async () => {
  const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
  const reportOf = (id: string, dedupKey: string) => report(id, 'facebook', { title: 't', severity: 'high', category: 'ddos', participants: ['fbi'], dedupKey }, T0);
  const holder = recordOf('inc_01M899CQ51KBW81DJ4QTE6713Z');
  let call = 0;
  ddb.on(TransactWriteCommand as never).callsFake((input: { TransactItems: Items }) => {
    if (++call !== 2) return {};
    const claim = input.TransactItems.findIndex((i) => i.Put?.Item?.PK === 'DEDUP#facebook#taken');
    throw cancelled(reasonsFor(input.TransactItems, { [claim]: { Code: 'ConditionalCheckFailed', Item: { incidentId: holder.incident.id } } }));
  });
  ddb.on(GetCommand as never).resolves({ Item: { ...holder.incident, links: undefined, details: undefined, linksJson: '[]', detailsJson: '{}', eventCount: 1 } } as never);
  const [first, second, third] = await Promise.all([reportOf(ids[0]!, 'a'), reportOf(ids[1]!, 'taken'), reportOf(ids[2]!, 'c')].map((c) => repo.create(c)));
  expect(first).toEqual({ created: true });
  expect(second).toEqual({ created: false, existing: expect.objectContaining({ incident: holder.incident }) });
  expect(third).toEqual({ created: true });
});

it('a group that lost the clock to another process sends every write again, dated after the clock\'s time', async () => {
  const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
  const later = '2026-11-03T12:00:09.000Z';
  let call = 0;
  ddb.on(TransactWriteCommand as never).callsFake((input: { TransactItems: Items }) => {
    if (++call !== 2) return {};
    const clock = input.TransactItems.findIndex((i) => i.Put?.Item?.PK === 'COMMITS');
    throw cancelled(reasonsFor(input.TransactItems, { [clock]: { Code: 'ConditionalCheckFailed', Item: { PK: 'COMMITS', SK: 'CLOCK', at: later } } }));
  });
  await Promise.all(ids.map((id) => { const [r, change] = ackOf(id); return repo.commit(r, change); }));
  const sent = transactions();
  expect(sent).toHaveLength(3);
  expect(incidentsIn(sent[2]!)).toEqual([[ids[1], '2026-11-03T12:00:09.001Z'], [ids[2], '2026-11-03T12:00:09.002Z'], [ids[3], '2026-11-03T12:00:09.003Z']]);
  expect(clockPuts(sent[2]!)[0]!.Put).toMatchObject({ Item: { at: '2026-11-03T12:00:09.003Z' }, ExpressionAttributeValues: { ':at': '2026-11-03T12:00:09.001Z' } });
});

it('two writes of one incident never share a transaction (DynamoDB refuses an item twice)', async () => {
  ddb.onAnyCommand().resolves({});
  const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
  const [r, change] = ackOf(ids[0]!);
  const [r2, change2] = ackOf(ids[1]!);
  await Promise.all([repo.commit(r2, change2), repo.commit(r, change), repo.commit(r, change)]);
  expect(transactions().map((items) => incidentsIn(items).map(([id]) => id))).toEqual([[ids[1]], [ids[0]], [ids[0]]]);
});

it('a group refused for no write in particular (not a cancellation) sends each of its writes again alone', async () => {
  const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
  let call = 0;
  ddb.on(TransactWriteCommand as never).callsFake(() => {
    if (++call === 2) throw Object.assign(new Error('Transaction request cannot include multiple operations on one item'), { name: 'ValidationException' });
    return {};
  });
  await Promise.all(ids.slice(0, 3).map((id) => { const [r, change] = ackOf(id); return repo.commit(r, change); }));
  expect(transactions().map((items) => incidentsIn(items).map(([id]) => id))).toEqual([[ids[0]], [ids[1], ids[2]], [ids[1]], [ids[2]]]);
});

it('a write queued behind the most groups that may be in flight, all stuck, still answers busy after the queue\'s patience (no hang)', async () => {
  jest.useFakeTimers();
  try {
    // The store never answers: every group sent stays in flight.
    ddb.on(TransactWriteCommand as never).callsFake(() => new Promise(() => undefined));
    const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
    const more = ['inc_01M899CQ51KBW81DJ4QTE6713E', 'inc_01M899CQ51KBW81DJ4QTE6713F'];
    // Four groups go, each beside the stalled ones before it (MAX_IN_FLIGHT).
    for (const id of ids) {
      const [r, change] = ackOf(id);
      void repo.commit(r, change).catch(() => undefined);
      await jest.advanceTimersByTimeAsync(1_000);
    }
    expect(transactions()).toHaveLength(4);
    const answers: unknown[] = [];
    for (const id of more) { const [r, change] = ackOf(id); repo.commit(r, change).then(() => answers.push('committed'), (err: unknown) => answers.push(err)); }
    await jest.advanceTimersByTimeAsync(11_000);
    expect(answers).toHaveLength(2);
    for (const a of answers) expect(a).toBeInstanceOf(BusyError);
  } finally {
    jest.useRealTimers();
  }
});

it('a group that met a store failure which may have been applied (a server error) answers each write as alone would (503), not by sending it again to a 500', async () => {
  const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
  const reportOf = (id: string) => report(id, 'facebook', { title: 't', severity: 'high', category: 'ddos', participants: ['fbi'] }, T0);
  const stored = new Set<string>();
  let call = 0;
  ddb.on(TransactWriteCommand as never).callsFake((input: { TransactItems: Items }) => {
    call++;
    const created = incidentsIn(input.TransactItems).map(([id]) => id as string);
    // Sent again, a create whose incident is stored fails its attribute_not_exists condition.
    if (created.some((id) => stored.has(id))) throw cancelled(reasonsFor(input.TransactItems, Object.fromEntries(input.TransactItems.flatMap((i, n) => (stored.has(i.Put?.Item?.id) && i.Put.Item.SK === 'INCIDENT' ? [[n, { Code: 'ConditionalCheckFailed' }]] : [])))));
    for (const id of created) stored.add(id);
    // The group of the second and third was applied, but its answer is a server error.
    if (call === 2) throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $fault: 'server' });
    return {};
  });
  const results = await Promise.allSettled(ids.slice(0, 3).map((id) => repo.create(reportOf(id))));
  expect(results[0]).toEqual({ status: 'fulfilled', value: { created: true } });
  for (const r of results.slice(1)) {
    // Alone, the write would have had the server error: 503 (try again), never a cancellation (500).
    expect(r.status).toBe('rejected');
    expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BusyError);
  }
});

it('two groups in flight (one stalled): whichever the store applies first, a version committed later always has the later addedAt', async () => {
  jest.useFakeTimers();
  try {
    // A store that applies a transaction when it answers, with the clock Put's condition.
    let clockAt: string | undefined;
    const committed: Array<[string, string]> = [];
    let call = 0;
    ddb.on(TransactWriteCommand as never).callsFake((input: { TransactItems: Items }) => {
      const delay = ++call === 1 ? 1_500 : 10; // the first group stalls past STALLED_MS
      return new Promise((resolve, reject) => setTimeout(() => {
        const clock = input.TransactItems.findIndex((i) => i.Put?.Item?.PK === 'COMMITS');
        const put = input.TransactItems[clock]!.Put;
        if (clockAt !== undefined && !(clockAt < put.ExpressionAttributeValues[':at'])) {
          reject(cancelled(reasonsFor(input.TransactItems, { [clock]: { Code: 'ConditionalCheckFailed', Item: { PK: 'COMMITS', SK: 'CLOCK', at: clockAt } } })));
          return;
        }
        clockAt = put.Item.at;
        committed.push(...(incidentsIn(input.TransactItems) as Array<[string, string]>));
        resolve({});
      }, delay));
    });
    const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
    const all: Array<Promise<void>> = [];
    const commitOf = (id: string) => { const [r, change] = ackOf(id); all.push(repo.commit(r, change)); };
    commitOf(ids[0]!);
    await jest.advanceTimersByTimeAsync(1_000);
    // The first is stalled: these go beside it, dated after it, and are applied first.
    commitOf(ids[1]!);
    commitOf(ids[2]!);
    await jest.advanceTimersByTimeAsync(5_000);
    commitOf(ids[3]!);
    await jest.advanceTimersByTimeAsync(5_000);
    await Promise.all(all);
    expect(committed.map(([id]) => id).sort()).toEqual([...ids].sort());
    // The stalled first write lost the clock to the group beside it and was applied after it.
    expect(committed[0]![0]).toBe(ids[1]);
    expect(committed.findIndex(([id]) => id === ids[0])).toBeGreaterThan(committed.findIndex(([id]) => id === ids[2]));
    const times = committed.map(([, at]) => at);
    expect(times).toEqual([...times].sort());
    expect(new Set(times).size).toBe(times.length);
  } finally {
    jest.useRealTimers();
  }
});

it('a cancellation that names no item (every reason None) is each write\'s answer, as alone: not sent again without pause', async () => {
  const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
  let call = 0;
  ddb.on(TransactWriteCommand as never).callsFake((input: { TransactItems: Items }) => {
    if (++call === 2) throw cancelled(reasonsFor(input.TransactItems, {}));
    return {};
  });
  const results = await Promise.allSettled(ids.slice(0, 3).map((id) => { const [r, change] = ackOf(id); return repo.commit(r, change); }));
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
  expect(transactions()).toHaveLength(2);
});
