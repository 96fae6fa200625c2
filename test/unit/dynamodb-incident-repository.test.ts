/** The exact DynamoDB requests the incident repository makes, conditions included. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { DynamoIncidentRepository, communityWrites } from '../../lambdas/adapters/dynamodb/incident-repository';
import { eventItem } from '../../lambdas/adapters/dynamodb/incident-items';
import { ConcurrentModificationError, BusyError } from '../../lambdas/domain/errors';
import { acknowledge, report, resolve } from '../../lambdas/domain/incident';

// The document client is what the adapter holds; mocking it keeps every request on this machine.
const ddb = mockClient(DynamoDBDocumentClient);
const repo = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
const ID = 'inc_01M899CQ51KBW81DJ4QTE6713E';
const T0 = '2026-11-03T12:00:00.000Z';
const created = report(ID, 'facebook', { title: 't', severity: 'high', category: 'ddos', participants: ['fbi'], dedupKey: 'd1' }, T0);
const record = { incident: created.incident, eventCount: 1, ackCode: null, escalation: null };

beforeEach(() => ddb.reset());

const cancelled = (reasons: Array<{ Code: string; Item?: Record<string, unknown> }>) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: reasons.map((r) => ({ Code: r.Code, Item: r.Item ? marshall(r.Item) : undefined })) });

it('acknowledge is one TransactWriteItems guarded by the event count and the open status', async () => {
  ddb.onAnyCommand().resolves({});
  const change = acknowledge(record, 'fbi', {}, T0)!;
  await repo.commit(record, change);
  expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand as never, 1);
  expect(ddb.calls()).toHaveLength(1);
  const items = (ddb.call(0).args[0].input as { TransactItems: Array<Record<string, any>> }).TransactItems;
  expect(items[0]!.Put).toMatchObject({
    TableName: 'concord',
    ConditionExpression: 'eventCount = :expected AND #status <> :resolved',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':expected': 1, ':resolved': 'resolved' },
  });
  expect(items[0]!.Put.Item).toMatchObject({ PK: `INC#${ID}`, SK: 'INCIDENT', GSI1PK: 'INCIDENTS', GSI1SK: ID, eventCount: 2, version: 2 });
  expect(items[1]!.Put).toMatchObject({ Item: { PK: `INC#${ID}`, SK: 'EVT#0000000002', type: 'acknowledged' }, ConditionExpression: 'attribute_not_exists(PK)' });
  // A new version takes the commit clock in the same transaction, moving it only forward.
  expect(items[2]!.Put).toEqual({
    TableName: 'concord', Item: { PK: 'COMMITS', SK: 'CLOCK', entity: 'clock', at: T0 },
    ConditionExpression: 'attribute_not_exists(PK) OR #at < :at', ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':at': T0 },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  expect(items[0]!.Put.Item.addedAt).toBe(T0);
  expect(items.slice(3).map((i) => [i.Put.Item.SK, i.Put.Item.GSI1PK])).toEqual([['PART#facebook', 'ORG#facebook#INCIDENTS'], ['PART#fbi', 'ORG#fbi#INCIDENTS']]);
});

it('resolve releases the dedup claim in the same transaction', async () => {
  ddb.onAnyCommand().resolves({});
  await repo.commit(record, resolve(record, { orgId: 'facebook' }, 'done', T0));
  const items = (ddb.call(0).args[0].input as { TransactItems: Array<Record<string, any>> }).TransactItems;
  expect(items.at(-1)!.Delete).toEqual({
    TableName: 'concord',
    Key: { PK: 'DEDUP#facebook#d1', SK: 'DEDUP' },
    ConditionExpression: 'attribute_not_exists(PK) OR incidentId = :id',
    ExpressionAttributeValues: { ':id': ID },
  });
});

it('a failed condition becomes ConcurrentModificationError, throttling a 503', async () => {
  ddb.on(TransactWriteCommand as never).rejectsOnce(cancelled([{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }]));
  await expect(repo.commit(record, acknowledge(record, 'fbi', {}, T0)!)).rejects.toBeInstanceOf(ConcurrentModificationError);
  const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
  ddb.on(GetCommand as never).rejects(throttled);
  await expect(repo.get(ID)).rejects.toBeInstanceOf(BusyError);
});

it('create claims the dedup key and, when it is taken, returns the open incident', async () => {
  ddb.on(TransactWriteCommand as never).rejectsOnce(cancelled([{ Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { incidentId: 'inc_other' } }]));
  const other = report('inc_other', 'facebook', { title: 'o', severity: 'low', category: 'other', dedupKey: 'd1' }, T0).incident;
  ddb.on(GetCommand as never).resolves({ Item: { ...other, links: undefined, details: undefined, linksJson: '[]', detailsJson: '{}', eventCount: 1 } } as never);
  const result = await repo.create(created);
  expect(result).toEqual({ created: false, existing: { incident: other, eventCount: 1, ackCode: null, escalation: null } });
  const items = (ddb.commandCalls(TransactWriteCommand as never)[0]!.args[0].input as { TransactItems: Array<Record<string, any>> }).TransactItems;
  expect(items.at(-1)!.Put).toMatchObject({
    Item: { PK: 'DEDUP#facebook#d1', SK: 'DEDUP', incidentId: ID },
    ConditionExpression: 'attribute_not_exists(PK)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  expect(ddb).toHaveReceivedCommandWith(GetCommand as never, { Key: { PK: 'INC#inc_other', SK: 'INCIDENT' }, ConsistentRead: true } as never);
});

it('a partner\'s list is one Query of its partition on GSI1, newest first, filters in DynamoDB', async () => {
  ddb.on(QueryCommand as never).resolves({ Items: [] } as never);
  await repo.list({ scope: { kind: 'organization', orgId: 'fbi' }, status: 'reported', restrictedVisibleTo: 'fbi', limit: 25 });
  expect(ddb).toHaveReceivedCommandWith(QueryCommand as never, {
    TableName: 'concord',
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :partition',
    FilterExpression: '#status = :status AND (NOT tlp IN (:restricted0, :restricted1) OR contains(participants, :viewer))',
    ExpressionAttributeValues: { ':partition': 'ORG#fbi#INCIDENTS', ':status': 'reported', ':restricted0': 'AMBER+STRICT', ':restricted1': 'RED', ':viewer': 'fbi' },
    ScanIndexForward: false,
  } as never);
  expect(ddb.calls()).toHaveLength(1);
});

it('a timeline page is one Query of the page plus one event, starting after the cursor\'s seq', async () => {
  const event = (seq: number) => eventItem(ID, { ...created.events[0]!, seq });
  ddb.on(QueryCommand as never).resolves({ Items: [event(8), event(9), event(10), event(11)], LastEvaluatedKey: { PK: `INC#${ID}`, SK: 'EVT#0000000011' } } as never);
  const page = await repo.timeline(ID, { limit: 3, afterSeq: 7 });
  expect(ddb.calls()).toHaveLength(1);
  expect(ddb).toHaveReceivedCommandWith(QueryCommand as never, {
    TableName: 'concord',
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': `INC#${ID}`, ':prefix': 'EVT#' },
    ConsistentRead: true,
    Limit: 4,
    ExclusiveStartKey: { PK: `INC#${ID}`, SK: 'EVT#0000000007' },
  } as never);
  expect(page.events.map((e) => e.seq)).toEqual([8, 9, 10]);
  expect(page.lastSeq).toBe(10);

  ddb.reset();
  ddb.on(QueryCommand as never).resolves({ Items: [event(1), event(2)] } as never);
  const last = await repo.timeline(ID, { limit: 100 });
  expect(ddb.call(0).args[0].input).toMatchObject({ Limit: 101 });
  expect((ddb.call(0).args[0].input as { ExclusiveStartKey?: unknown }).ExclusiveStartKey).toBeUndefined();
  expect(last).toEqual({ events: [expect.objectContaining({ seq: 1 }), expect.objectContaining({ seq: 2 })], lastSeq: null });
});

it('a change and its audit entry are one TransactWriteItems: no request writes either alone', async () => {
  ddb.onAnyCommand().resolves({});
  const entry = {
    id: `${T0}#abcdef01-2345`, at: T0, actor: { orgId: 'fbi', by: 'Dana', via: 'api' as const, personId: 'https://idp.example#dana' },
    action: 'acknowledge' as const, incidentId: ID, tlp: 'AMBER' as const, requestId: 'req-1', outcome: 'allowed' as const,
  };
  await repo.create({ ...created, audit: [{ ...entry, action: 'report' as const }] });
  await repo.commit(record, { ...acknowledge(record, 'fbi', {}, T0)!, audit: [entry] });
  expect(ddb.calls().map((c) => c.args[0].constructor.name)).toEqual(['TransactWriteCommand', 'TransactWriteCommand']);
  for (const [call, action] of [[0, 'report'], [1, 'acknowledge']] as const) {
    const items = (ddb.call(call).args[0].input as { TransactItems: Array<Record<string, any>> }).TransactItems;
    const audits = items.filter((i) => String(i.Put?.Item?.PK).startsWith('AUDIT#'));
    expect(audits).toEqual([{ Put: expect.objectContaining({ ConditionExpression: 'attribute_not_exists(PK)', Item: expect.objectContaining({ PK: `AUDIT#${ID}`, action }) }) }]);
    expect(items.some((i) => i.Put?.Item?.SK === 'INCIDENT')).toBe(true);
  }
});

it('a write that loses the commit clock to another takes the clock\'s current time (returned by the cancellation) and a later one', async () => {
  const fresh = new DynamoIncidentRepository(createDocumentClient({ region: 'us-east-1' }), 'concord');
  const later = '2026-11-03T12:00:05.000Z';
  ddb.on(TransactWriteCommand as never)
    .rejectsOnce(cancelled([{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { PK: 'COMMITS', SK: 'CLOCK', at: later } }, { Code: 'None' }, { Code: 'None' }]))
    .resolves({});
  await fresh.commit(record, acknowledge(record, 'fbi', {}, T0)!);
  const calls = ddb.commandCalls(TransactWriteCommand as never).map((c) => (c.args[0].input as { TransactItems: Array<Record<string, any>> }).TransactItems);
  expect(calls).toHaveLength(2);
  expect(calls[1]![2]!.Put).toMatchObject({ Item: { at: '2026-11-03T12:00:05.001Z' }, ConditionExpression: 'attribute_not_exists(PK) OR #at < :at', ExpressionAttributeValues: { ':at': '2026-11-03T12:00:05.001Z' } });
  expect(calls[1]![0]!.Put.Item.addedAt).toBe('2026-11-03T12:00:05.001Z');
  // A failure of the incident's own condition is a lost race for the domain to retry, not the clock's.
  ddb.reset();
  ddb.on(TransactWriteCommand as never).rejects(cancelled([{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }]));
  await expect(fresh.commit(record, acknowledge(record, 'fbi', {}, T0)!)).rejects.toBeInstanceOf(ConcurrentModificationError);
  expect(ddb.commandCalls(TransactWriteCommand as never)).toHaveLength(1);
});

describe('the community entry (#23: GREEN and CLEAR in GET /v1/incidents?scope=community)', () => {
  const green = report(ID, 'facebook', { title: 't', severity: 'high', category: 'ddos', tlp: 'GREEN', participants: ['fbi'] }, T0);
  const greenRecord = { incident: green.incident, eventCount: 1, ackCode: null, escalation: null };
  const sent = () => (ddb.call(0).args[0].input as { TransactItems: Array<Record<string, any>> }).TransactItems;
  const communityWritesOf = (items: Array<Record<string, any>>) => items.filter((i) => (i.Put?.Item ?? i.Delete?.Key)?.SK === 'COMMUNITY');
  /** The same incident as a new version with another label (what a TLP edit commits). */
  const relabelled = (from: typeof greenRecord, tlp: 'AMBER' | 'GREEN' | 'RED' | 'CLEAR') => ({
    incident: { ...from.incident, tlp, version: from.incident.version + 1 },
    events: [{ seq: from.eventCount + 1, type: 'note' as const, at: T0, actor: { orgId: 'facebook', by: null, via: 'api' as const }, data: { text: 'relabelled' } }],
  });

  it('a GREEN report writes it in the same transaction, with the fields lists filter on', async () => {
    ddb.onAnyCommand().resolves({});
    await repo.create(green);
    expect(communityWritesOf(sent())).toEqual([{ Put: { TableName: 'concord', Item: {
      PK: `INC#${ID}`, SK: 'COMMUNITY', GSI1PK: 'COMMUNITY#INCIDENTS', GSI1SK: ID, entity: 'community',
      id: ID, status: 'reported', severity: 'high', tlp: 'GREEN', participants: ['facebook', 'fbi'], reportedAt: T0,
    } } }]);
  });

  it('an AMBER report writes none', async () => {
    ddb.onAnyCommand().resolves({});
    await repo.create(created);
    expect(communityWritesOf(sent())).toEqual([]);
  });

  it('a command on a GREEN incident rewrites it with the new status', async () => {
    ddb.onAnyCommand().resolves({});
    await repo.commit(greenRecord, acknowledge(greenRecord, 'fbi', {}, T0)!);
    expect(communityWritesOf(sent()).map((i) => i.Put.Item.status)).toEqual(['acknowledged']);
  });

  it.each([
    ['GREEN', 'AMBER', [{ Delete: { TableName: 'concord', Key: { PK: `INC#${ID}`, SK: 'COMMUNITY' } } }]],
    ['CLEAR', 'RED', [{ Delete: { TableName: 'concord', Key: { PK: `INC#${ID}`, SK: 'COMMUNITY' } } }]],
    ['AMBER', 'GREEN', [expect.objectContaining({ Put: expect.objectContaining({ Item: expect.objectContaining({ SK: 'COMMUNITY', tlp: 'GREEN' }) }) })]],
    ['GREEN', 'CLEAR', [expect.objectContaining({ Put: expect.objectContaining({ Item: expect.objectContaining({ SK: 'COMMUNITY', tlp: 'CLEAR' }) }) })]],
    ['AMBER', 'RED', []],
  ] as const)('a version write from %s to %s moves it in the same transaction', async (from, to, expected) => {
    ddb.onAnyCommand().resolves({});
    const before = { ...greenRecord, incident: { ...greenRecord.incident, tlp: from } };
    await repo.commit(before, relabelled(before, to));
    expect(ddb.calls()).toHaveLength(1);
    expect(communityWritesOf(sent())).toEqual(expected);
  });

  it('communityWrites states the rule alone: put while GREEN or CLEAR, delete when it narrows, else nothing', () => {
    const at = (tlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED') => ({ ...green.incident, tlp });
    expect(communityWrites('t', null, at('GREEN'))).toHaveLength(1);
    expect(communityWrites('t', null, at('AMBER'))).toEqual([]);
    expect(communityWrites('t', 'GREEN', at('AMBER+STRICT'))).toEqual([{ Delete: { TableName: 't', Key: { PK: `INC#${ID}`, SK: 'COMMUNITY' } } }]);
    expect(communityWrites('t', 'RED', at('AMBER'))).toEqual([]);
  });

  it('the community list is one Query of COMMUNITY#INCIDENTS on GSI1, newest first, then the page\'s incidents', async () => {
    ddb.on(QueryCommand as never).resolves({ Items: [] } as never);
    await repo.list({ scope: { kind: 'community' }, participant: 'fbi', limit: 25 });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand as never, {
      TableName: 'concord',
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :partition',
      FilterExpression: 'contains(participants, :participant)',
      ExpressionAttributeValues: { ':partition': 'COMMUNITY#INCIDENTS', ':participant': 'fbi' },
      ScanIndexForward: false,
    } as never);
  });
});

it('a recorded delivery ends its run\'s claim in the same transaction, only if that run still holds it; without a claimant, no claim is touched', async () => {
  ddb.onAnyCommand().resolves({});
  const notified = { seq: 2, type: 'notified' as const, at: T0, actor: { orgId: 'concord', by: 'notifier', via: 'api' as const }, data: { orgId: 'fbi', about: 1 } };
  const delivery = { incidentId: ID, seq: 1, orgId: 'fbi', status: 'sent' as const };
  await repo.commit(record, { incident: created.incident, events: [notified], deliveries: [{ ...delivery, claimedBy: 'run-a' }] });
  await repo.commit(record, { incident: created.incident, events: [notified], deliveries: [delivery] });
  const [ended, kept] = ddb.commandCalls(TransactWriteCommand as never).map((c) => (c.args[0].input as { TransactItems: Array<Record<string, any>> }).TransactItems);
  expect(ended!.filter((i) => i.Delete)).toEqual([{ Delete: {
    TableName: 'concord', Key: { PK: `CLAIM#${ID}#0000000001#fbi`, SK: 'CLAIM' },
    ConditionExpression: 'attribute_not_exists(PK) OR #owner = :owner', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': 'run-a' },
  } }]);
  // The claimant is not stored on the delivery.
  expect(ended!.find((i) => String(i.Put?.Item?.SK).startsWith('DLV#'))!.Put.Item.claimedBy).toBeUndefined();
  expect(kept!.filter((i) => i.Delete)).toEqual([]);
});
