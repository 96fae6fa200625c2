/**
 * Stream → notifier → publish against DynamoDB Local, with faults injected: throttling, a topic
 * that fails for good, a crash mid-batch and a redelivered batch. Every command succeeds; every
 * organization gets each message exactly once, or has a notification_failed that a replay
 * delivers once.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDeliveryLog } from '../../lambdas/adapters/dynamodb/delivery-log';
import { adapters } from '../../lambdas/wiring/adapters';
import { eventItem } from '../../lambdas/adapters/dynamodb/incident-items';
import type { TimelineEvent } from '../../lambdas/domain/incident';
import { handler as notify } from '../../lambdas/handlers/notify-from-stream';
import { FaultyPublisher } from '../support/faulty-publisher';
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';

/** A stream batch exactly as Lambda delivers it, for the given timeline events. */
const batch = (incidentId: string, events: TimelineEvent[]): DynamoDBStreamEvent => ({
  Records: events.map((e, i) => ({
    eventID: `${e.seq}`, eventName: 'INSERT', eventSource: 'aws:dynamodb', awsRegion: 'us-east-1',
    dynamodb: { NewImage: marshall(eventItem(incidentId, e), { removeUndefinedValues: true }) as never, SequenceNumber: String(1000 + i), StreamViewType: 'NEW_AND_OLD_IMAGES' },
  })),
});

describe('through the stream poller, as npm start runs it', () => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi({ notifications: true }); });
  afterAll(() => api.stop());

  const messagesAbout = (id: string) => api.outbox.messages.filter((m) => m.incidentId === id);

  it('a report notifies every participant once; an acknowledgement the others; the timeline records each', async () => {
    const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa'] }));
    const first = await eventually(() => messagesAbout(incident.id).length === 3 && messagesAbout(incident.id));
    expect(first.map((m) => m.orgId).sort()).toEqual(['cisa', 'facebook', 'fbi']);
    expect(first[0]!.sms).toMatch(/^CRITICAL TLP:AMBER .* Reply ACK \d{4}$/);

    await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incident.id}/acknowledge`, {});
    const all = await eventually(() => messagesAbout(incident.id).length === 5 && messagesAbout(incident.id));
    expect(all.slice(3).map((m) => m.orgId).sort()).toEqual(['cisa', 'facebook']);

    const { body: { events } } = await eventually(async () => {
      const res = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}/timeline`);
      return res.body.events.filter((e: { type: string }) => e.type === 'notified').length === 5 && res;
    });
    expect(events.map((e: { seq: number }) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
    expect((await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}`)).body.version).toBe(2);
  });

  it('sends nothing about a RED incident outside its participants, and never to the acting organization', async () => {
    const { body: incident } = await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['twitter'] }));
    await api.call(KEYS.partner.twitter, 'POST', `/v1/incidents/${incident.id}/notes`, { text: 'seen it' });
    await eventually(() => messagesAbout(incident.id).length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(messagesAbout(incident.id).map((m) => m.orgId).sort()).toEqual(['google', 'google', 'twitter']);
    // …and only to each participant's contacts cleared for RED, on its second topic.
    expect(messagesAbout(incident.id).map((m) => m.topic).sort()).toEqual(['google_red', 'google_red', 'twitter_red']);
  });

  it('sends RED to cleared contacts only: a participant without one gets notification_failed saying so, and nothing', async () => {
    const { body: incident } = await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['odni'] }));
    const { body: { events } } = await eventually(async () => {
      const res = await api.call(KEYS.partner.google, 'GET', `/v1/incidents/${incident.id}/timeline`);
      return res.body.events.length === 3 && res;
    });
    const failed = events.find((e: TimelineEvent) => e.type === 'notification_failed');
    expect(failed.data).toMatchObject({ orgId: 'odni', about: 1, reason: expect.stringMatching(/no contact cleared for TLP:RED/) });
    expect(messagesAbout(incident.id).map((m) => [m.orgId, m.topic])).toEqual([['google', 'google_red']]);
    // ODNI sees why it heard nothing.
    const seen = await api.call(KEYS.partner.odni, 'GET', `/v1/incidents/${incident.id}/timeline`);
    expect(seen.body.events.map((e: TimelineEvent) => e.type)).toContain('notification_failed');
    // AMBER reaches ODNI's whole topic as before.
    const { body: amber } = await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ tlp: 'AMBER', participants: ['odni'] }));
    await eventually(() => messagesAbout(amber.id).length === 2);
    expect(messagesAbout(amber.id).map((m) => m.topic).sort()).toEqual(['google', 'odni']);
  });

  it('M4: an organization with an empty roles map does not stop notifications', async () => {
    const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', {
      name: 'CISA', kind: 'agency', contacts: [], identity: [{ issuer: 'http://127.0.0.1:9', audience: 'c', rolesClaim: 'r', roles: {} }],
    });
    expect(put.status).toBe(200);
    const created = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'] }));
    await eventually(() => api.outbox.messages.some((m) => m.incidentId === created.body.id), 8000);
  });
});

describe('faults', () => {
  let api: TestApi;
  const publisher = new FaultyPublisher();
  beforeAll(async () => { api = await startTestApi({ overrides: { publisher, pause: async () => {} } }); });
  afterAll(() => api.stop());

  async function reported(participants: string[]) {
    const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants }));
    expect(res.status).toBe(201);
    const { body: { events } } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${res.body.id}/timeline`);
    return { id: res.body.id as string, events: events as TimelineEvent[] };
  }
  const timelineTypes = async (id: string) => (await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/timeline`)).body.events.map((e: TimelineEvent) => `${e.type}${e.data.orgId ? `:${e.data.orgId}` : ''}`);

  beforeEach(() => {
    publisher.calls = 0;
    publisher.throttled.clear();
    publisher.broken.clear();
    publisher.crashOnCall = null;
    publisher.delayMs = 0;
    publisher.held.clear();
    publisher.onSent = null;
  });

  it('#27: one incident\'s slow pages hold up no other incident\'s in the batch; each incident\'s events stay in order', async () => {
    const slow = await reported(['fbi']);
    const quick = await reported(['cisa']);
    expect((await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${quick.id}/acknowledge`, {})).status).toBe(200);
    const quickEvents = (await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${quick.id}/timeline`)).body.events as TimelineEvent[];
    // One batch: the slow incident's report first, then the quick one's report and acknowledgement.
    const records = [...batch(slow.id, slow.events).Records, ...batch(quick.id, quickEvents).Records]
      .map((r, i) => ({ ...r, dynamodb: { ...r.dynamodb, SequenceNumber: String(2000 + i) } }));
    // The slow incident's publishes wait until the quick one's three messages are out (or 3 s, if
    // they never come: in order they would come only after the slow ones).
    const before = publisher.sent.length;
    publisher.held.set(slow.id, new Promise<void>((release) => {
      const timer = setTimeout(release, 3000);
      publisher.onSent = () => { if (publisher.sent.filter((x) => x.incidentId === quick.id).length === 3) { clearTimeout(timer); release(); } };
    }));
    expect(await notify({ Records: records })).toEqual({ batchItemFailures: [] });
    const order = publisher.sent.slice(before).map((x) => (x.incidentId === slow.id ? 'slow' : 'quick'));
    expect(order).toEqual(['quick', 'quick', 'quick', 'slow', 'slow']);
    expect(publisher.countsFor(quick.id)).toEqual({ facebook: 2, cisa: 1 });
    expect(publisher.countsFor(slow.id)).toEqual({ facebook: 1, fbi: 1 });
    // The quick incident's own events in their order: its report before its acknowledgement.
    const toFacebook = publisher.sent.filter((x) => x.incidentId === quick.id && x.orgId === 'facebook').map((x) => x.message.email.subject);
    expect(toFacebook[0]).not.toMatch(/acknowledged/i);
    expect(toFacebook[1]).toMatch(/acknowledged/i);
  });

  it('retries throttling; what outlasts the retries is recorded and a replay delivers it once', async () => {
    const { id, events } = await reported(['fbi', 'cisa']);
    // Publishes run in parallel, so throttling is per topic: Facebook's exhausts its 4 attempts; CISA's succeeds on its 2nd.
    publisher.throttled.set('facebook', 4);
    publisher.throttled.set('cisa', 1);
    expect(await notify(batch(id, events))).toEqual({ batchItemFailures: [] });
    expect(publisher.countsFor(id)).toEqual({ fbi: 1, cisa: 1 });
    expect(await timelineTypes(id)).toEqual(['reported', 'notification_failed:facebook', 'notified:fbi', 'notified:cisa']);

    const replay = await api.call(KEYS.admin, 'POST', '/v1/notifications/replay', {});
    expect(replay.body).toEqual({ replayed: 1, failed: 0 });
    expect((await api.call(KEYS.admin, 'POST', '/v1/notifications/replay')).body).toEqual({ replayed: 0, failed: 0 });
    expect(publisher.countsFor(id)).toEqual({ facebook: 1, fbi: 1, cisa: 1 });
    expect((await timelineTypes(id)).at(-1)).toBe('notified:facebook');
  });

  it('a topic that fails for good fails only its own deliveries; the command is unaffected', async () => {
    publisher.broken.add('cisa');
    const { id, events } = await reported(['fbi', 'cisa']);
    await notify(batch(id, events));
    const ack = await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${id}/acknowledge`, {});
    expect(ack.status).toBe(200);
    expect(publisher.countsFor(id)).toEqual({ facebook: 1, fbi: 1 });
    expect(await timelineTypes(id)).toContain('notification_failed:cisa');

    expect((await api.call(KEYS.admin, 'POST', '/v1/notifications/replay')).body).toEqual({ replayed: 0, failed: 1 });
    publisher.broken.clear();
    expect((await api.call(KEYS.admin, 'POST', '/v1/notifications/replay')).body).toEqual({ replayed: 1, failed: 0 });
    expect(publisher.countsFor(id)).toEqual({ facebook: 1, fbi: 1, cisa: 1 });
  });

  it('a crash mid-batch is retried from the failed record; a redelivered batch sends nothing twice', async () => {
    const { id, events } = await reported(['fbi', 'cisa', 'google']);
    publisher.crashOnCall = 3;
    const first = await notify(batch(id, events));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '1000' }]);
    // Publishes run in parallel: the three that did not crash were sent once each, and recorded.
    const afterCrash = publisher.countsFor(id);
    expect(Object.values(afterCrash)).toEqual([1, 1, 1]);
    expect((await timelineTypes(id)).filter((t: string) => t.startsWith('notified'))).toHaveLength(3);
    expect(await notify(batch(id, events))).toEqual({ batchItemFailures: [] });
    expect(await notify(batch(id, events))).toEqual({ batchItemFailures: [] });
    expect(publisher.countsFor(id)).toEqual({ facebook: 1, fbi: 1, cisa: 1, google: 1 });
    const types = await timelineTypes(id);
    expect(types.filter((t: string) => t.startsWith('notified'))).toHaveLength(4);
  });

  it('#22-6: any number of concurrent replays and stream retries publish a failed delivery once (each claims it first)', async () => {
    const { id, events } = await reported(['fbi', 'cisa']);
    publisher.throttled.set('facebook', 4);
    await notify(batch(id, events));
    expect(publisher.countsFor(id)).toEqual({ fbi: 1, cisa: 1 });
    // Every replay sees the failed delivery before any of them has recorded it sent.
    publisher.delayMs = 150;
    const replays = await Promise.all(Array.from({ length: 6 }, () => api.call(KEYS.admin, 'POST', '/v1/notifications/replay', {})));
    expect(replays.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(publisher.countsFor(id)).toEqual({ facebook: 1, fbi: 1, cisa: 1 });
    expect(replays.reduce((n, r) => n + r.body.replayed, 0)).toBe(1);
    expect((await timelineTypes(id)).filter((t: string) => t === 'notified:facebook')).toHaveLength(1);
  });

  it('#22-6: concurrent stream deliveries of one event publish each message once', async () => {
    const { id, events } = await reported(['fbi', 'cisa', 'google']);
    publisher.delayMs = 150;
    const runs = await Promise.all(Array.from({ length: 4 }, () => notify(batch(id, events))));
    // A run that found a delivery claimed by another asks the stream to retry it; the retry sends nothing twice.
    for (const run of runs) if (run.batchItemFailures.length) expect(await notify(batch(id, events))).toEqual({ batchItemFailures: [] });
    expect(publisher.countsFor(id)).toEqual({ facebook: 1, fbi: 1, cisa: 1, google: 1 });
    expect((await timelineTypes(id)).filter((t: string) => t.startsWith('notified'))).toHaveLength(4);
  });

  it('#22-6: a crashed claimer\'s lease expires, and the delivery is sent by a later run', async () => {
    const { id, events } = await reported(['fbi']);
    // A run that claimed Facebook's delivery and died before publishing: its lease runs 1.5 s.
    const log = new DynamoDeliveryLog(adapters().db, api.tableName);
    expect(await log.claimAll([{ incidentId: id, seq: events[0]!.seq, orgId: 'facebook' }], 'crashed-run', new Date(), 1500)).toEqual(new Map([['facebook', 'claimed']]));
    const first = await notify(batch(id, events));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '1000' }]);
    expect(publisher.countsFor(id)).toEqual({ fbi: 1 });
    await new Promise((r) => setTimeout(r, 1600));
    // Whether the stream retries it or, after the stream gave up, a replay finds the abandoned claim: sent once.
    expect((await api.call(KEYS.admin, 'POST', '/v1/notifications/replay', {})).body).toEqual({ replayed: 1, failed: 0 });
    expect(await notify(batch(id, events))).toEqual({ batchItemFailures: [] });
    expect((await api.call(KEYS.admin, 'POST', '/v1/notifications/replay', {})).body).toEqual({ replayed: 0, failed: 0 });
    expect(publisher.countsFor(id)).toEqual({ facebook: 1, fbi: 1 });
    expect((await timelineTypes(id)).filter((t: string) => t === 'notified:facebook')).toHaveLength(1);
  });

  it('ignores its own notified events and other items on the stream', async () => {
    const { id, events } = await reported(['fbi']);
    await notify(batch(id, events));
    const { body: { events: all } } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/timeline`);
    const before = publisher.sent.length;
    await notify(batch(id, all.filter((e: TimelineEvent) => e.type === 'notified')));
    expect(publisher.sent.length).toBe(before);
  });

  it('review s12: a resolution that only looks like a duplicate\'s (an id no incident can have) is never read as a key: its notice goes out, with the notices read together with it, and the incident still reads', async () => {
    // What the duplicate command writes names a real id (inc_ and a ULID); a participant may type
    // anything up to 5,000 characters. DynamoDB refuses a key over 2,048 bytes: read as a key, the
    // text failed the notice for good (the stream retried it forever), every notice whose incidents
    // were read in the same gathered BatchGetItem, and every read of the incident (a 500).
    const resolved = await reported(['fbi']);
    const other = await reported(['cisa']);
    const resolve = await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${resolved.id}/resolve`, { resolution: `Duplicate of inc_${'A'.repeat(3000)}` });
    // Read from the table: the API's reads of this incident are what failed.
    const { incidentRepository } = adapters();
    const resolvedEvent = [(await incidentRepository.event(resolved.id, (await incidentRepository.get(resolved.id))!.eventCount))!];
    expect(resolvedEvent[0]!.type).toBe('resolved');
    const records = [...batch(other.id, other.events).Records, ...batch(resolved.id, resolvedEvent).Records]
      .map((r, i) => ({ ...r, dynamodb: { ...r.dynamodb, SequenceNumber: String(4000 + i) } }));
    expect(await notify({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(publisher.countsFor(resolved.id)).toEqual({ fbi: 1 });
    expect(publisher.countsFor(other.id)).toEqual({ facebook: 1, cisa: 1 });
    expect(resolve.status).toBe(200);
    const read = await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${resolved.id}`);
    expect(read.status).toBe(200);
    expect(read.body.resolution).toBe(`Duplicate of inc_${'A'.repeat(3000)}`);
  });
});

describe('#27: the requests one notice makes', () => {
  let api: TestApi;
  const publisher = new FaultyPublisher();
  /** Each request as it is sent and as it is answered: `GetItem` and `/GetItem`. */
  const requests: string[] = [];
  beforeAll(async () => {
    api = await startTestApi({ overrides: { publisher, onDynamoDbClient: (client) => client.middlewareStack.add((next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '');
      requests.push(name);
      try {
        return await next(args);
      } finally {
        requests.push(`/${name}`);
      }
    }, { step: 'initialize', name: 'count-requests' }) } });
  });
  afterAll(() => api.stop());

  it('a report to three organizations: the incident read once; one write claiming every delivery (checking none is recorded) sent with the reads of the organizations and their policies; one write recording them all and ending the claims', async () => {
    const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa', 'google'] }));
    const { body: { events } } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${res.body.id}/timeline`);
    requests.length = 0;
    // The notifier's pages only (the chat phase reads for itself: no organization here has a channel).
    const { notifications } = await import('../../lambdas/wiring/notifications');
    const { notifier } = await notifications();
    expect(await notifier.notify(res.body.id, events[0])).toEqual({ facebook: 'sent', fbi: 'sent', cisa: 'sent', google: 'sent' });
    // Before: the statuses were read before and after claiming and again before recording (three
    // BatchGetItem), the incident twice, and the claims let go in a transaction of their own.
    // Now: the incident; the claims, the organizations and their escalation policies at once (the
    // first message waits for one round trip after the incident, not three); the record.
    expect(requests.slice(0, 2)).toEqual(['GetItem', '/GetItem']);
    expect(requests.slice(2, 5).sort()).toEqual(['BatchGetItem', 'BatchGetItem', 'TransactWriteItems']);
    expect(requests.slice(5, 8).sort()).toEqual(['/BatchGetItem', '/BatchGetItem', '/TransactWriteItems']);
    expect(requests.slice(8)).toEqual(['TransactWriteItems', '/TransactWriteItems']);
    // Every claim ended with its record: a replay finds nothing held.
    expect((await api.call(KEYS.admin, 'POST', '/v1/notifications/replay', {})).body).toEqual({ replayed: 0, failed: 0 });
    expect(publisher.countsFor(res.body.id)).toEqual({ facebook: 1, fbi: 1, cisa: 1, google: 1 });
  });

  it('notices at the same time: the first reads its incident alone, those asking meanwhile read theirs in one BatchGetItem, as get reads them', async () => {
    const reported = [];
    for (let i = 0; i < 3; i++) {
      const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'] }));
      const { body: { events } } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${res.body.id}/timeline`);
      reported.push({ id: res.body.id as string, event: events[0] as TimelineEvent });
    }
    const { incidentRepository } = adapters();
    const records = await incidentRepository.getRecords([reported[1]!.id, reported[2]!.id, 'inc_01ARZ3NDEKTSV4RRFFQ69G5FAV']);
    expect(records.sort((a, b) => (a.incident.id < b.incident.id ? -1 : 1))).toEqual([await incidentRepository.get(reported[1]!.id), await incidentRepository.get(reported[2]!.id)]);
    const { notifications } = await import('../../lambdas/wiring/notifications');
    const { notifier } = await notifications();
    requests.length = 0;
    const outcomes = await Promise.all(reported.map((r) => notifier.notify(r.id, r.event)));
    expect(outcomes).toEqual([{ facebook: 'sent', fbi: 'sent' }, { facebook: 'sent', fbi: 'sent' }, { facebook: 'sent', fbi: 'sent' }]);
    // The three incidents: one GetItem, then, once it answered, one BatchGetItem for the other two
    // (the organizations' reads are BatchGetItem too).
    expect(requests.filter((r) => r === 'GetItem')).toHaveLength(1);
    expect(requests.slice(0, 3)).toEqual(['GetItem', '/GetItem', 'BatchGetItem']);
    for (const r of reported) expect(publisher.countsFor(r.id)).toEqual({ facebook: 1, fbi: 1 });
  });
});
