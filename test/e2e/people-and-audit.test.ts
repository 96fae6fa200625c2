/**
 * People and the audit trail through the local server: a person's actions are attributed to them,
 * every step is in the trail, reads of restricted incidents are recorded before they are answered,
 * a non-participant's attempt is recorded without a trace of the incident, and a change never
 * exists without its entry (fault injection on the one transaction that writes both).
 */
import { throttling } from '../support/faults';
import { KEYS, TEST_DIRECTORY, report, startTestApi, type TestApi } from '../support/harness';
import { startTestIssuer, trustIssuer, type TestIssuer } from '../support/test-issuer';

let api: TestApi;
let idp: TestIssuer;
/** The next matching DynamoDB commands fail as a throttled table would. */
const dynamo = throttling();

let frank: string; // a responder at the FBI
let gina: string; // a responder at Google
beforeAll(async () => {
  api = await startTestApi({ overrides: { onDynamoDbClient: dynamo.inject } });
  idp = await startTestIssuer();
  await trustIssuer(TEST_DIRECTORY, idp.issuer);
  frank = await idp.token('fbi', 'frank', { name: 'Frank Agent' });
  gina = await idp.token('google', 'gina');
});
afterAll(async () => { await api.stop(); await idp.stop(); });
afterEach(() => dynamo.reset());

type Entry = { at: string; actor: { orgId: string; by: string | null; personId?: string; keyId?: string }; action: string; incidentId?: string; tlp?: string; outcome: string; requestId: string; detail?: string };
const trailOf = async (id: string, credential = KEYS.partner.facebook): Promise<Entry[]> => (await api.call(credential, 'GET', `/v1/incidents/${id}/audit`)).body.items;

it('a person reports, acknowledges, assigns, notes and resolves; the timeline and the trail name them at every step', async () => {
  const created = await api.call(frank, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['facebook'] }));
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const personId = `${idp.issuer}#frank`;
  expect((await api.call(frank, 'POST', `/v1/incidents/${id}/acknowledge`, {})).body.acknowledgements[0]).toMatchObject({ orgId: 'fbi', by: 'Frank Agent' });
  expect((await api.call(frank, 'POST', `/v1/incidents/${id}/assign`, { orgId: 'fbi', responder: 'Frank Agent' })).status).toBe(200);
  expect((await api.call(frank, 'POST', `/v1/incidents/${id}/notes`, { text: 'contained' })).status).toBe(201);
  expect((await api.call(frank, 'POST', `/v1/incidents/${id}/resolve`, { resolution: 'taken down' })).status).toBe(200);

  const { body: { events } } = await api.call(frank, 'GET', `/v1/incidents/${id}/timeline`);
  const people = events.filter((e: { actor: { orgId: string } }) => e.actor.orgId === 'fbi');
  expect(people.map((e: { type: string }) => e.type)).toEqual(['reported', 'acknowledged', 'assigned', 'note', 'resolved']);
  for (const e of people) expect(e.actor).toEqual({ orgId: 'fbi', by: 'Frank Agent', via: 'api', personId });

  const trail = await trailOf(id);
  const changes = trail.filter((e) => e.actor.personId === personId && ['report', 'acknowledge', 'assign', 'note', 'resolve'].includes(e.action));
  expect(changes.map((e) => e.action)).toEqual(['report', 'acknowledge', 'assign', 'note', 'resolve']);
  for (const e of changes) expect(e).toMatchObject({ incidentId: id, tlp: 'RED', outcome: 'allowed', requestId: expect.any(String) });
  // The timeline read just above is in the trail too.
  expect(trail.some((e) => e.action === 'timeline' && e.actor.personId === personId)).toBe(true);
});

it('a person may not type their own name (400), and nothing changes', async () => {
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'] }));
  const res = await api.call(frank, 'POST', `/v1/incidents/${incident.id}/acknowledge`, { by: 'someone else' });
  expect(res.status).toBe(400);
  expect(res.body.errors).toEqual([{ path: 'by', message: expect.stringMatching(/may not type it/) }]);
  expect((await api.call(frank, 'GET', `/v1/incidents/${incident.id}`)).body.version).toBe(1);
  // Systems with API keys keep `by` as before.
  expect((await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incident.id}/acknowledge`, { by: 'duty officer' })).body.acknowledgements[0].by).toBe('duty officer');
});

it('records every read of a restricted incident, by systems and people, list items included', async () => {
  const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'AMBER+STRICT', participants: ['fbi'] }));
  await api.call(frank, 'GET', `/v1/incidents/${red.id}`);
  await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${red.id}/timeline`);
  await api.call(frank, 'GET', '/v1/incidents?limit=100');
  const reads = (await trailOf(red.id)).filter((e) => e.outcome === 'allowed' && e.action !== 'report');
  expect(reads.map((e) => [e.action, e.actor.personId ? 'person' : 'key'])).toEqual([['read', 'person'], ['timeline', 'key'], ['list', 'person']]);
  // AMBER is not restricted: its reads are not recorded.
  const { body: amber } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'AMBER', participants: ['fbi'] }));
  await api.call(frank, 'GET', `/v1/incidents/${amber.id}`);
  expect((await trailOf(amber.id)).map((e) => e.action)).toEqual(['report']);
});

it('records exports and TAXII reads of restricted incidents as such', async () => {
  const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'] }));
  expect((await api.call(frank, 'GET', `/v1/incidents/${red.id}/stix`)).status).toBe(200);
  const taxii = await api.call(frank, 'GET', '/taxii2/concord/collections/79ebe5b3-398a-562e-92b3-055424a22702/objects/', undefined, { accept: 'application/taxii+json;version=2.1' });
  expect(taxii.status).toBe(200);
  const actions = (await trailOf(red.id)).filter((e) => e.actor.personId).map((e) => e.action);
  expect(actions).toEqual(expect.arrayContaining(['export', 'taxii']));
});

it('answers 503 rather than serve a restricted read it could not record', async () => {
  const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'] }));
  dynamo.failNext(100, 'TransactWrite');
  const refused = await api.call(frank, 'GET', `/v1/incidents/${red.id}`);
  expect(refused.status).toBe(503);
  expect(refused.text).not.toContain(red.title);
  expect((await api.call(frank, 'GET', '/v1/incidents?limit=100')).status).toBe(503);
  dynamo.reset();
  expect((await api.call(frank, 'GET', `/v1/incidents/${red.id}`)).status).toBe(200);
});

it('records a refused command on a restricted incident (its 409 tells the current status), and refuses it unrecorded with 503', async () => {
  const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'] }));
  expect((await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${red.id}/resolve`, { resolution: 'done' })).status).toBe(200);
  const conflict = await api.call(frank, 'POST', `/v1/incidents/${red.id}/resolve`, { resolution: 'again' });
  expect([conflict.status, conflict.body.currentStatus]).toEqual([409, 'resolved']);
  const refused = (await trailOf(red.id)).filter((e) => e.outcome === 'denied');
  expect(refused).toMatchObject([{ action: 'resolve', actor: { orgId: 'fbi', by: 'Frank Agent' }, incidentId: red.id, tlp: 'RED' }]);
  dynamo.failNext(100, 'TransactWrite');
  expect((await api.call(frank, 'POST', `/v1/incidents/${red.id}/assign`, { orgId: 'fbi' })).status).toBe(503);
  dynamo.reset();
});

it('records a non-participant\'s attempt as a denied read, with nothing of the incident in what they can see', async () => {
  const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', title: 'Secret title 7d1f', participants: ['fbi'] }));
  const from = new Date(Date.now() - 1000).toISOString();
  expect((await api.call(gina, 'GET', `/v1/incidents/${red.id}`)).status).toBe(404);
  // The participants see who tried.
  const attempt = (await trailOf(red.id)).find((e) => e.outcome === 'denied')!;
  expect(attempt).toMatchObject({ action: 'read', incidentId: red.id, actor: { orgId: 'google', personId: `${idp.issuer}#gina` } });
  expect(attempt.tlp).toBeUndefined();
  // An admin outside the incident (CISA's) sees no trace of it, not even the id asked for: the
  // attempt counts in the day's summary of Google's requests, as one for a missing id would.
  const { body: page } = await api.call(KEYS.admin, 'GET', `/v1/audit?from=${from}&orgId=google&action=read`);
  expect(page.items.filter((e: Entry) => e.incidentId === red.id)).toEqual([]);
  expect(JSON.stringify(page)).not.toMatch(new RegExp(`Secret title|RED|${red.id}`));
  // Google's people may not read the incident's trail either (404, like the incident).
  expect((await api.call(gina, 'GET', `/v1/incidents/${red.id}/audit`)).status).toBe(404);
});

it('shows an admin outside a restricted incident\'s participants that someone acted, never on what', async () => {
  const from = new Date(Date.now() - 1000).toISOString();
  const { body: red } = await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['twitter'] }));
  const { body: page } = await api.call(KEYS.admin, 'GET', `/v1/audit?from=${from}&orgId=google&action=report`);
  // #22-5: not one by one (its time and key would tell of it); the day's summary comes once the day is over (below).
  expect(page.items).toEqual([]);
  expect(JSON.stringify(page)).not.toContain(red.id);
});

it('writes a change and its entry in one transaction: if it fails, neither exists', async () => {
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'] }));
  // Reading the trail is recorded (action audit): compare everything else.
  const changes = async () => (await trailOf(incident.id)).filter((e) => e.action !== 'audit');
  const before = await changes();
  dynamo.failNext(1, 'TransactWrite');
  expect((await api.call(frank, 'POST', `/v1/incidents/${incident.id}/notes`, { text: 'lost' })).status).toBe(503);
  expect(await changes()).toEqual(before);
  expect((await api.call(frank, 'GET', `/v1/incidents/${incident.id}/timeline`)).body.events.some((e: { type: string }) => e.type === 'note')).toBe(false);
});

it('records refused credentials (never the credential) and admin actions', async () => {
  const from = new Date(Date.now() - 1000).toISOString();
  const forged = (await idp.token('fbi', 'mallory')).replace(/.{6}$/, 'AAAAAA');
  expect((await api.call(forged, 'GET', '/v1/incidents')).status).toBe(401);
  expect((await api.call('wrong-key-0123456789abcdefghij', 'GET', '/v1/incidents')).status).toBe(401);
  expect((await api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/keys', { role: 'partner' })).status).toBe(201);
  expect((await api.call(KEYS.admin, 'POST', '/v1/organizations/fbi/keys', { role: 'partner' })).status).toBe(403);

  const { body: refusals } = await api.call(KEYS.admin, 'GET', `/v1/audit?from=${from}&action=authenticate`);
  expect(refusals.items.map((e: Entry) => [e.outcome, e.actor.orgId])).toEqual([['denied', 'unknown'], ['denied', 'unknown']]);
  expect(refusals.items[0].detail).toMatch(/signature/);
  expect(JSON.stringify(refusals)).not.toContain('wrong-key-0123456789abcdefghij');
  expect(JSON.stringify(refusals)).not.toContain(forged.slice(0, 40));

  const { body: keys } = await api.call(KEYS.admin, 'GET', `/v1/audit?from=${from}&action=key.create`);
  // A refused action is one entry, `denied`, saying why: never `allowed` first.
  expect(keys.items.map((e: Entry) => [e.outcome, e.detail?.replace(/:.*/, '')])).toEqual([
    ['allowed', 'partner key for organization cisa'],
    ['denied', 'partner key for organization fbi'],
  ]);
  expect(keys.items[1].detail).toMatch(/own admin/);
  const squat = { name: 'Not yours', kind: 'agency', contacts: [] };
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/fbi', squat)).status).toBe(403);
  expect((await api.call(KEYS.admin, 'DELETE', '/v1/keys/key_000000000000000000000000')).status).toBe(404);
  const { body: others } = await api.call(KEYS.admin, 'GET', `/v1/audit?from=${from}`);
  expect(others.items.filter((e: Entry) => ['organization.put', 'key.revoke'].includes(e.action)).map((e: Entry) => [e.action, e.outcome]))
    .toEqual([['organization.put', 'denied'], ['key.revoke', 'denied']]);
});

it('pages an admin\'s window with signed cursors, oldest first, and refuses bad windows', async () => {
  const from = new Date(Date.now() - 1000).toISOString();
  for (let i = 0; i < 5; i++) await api.call(KEYS.partner.fbi, 'POST', '/v1/incidents', report({}));
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { items: Entry[]; nextCursor: string | null } } = await api.call(KEYS.admin, 'GET', `/v1/audit?from=${from}&orgId=fbi&action=report&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    seen.push(...res.body.items.map((e) => e.at));
    cursor = res.body.nextCursor;
  } while (cursor);
  expect(seen).toHaveLength(5);
  expect([...seen].sort()).toEqual(seen);
  expect((await api.call(KEYS.admin, 'GET', `/v1/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`)).status).toBe(400);
  expect((await api.call(KEYS.admin, 'GET', `/v1/audit?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`)).status).toBe(400);
  expect((await api.call(KEYS.admin, 'GET', `/v1/audit?action=delete-everything`)).status).toBe(400);
  expect((await api.call(KEYS.manager.cisa, 'GET', '/v1/audit')).status).toBe(403);
  expect((await api.call(frank, 'GET', '/v1/audit')).status).toBe(403);
});

it('#22-6: reading an incident\'s audit trail is itself recorded (action audit); 4xx answers record no read', async () => {
  const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'] }));
  const { body: green } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['fbi'] }));
  expect((await api.call(frank, 'GET', `/v1/incidents/${red.id}/audit`)).status).toBe(200);
  expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${green.id}/audit`)).status).toBe(200);
  // Reads by others than Facebook (whose key reads the trail here, and is recorded as it reads).
  const reads = (id: string) => trailOf(id).then((t) => t.filter((e) => e.action === 'audit' && e.actor.orgId !== 'facebook'));
  const redReads = await reads(red.id);
  expect(redReads).toMatchObject([{ actor: { orgId: 'fbi', personId: `${idp.issuer}#frank` }, incidentId: red.id, tlp: 'RED', outcome: 'allowed' }]);
  expect(await reads(green.id)).toMatchObject([{ actor: { orgId: 'fbi' }, incidentId: green.id, outcome: 'allowed' }]);
  // Facebook's own reading is there once it has read.
  expect((await trailOf(green.id)).filter((e) => e.action === 'audit' && e.actor.orgId === 'facebook').length).toBeGreaterThanOrEqual(1);
  // 4xx: a non-participant (404 or 403), a bad cursor, a bad limit: no read is recorded.
  expect((await api.call(gina, 'GET', `/v1/incidents/${red.id}/audit`)).status).toBe(404);
  // #23: Google may read the GREEN incident (the community's), so its trail is 403, not 404.
  expect((await api.call(gina, 'GET', `/v1/incidents/${green.id}/audit`)).status).toBe(403);
  expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${green.id}/audit?cursor=not-a-cursor`)).status).toBe(400);
  expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${green.id}/audit?limit=0`)).status).toBe(400);
  expect((await reads(green.id)).filter((e) => e.outcome === 'allowed')).toHaveLength(1);
  expect((await reads(red.id)).filter((e) => e.actor.orgId === 'google' && e.outcome === 'allowed')).toEqual([]);
});

/** An incident's audit trail, without the entries of its own readings (reading the trail is recorded too, as action `audit`). */
const auditTrail = async (id: string) => ((await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/audit`)).body.items as Array<{ action: string; actor: { orgId: string; by: string | null } }>)
  .filter((e) => e.action !== 'audit');

describe('H1: a shared issuer', () => {
  it('refuses a trust that reads the organization from another claim than the others', async () => {
    // CISA's admin, on CISA's own entry (another organization's it may not give an issuer at all).
    const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', {
      name: 'CISA', kind: 'agency', contacts: [], identity: [{ issuer: idp.issuer, audience: 'concord', orgClaim: 'name' }],
    });
    expect(put.status).toBe(400);
    expect(put.body.errors).toEqual([{ path: 'identity.0.orgClaim', message: expect.stringMatching(/must be "org"/) }]);
  });

  it('never lets a person act for an organization its token does not name in that organization\'s own claim', async () => {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'], title: 'FBI-only RED' }));
    // A Google person whose display name is "fbi" acts for Google, and sees nothing of FBI's.
    const mallory = await idp.token('google', 'mallory', { name: 'fbi' });
    const read = await api.call(mallory, 'GET', `/v1/incidents/${red.id}`);
    expect(read.status).toBe(404);
    expect(read.text).not.toContain('FBI-only RED');
    // Everyone else of the shared issuer still signs in.
    expect((await api.call(await idp.token('fbi', 'frank'), 'GET', '/v1/incidents')).status).toBe(200);
  });
});


describe('M2: every answer carrying a restricted incident is audited', () => {
  it('a repeated acknowledgement', async () => {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'] }));
    await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${red.id}/acknowledge`, {});
    const before = (await auditTrail(red.id)).length;
    expect((await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${red.id}/acknowledge`, {})).body.title).toBe(red.title);
    expect((await auditTrail(red.id)).slice(before).map((e) => [e.action, e.actor.orgId])).toEqual([['read', 'fbi']]);
  });


  it('a duplicate report answered with the existing incident', async () => {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'], dedupKey: `rt-dup-${Date.now()}` }));
    const before = (await auditTrail(red.id)).length;
    const dup = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ dedupKey: red.dedupKey }));
    expect(dup.body.id).toBe(red.id);
    expect((await auditTrail(red.id)).slice(before).map((e) => e.action)).toEqual(['read']);
  });

});

it('L6, L7: names from tokens lose control and direction-override characters; "unknown" is no organization id', async () => {
  const token = await idp.token('fbi', 'eve', { name: 'Eve\r\nAdmin \u202Eevil\u0007' });
  const { body: incident } = await api.call(token, 'POST', '/v1/incidents', report({}));
  expect(incident.id).toBeDefined();
  const { body: { events } } = await api.call(token, 'GET', `/v1/incidents/${incident.id}/timeline`);
  expect(events[0].actor.by).toBe('Eve Admin evil');
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/unknown', { name: 'x', kind: 'agency', contacts: [] })).status).toBe(400);
});
