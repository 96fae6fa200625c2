/**
 * What a red team found in people, audit and TAXII, each as it was reproduced (every test here
 * failed before its fix): org-claim hijack through a shared issuer, take-over by revoking then
 * replacing, a stream poisoned by an empty map, TAXII posts widening TLP, restricted reads that left
 * no audit entry, endpoint URLs shown to managers, and names from tokens.
 */
import { directoryFiles } from '../../lambdas/wiring/directory-file';
import { KEYS, TEST_DIRECTORY, eventually, report, startTestApi, type TestApi } from '../support/harness';
import { startTestIssuer, trustIssuer, type TestIssuer } from '../support/test-issuer';

let api: TestApi;
let shared: TestIssuer;
beforeAll(async () => {
  api = await startTestApi({ notifications: true });
  shared = await startTestIssuer();
  await trustIssuer(TEST_DIRECTORY, shared.issuer); // every organization trusts one shared issuer, org claim "org"
});
afterAll(async () => { await api.stop(); await shared.stop(); });

/** The trail without its own readings (reading the trail is recorded too, as action `audit`). */
const trail = async (id: string) => ((await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/audit`)).body.items as Array<{ action: string; actor: { orgId: string; by: string | null } }>)
  .filter((e) => e.action !== 'audit');

describe('H1: a shared issuer', () => {
  it('refuses a trust that reads the organization from another claim than the others', async () => {
    // CISA's admin, on CISA's own entry (another organization's it may not give an issuer at all).
    const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', {
      name: 'CISA', kind: 'agency', contacts: [], identity: [{ issuer: shared.issuer, audience: 'concord', orgClaim: 'name' }],
    });
    expect(put.status).toBe(400);
    expect(put.body.errors).toEqual([{ path: 'identity.0.orgClaim', message: expect.stringMatching(/must be "org"/) }]);
  });

  it('never lets a person act for an organization its token does not name in that organization\'s own claim', async () => {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'], title: 'FBI-only RED' }));
    // A Google person whose display name is "fbi" acts for Google, and sees nothing of FBI's.
    const mallory = await shared.token('google', 'mallory', { name: 'fbi' });
    const read = await api.call(mallory, 'GET', `/v1/incidents/${red.id}`);
    expect(read.status).toBe(404);
    expect(read.text).not.toContain('FBI-only RED');
    // Everyone else of the shared issuer still signs in.
    expect((await api.call(await shared.token('fbi', 'frank'), 'GET', '/v1/incidents')).status).toBe(200);
  });
});

it('H2: another admin cannot take over an organization by revoking its keys and then replacing its entry', async () => {
  const own = await startTestIssuer();
  try {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['twitter'], title: 'Twitter-only RED' }));
    const takeover = { name: 'TWITTER', kind: 'company', contacts: [{ name: 'Mallory', email: 'mallory@evil.example', red: true }], identity: [{ issuer: own.issuer, audience: 'concord' }] };
    const keys = await api.call(KEYS.admin, 'GET', '/v1/organizations/twitter/keys');
    for (const k of keys.body.items) expect((await api.call(KEYS.admin, 'DELETE', `/v1/keys/${k.keyId}`)).status).toBe(204);
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/twitter', takeover)).status).toBe(403);
    expect((await api.call(await own.token('twitter', 'mallory'), 'GET', `/v1/incidents/${red.id}`)).status).toBe(401);
  } finally {
    await own.stop();
  }
});

it('H2 (cont.): an admin may still fix an organization it created, until that organization holds keys or signs people in', async () => {
  const county = { name: 'Pinal County', kind: 'agency', contacts: [] };
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/pinal', county)).status).toBe(201);
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/pinal', { ...county, name: 'Pinal County Elections' })).status).toBe(200);
  await api.services.directory.putOrganization('pinal', { ...county, kind: 'agency', identity: [{ issuer: shared.issuer, audience: 'concord' }] });
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/pinal', county)).status).toBe(403);
});

it('M4: an organization with an empty roles map does not stop notifications', async () => {
  const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', {
    name: 'CISA', kind: 'agency', contacts: [], identity: [{ issuer: 'http://127.0.0.1:9', audience: 'c', rolesClaim: 'r', roles: {} }],
  });
  expect(put.status).toBe(200);
  const created = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'] }));
  await eventually(() => api.outbox.messages.some((m) => m.incidentId === created.body.id), 8000);
});

describe('M1: TAXII posts never widen TLP', () => {
  const COLLECTION = '/taxii2/concord/collections/79ebe5b3-398a-562e-92b3-055424a22702/objects/';
  const TLP_RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1';
  const post = (objects: unknown[]) => api.call(KEYS.partner.facebook, 'POST', COLLECTION, JSON.stringify({ objects }), { 'content-type': 'application/taxii+json;version=2.1' });

  it.each([
    ['granular markings', { granular_markings: [{ marking_ref: TLP_RED, selectors: ['name', 'description'] }] }, /granular_markings are not supported/],
    ['a marking Concord cannot interpret', { object_marking_refs: ['marking-definition--9a9a9a9a-1111-4111-8111-111111111111'] }, /cannot interpret/],
  ])('refuses an incident with %s, and stores nothing', async (_name, marking, reason) => {
    const title = `marked title ${Math.random().toString(36).slice(2)}`;
    const res = await post([{ type: 'incident', spec_version: '2.1', id: `incident--${crypto.randomUUID()}`, name: title, x_concord_participants: ['fbi'], ...marking }]);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ success_count: 0, failure_count: 1, failures: [{ message: expect.stringMatching(reason) }] });
    expect((await api.call(KEYS.manager.cisa, 'GET', '/v1/incidents?limit=100')).text).not.toContain(title);
    expect((await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100')).text).not.toContain(title);
  });
});

describe('M2: every answer carrying a restricted incident is audited', () => {
  it('a repeated acknowledgement', async () => {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'] }));
    await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${red.id}/acknowledge`, {});
    const before = (await trail(red.id)).length;
    expect((await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${red.id}/acknowledge`, {})).body.title).toBe(red.title);
    expect((await trail(red.id)).slice(before).map((e) => [e.action, e.actor.orgId])).toEqual([['read', 'fbi']]);
  });

  it('a duplicate report answered with the existing incident', async () => {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'], dedupKey: `rt-dup-${Date.now()}` }));
    const before = (await trail(red.id)).length;
    const dup = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ dedupKey: red.dedupKey }));
    expect(dup.body.id).toBe(red.id);
    expect((await trail(red.id)).slice(before).map((e) => e.action)).toEqual(['read']);
  });

  it('the emailed acknowledgement page, by the contact whose link it is', async () => {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'] }));
    const message = await eventually(() => api.outbox.messages.find((m) => m.incidentId === red.id && m.orgId === 'fbi'));
    const link = /https?:\/\/\S+\/v1\/ack\/\S+/.exec(message.email!.body)![0];
    const page = await fetch(`${api.url}${new URL(link).pathname}`);
    expect(page.status).toBe(200);
    const reads = (await trail(red.id)).filter((e) => e.action === 'read');
    expect(reads.map((e) => [e.actor.orgId, e.actor.by])).toEqual([['fbi', 'fbi duty']]);
  });
});

it('L8: managers see organizations without their push endpoints; admins see them', async () => {
  await api.services.directory.putOrganization('odni', { name: 'ODNI', kind: 'agency', contacts: [], endpoints: [{ url: 'https://siem.odni.example/in?token=s3cret', red: false }] });
  const manager = await api.call(KEYS.manager.cisa, 'GET', '/v1/organizations');
  expect(manager.text).not.toContain('s3cret');
  const admin = await api.call(KEYS.admin, 'GET', '/v1/organizations');
  expect(admin.text).toContain('s3cret');
});

it('L6, L7: names from tokens lose control and direction-override characters; "unknown" is no organization id', async () => {
  const token = await shared.token('fbi', 'eve', { name: 'Eve\r\nAdmin \u202Eevil\u0007' });
  const { body: incident } = await api.call(token, 'POST', '/v1/incidents', report({}));
  expect(incident.id).toBeDefined();
  const { body: { events } } = await api.call(token, 'GET', `/v1/incidents/${incident.id}/timeline`);
  expect(events[0].actor.by).toBe('Eve Admin evil');
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/unknown', { name: 'x', kind: 'agency', contacts: [] })).status).toBe(400);
});

describe('second round', () => {
  it('HIGH-1: an admin may not give another organization an identity provider, and onboarding replaces what another admin prepared', async () => {
    const evil = await startTestIssuer();
    try {
      const squat = { name: 'National Security Agency', kind: 'agency', contacts: [{ name: 'nsa duty (really cisa)', email: 'watch@cisa.example', red: true }] };
      expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/nsa', { ...squat, identity: [{ issuer: evil.issuer, audience: 'concord' }] })).status).toBe(403);
      expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/nsa', { ...squat, endpoints: [{ url: 'https://cisa.example/in' }] })).status).toBe(403);
      expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/nsa', squat)).status).toBe(201);
      // The operator onboards NSA from a file: its version replaces the one CISA's admin made.
      const loader = await directoryFiles();
      const nsa = { id: 'nsa', name: 'National Security Agency', kind: 'agency' as const, contacts: [{ name: 'NSA duty', email: 'duty@nsa.example', red: true }] };
      // (The file lists the others too, or loading it would revoke their keys.)
      const file = { organizations: [...TEST_DIRECTORY.organizations, nsa] };
      const plan = await loader.plan(file);
      expect(plan.reclaimedOrganizations).toEqual(['nsa']);
      await loader.apply(file, plan, 'start');
      const stored = (await api.call(KEYS.admin, 'GET', '/v1/organizations')).body.items.find((o: { id: string }) => o.id === 'nsa');
      expect(stored.contacts).toEqual([{ name: 'NSA duty', email: 'duty@nsa.example', phone: null, red: true }]);
      expect(stored.createdBy).toBeUndefined();
      // Now the operator's: CISA's admin may no longer change it.
      expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/nsa', squat)).status).toBe(403);
    } finally {
      await evil.stop();
    }
  });

  it('MEDIUM-1: a phone not cleared for RED neither acknowledges a RED incident by SMS nor learns its title', async () => {
    const { body: red } = await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ title: 'RED secret title', tlp: 'RED', participants: ['odni'] }));
    const message = await eventually(() => api.outbox.messages.find((m) => m.incidentId === red.id && m.topic === 'google_red'));
    const code = /ACK (\d+)/.exec(message.sms)![1];
    // ODNI's only phone (+12025550005) is not cleared.
    const reply = await api.call(null, 'POST', '/local/sms', { originationNumber: '+12025550005', messageBody: `ACK ${code}` });
    expect(JSON.stringify(reply.body)).not.toContain('RED secret title');
    expect((await api.call(KEYS.partner.google, 'GET', `/v1/incidents/${red.id}`)).body.acknowledgements).toEqual([]);
  });

  it('MEDIUM-3: answers are never stored by a browser cache', async () => {
    const res = await fetch(`${api.url}/v1/incidents`, { headers: { authorization: `Bearer ${KEYS.partner.fbi}` } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('MEDIUM-3: neither are STIX exports and TAXII answers, which carry the same incidents', async () => {
    const { body: red } = await api.call(KEYS.partner.fbi, 'POST', '/v1/incidents', report({ title: 'RED kept out of caches', tlp: 'RED' }));
    const taxii = { authorization: `Bearer ${KEYS.partner.fbi}`, accept: 'application/taxii+json;version=2.1' };
    const { collections } = await (await fetch(`${api.url}/taxii2/concord/collections/`, { headers: taxii })).json();
    const answers = await Promise.all([
      fetch(`${api.url}/v1/incidents/${red.id}/stix`, { headers: { authorization: `Bearer ${KEYS.partner.fbi}` } }),
      fetch(`${api.url}/taxii2/`, { headers: taxii }),
      fetch(`${api.url}/taxii2/concord/collections/${collections[0].id}/objects/`, { headers: taxii }),
      fetch(`${api.url}/taxii2/concord/collections/${collections[0].id}/manifest/`, { headers: taxii }),
      fetch(`${api.url}/taxii2/concord/collections/nope/objects/`, { headers: taxii }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 404]);
    for (const answer of answers) {
      expect([answer.url, answer.headers.get('cache-control'), answer.headers.get('x-content-type-options')])
        .toEqual([answer.url, 'no-store', 'nosniff']);
    }
  });

  it('MEDIUM-4: the local server answers only to loopback names (no DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((done, fail) => {
      const req = request(`${api.url}/local/outbox`, { headers: { host: 'attacker.example:80' } }, (res) => { res.resume(); done(res.statusCode!); });
      req.on('error', fail);
      req.end();
    });
    expect(status).toBe(421);
    expect((await fetch(`${api.url}/local/outbox`)).status).toBe(200);
  });
});
