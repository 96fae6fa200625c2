/**
 * #25 over DynamoDB Local, with the stream's consumers running as under `npm start`: observables
 * given in any spelling are stored canonically; two organizations reporting the same domain are told
 * of each other exactly where TLP allows (a `correlated` event, an email, never an SMS), the related
 * view and the lookup answer strictly what the caller may see, and a RED incident's observables tell
 * no one outside it that a match exists.
 */
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
const DOMAIN = 'polls-closed.example';
const ids: Record<string, string> = {};
/** Every `correlated` event of the incident's timeline as `key` reads it (every page). */
async function correlatedOn(key: string, id: string) {
  const events: Array<{ type: string; at: string; data: Record<string, unknown> }> = [];
  for (let cursor: string | null = null, pages = 0; pages < 20; pages++) {
    const page: { events: typeof events; nextCursor: string | null } = (await api.call(key, 'GET', `/v1/incidents/${id}/timeline?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
    events.push(...page.events);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return events.filter((e) => e.type === 'correlated');
}

beforeAll(async () => {
  api = await startTestApi({ notifications: true, correlation: true });
  // Facebook's AMBER incident, with the FBI.
  const fb = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'AMBER', participants: ['fbi'], title: 'Accounts push a fake "polls closed" site', observables: [{ type: 'domain-name', value: 'Polls-Closed.EXAMPLE.' }, { type: 'user-account', value: '@PollsNow', platform: 'Twitter' }] }));
  expect(fb.status).toBe(201);
  ids.facebook = fb.body.id;
  // Twitter's, a day later, with the FBI and Facebook: every participant of Facebook's may see it; not the other way round.
  const tw = await api.call(KEYS.partner.twitter, 'POST', '/v1/incidents', report({ tlp: 'AMBER', participants: ['fbi', 'facebook'], title: 'Same domain from our side', observables: [{ type: 'url', value: 'HTTPS://polls-closed.example:443/where#now' }] }));
  expect(tw.status).toBe(201);
  ids.twitter = tw.body.id;
  // Google's RED incident with the same domain: nobody outside it may learn of any match.
  const red = await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ tlp: 'RED', title: 'RED: same domain', observables: [{ type: 'domain-name', value: DOMAIN }] }));
  expect(red.status).toBe(201);
  ids.red = red.body.id;
}, 60_000);
afterAll(() => api.stop());

it('answers observables in canonical form', async () => {
  const res = await api.call(KEYS.partner.twitter, 'GET', `/v1/incidents/${ids.twitter}`);
  expect(res.body.observables).toEqual([{ type: 'url', value: 'https://polls-closed.example/where' }]);
  const fb = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${ids.facebook}`);
  expect(fb.body.observables).toEqual([{ type: 'domain-name', value: DOMAIN }, { type: 'user-account', value: 'pollsnow', platform: 'twitter' }]);
});

it('adds observables as a participant: a new version; the same again is a no-op; invalid ones are a 400 listing each', async () => {
  const add = await api.call(KEYS.partner.twitter, 'POST', `/v1/incidents/${ids.twitter}/observables`, { observables: [{ type: 'domain-name', value: 'POLLS-CLOSED.example' }] });
  expect(add.status).toBe(200);
  expect(add.body.version).toBe(2);
  const again = await api.call(KEYS.partner.twitter, 'POST', `/v1/incidents/${ids.twitter}/observables`, { observables: [{ type: 'domain-name', value: 'polls-closed.example.' }] });
  expect([again.status, again.body.version]).toEqual([200, 2]);
  const bad = await api.call(KEYS.partner.twitter, 'POST', `/v1/incidents/${ids.twitter}/observables`, { observables: [{ type: 'ipv4-addr', value: '010.0.0.1' }, { type: 'domain-name', value: 'ok.example' }, { type: 'file', value: 'xyz' }, { type: 'domain-name', value: 'evil\u202Egoogle.com' }] });
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toBe('application/problem+json');
  expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['observables.0.value', 'observables.2.value', 'observables.3.value']);
  expect((await api.call(KEYS.partner.twitter, 'GET', `/v1/incidents/${ids.twitter}`)).body.version).toBe(2);
  // The FBI participates; Google may not see it (404); nobody outside may add.
  expect((await api.call(KEYS.partner.google, 'POST', `/v1/incidents/${ids.twitter}/observables`, { observables: [{ type: 'domain-name', value: 'x.example' }] })).status).toBe(404);
});

it('tells Facebook\'s incident of Twitter\'s (every participant may see it), and not the other way round', async () => {
  const events = await eventually(async () => { const e = await correlatedOn(KEYS.partner.facebook, ids.facebook!); return e.length ? e : null; });
  expect(events).toHaveLength(1);
  expect(events[0]!.data).toMatchObject({ incidentId: ids.twitter, observables: [{ type: 'domain-name', value: DOMAIN }] });
  // Twitter's side was judged in the same run, before: nothing (Twitter may not see Facebook's).
  expect(await correlatedOn(KEYS.partner.twitter, ids.twitter!)).toEqual([]);
  // Google's RED incident: its participant may not see either AMBER incident, and nobody else may see it.
  expect(await correlatedOn(KEYS.partner.google, ids.red!)).toEqual([]);
  // Facebook and the FBI are told by email and the app, never by SMS; Twitter and Google never.
  const told = await eventually(() => { const m = api.outbox.messages.filter((x) => x.incidentId === ids.facebook && /Same observables/.test(x.email?.subject ?? '')); return m.length >= 2 ? m : null; });
  expect(told.map((m) => m.orgId).sort()).toEqual(['facebook', 'fbi']);
  expect(told.every((m) => m.sms === '')).toBe(true);
  expect(api.outbox.messages.filter((m) => /Same observables/.test(m.email?.subject ?? '') && m.incidentId !== ids.facebook)).toEqual([]);
  expect(JSON.stringify(api.outbox.messages.filter((m) => m.orgId !== 'google'))).not.toContain(ids.red);
});

it('answers related incidents strictly as the caller may see them', async () => {
  await eventually(async () => (await correlatedOn(KEYS.partner.facebook, ids.facebook!)).length > 0);
  const related = async (key: string, id: string) => (await api.call(key, 'GET', `/v1/incidents/${id}/related`));
  const fbi = await related(KEYS.partner.fbi, ids.facebook!);
  expect(fbi.status).toBe(200);
  expect(fbi.body).toEqual({ items: [{ incident: expect.objectContaining({ id: ids.twitter, tlp: 'AMBER', participants: ['twitter', 'fbi', 'facebook'] }), shared: [{ type: 'domain-name', value: DOMAIN }] }], nextCursor: null });
  // Twitter may not see Facebook's incident: its related view of its own is empty; of Facebook's, 404.
  expect((await related(KEYS.partner.twitter, ids.twitter!)).body.items).toEqual([]);
  expect((await related(KEYS.partner.twitter, ids.facebook!)).status).toBe(404);
  // A manager sees both AMBER incidents, never the RED one.
  const manager = await related(KEYS.manager.cisa, ids.twitter!);
  expect(manager.body.items.map((i: { incident: { id: string } }) => i.incident.id)).toEqual([ids.facebook]);
  expect((await related(KEYS.partner.google, ids.red!)).body.items).toEqual([]);
});

it('looks an observable up in any spelling: the incidents the caller may see; RED hits are audited as reads', async () => {
  const lookup = async (key: string, query: string) => api.call(key, 'GET', `/v1/observables?${query}`);
  const fb = await lookup(KEYS.partner.facebook, 'type=domain-name&value=POLLS-CLOSED.Example.');
  expect(fb.status).toBe(200);
  expect(fb.body.observable).toEqual({ type: 'domain-name', value: DOMAIN });
  expect(fb.body.items.map((i: { id: string }) => i.id)).toEqual([ids.twitter, ids.facebook]);
  expect(Object.keys(fb.body.items[0]).sort()).toEqual(['id', 'participants', 'reportedAt', 'severity', 'status', 'title', 'tlp']);
  const google = await lookup(KEYS.partner.google, `type=domain-name&value=${DOMAIN}`);
  expect(google.body.items.map((i: { id: string }) => i.id)).toEqual([ids.red]);
  const odni = await lookup(KEYS.manager.odni, `type=domain-name&value=${DOMAIN}`);
  expect(odni.body.items.map((i: { id: string }) => i.id)).toEqual([ids.twitter, ids.facebook]);
  const cisa = await lookup(KEYS.partner.cisa, `type=user-account&value=@PollsNow&platform=twitter`);
  expect(cisa.body.items).toEqual([]);
  const audit = await api.call(KEYS.partner.google, 'GET', `/v1/incidents/${ids.red}/audit`);
  expect(audit.body.items.some((e: { action: string; actor: { orgId: string } }) => e.action === 'lookup' && e.actor.orgId === 'google')).toBe(true);
  const bad = await lookup(KEYS.partner.facebook, 'type=ipv4-addr&value=1.2.3.04');
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'value' })]);
  expect((await lookup(KEYS.partner.facebook, 'type=user-account&value=x')).status).toBe(400);
  expect((await lookup(KEYS.admin, `type=domain-name&value=${DOMAIN}`)).status).toBe(403);
});

it('tells a report of many matches in writes of 45 matches each (DynamoDB takes 100 items a transaction)', async () => {
  // 47 earlier incidents, each carrying one of the new report's 47 domains: they match it, not each
  // other, so the stream's work stays linear and the new report alone has 47 matches to be told of.
  const values = Array.from({ length: 47 }, (_, i) => `popular-${i}.example`);
  for (const [i, value] of values.entries()) {
    const res = await api.call(KEYS.partner.twitter, 'POST', '/v1/incidents', report({ tlp: 'GREEN', title: `Popular ${i}`, observables: [{ type: 'domain-name', value }] }));
    expect(res.status).toBe(201);
  }
  // Let the stream index every one of them before the report that matches them all.
  for (const value of values) {
    await eventually(async () => (await api.call(KEYS.partner.facebook, 'GET', `/v1/observables?type=domain-name&value=${value}`)).body.items.length === 1, 120_000);
  }
  const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'GREEN', title: 'Popular, from Facebook', observables: values.map((value) => ({ type: 'domain-name', value })) }));
  expect(res.status).toBe(201);
  const id = res.body.id as string;
  const events = await eventually(async () => { const e = await correlatedOn(KEYS.partner.facebook, id); return e.length >= 47 ? e : null; }, 120_000);
  expect(new Set(events.map((e) => e.data.incidentId)).size).toBe(47);
  // Told in two writes (45 and 2), each one event per match.
  expect(events).toHaveLength(47);
  expect(new Set(events.map((e) => e.at)).size).toBeLessThanOrEqual(2);
}, 300_000);
