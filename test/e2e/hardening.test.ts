/**
 * Defects an independent security review found (issue #10), each as the reviewer reproduced it,
 * through the local server. Every test here failed before its fix.
 */
import { hashKey, keyIdOf as keyIdFromKey } from '../../lambdas/domain/api-keys';
import { directoryFiles } from '../../lambdas/wiring/directory-file';
import { keys } from '../../lambdas/wiring/keys';
import { KEYS, TEST_DIRECTORY, report, startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
beforeAll(async () => { api = await startTestApi(); });
afterAll(() => api.stop());

const newIncident = async (overrides: Record<string, unknown> = {}) =>
  (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa'], ...overrides }))).body;

describe('#3 the directory file seeds; the API\'s changes survive a reload', () => {
  it('lists an organization\'s keys for admins — ids, roles, dates, last use — never a secret', async () => {
    await api.call(KEYS.partner.google, 'GET', '/v1/incidents');
    const res = await api.call(KEYS.admin, 'GET', '/v1/organizations/google/keys');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{
      keyId: expect.stringMatching(/^key_[0-9a-f]{24}$/), role: 'partner', createdAt: expect.any(String),
      lastUsedAt: expect.any(String), revokedAt: null,
    }]);
    expect(res.text).not.toContain(KEYS.partner.google);
    expect(res.text).not.toMatch(/hash/);
    expect((await api.call(KEYS.manager.cisa, 'GET', '/v1/organizations/google/keys')).status).toBe(403);
    expect((await api.call(KEYS.admin, 'GET', '/v1/organizations/nobody/keys')).status).toBe(404);
  });

  it('keeps a revoked key revoked and changed contacts changed when the same file is loaded again', async () => {
    const { items } = (await api.call(KEYS.admin, 'GET', '/v1/organizations/twitter/keys')).body;
    expect((await api.call(KEYS.admin, 'DELETE', `/v1/keys/${items[0].keyId}`)).status).toBe(204);
    // Twitter's own admin changes its contacts (another organization's admin may not: see the red-team regressions).
    const twitterAdmin = (await (await keys()).bootstrapKey('twitter', 'admin')).key;
    const contacts = [{ name: 'Night desk', email: 'night@twitter.example' }];
    expect((await api.call(twitterAdmin, 'PUT', '/v1/organizations/twitter', { name: 'TWITTER', kind: 'company', contacts })).status).toBe(200);

    const plan = await (await directoryFiles()).load(TEST_DIRECTORY);
    expect(plan.revokedKeys).toEqual([{ orgId: 'twitter', keyId: items[0].keyId }]);
    expect(plan.changedOrganizations).toEqual(['twitter']);
    expect((await api.call(KEYS.partner.twitter, 'GET', '/v1/incidents')).status).toBe(401);
    const twitter = (await api.call(KEYS.admin, 'GET', '/v1/organizations')).body.items.find((o: { id: string }) => o.id === 'twitter');
    expect(twitter.contacts).toEqual([{ name: 'Night desk', email: 'night@twitter.example', phone: null }]);
    const listed = (await api.call(KEYS.admin, 'GET', '/v1/organizations/twitter/keys')).body.items;
    expect(listed.find((k: { keyId: string }) => k.keyId === items[0].keyId).revokedAt).toEqual(expect.any(String));
  });

  it('revokes a key the file no longer lists, and adds what the file adds', async () => {
    const odni = TEST_DIRECTORY.organizations.find((o) => o.id === 'odni')!;
    const added = 'added-later-odni-partner-key-0123456789';
    const file = {
      organizations: TEST_DIRECTORY.organizations.map((o) => (o.id === 'odni'
        ? { ...odni, keys: [...(odni.keys ?? []).filter((k) => k.role !== 'partner'), { role: 'partner' as const, key: added }] }
        : o)),
    };
    const plan = await (await directoryFiles()).load(file);
    expect(plan.removedKeys.map((k) => k.orgId)).toEqual(['odni']);
    expect(plan.addKeys.map((k) => k.orgId)).toEqual(['odni']);
    expect((await api.call(KEYS.partner.odni, 'GET', '/v1/incidents')).status).toBe(401);
    expect((await api.call(added, 'GET', '/v1/incidents')).status).toBe(200);
    // Loading it once more changes nothing.
    const again = await (await directoryFiles()).load(file);
    expect([again.addKeys, again.removedKeys, again.createOrganizations]).toEqual([[], [], []]);
  });
});

describe('#7 an admin manages organizations, not other organizations\' keys', () => {
  it('refuses an admin minting a key for another organization, and tells the organization of every key made', async () => {
    const before = api.outbox.messages.length;
    const foreign = await api.call(KEYS.admin, 'POST', '/v1/organizations/facebook/keys', { role: 'partner' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.detail).toMatch(/own admin/);
    expect(api.outbox.messages.length).toBe(before);

    const own = await api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/keys', { role: 'partner' });
    expect(own.status).toBe(201);
    const notice = api.outbox.messages.slice(before);
    expect(notice).toEqual([expect.objectContaining({ orgId: 'cisa', incidentId: null })]);
    expect(notice[0]!.email!.body).toContain(own.body.keyId);
    expect(notice[0]!.sms).toContain(own.body.keyId);
    expect(notice[0]!.email!.body).not.toContain(own.body.key);
  });

  it('records the key id of every API actor in the timeline', async () => {
    const incident = await newIncident();
    await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incident.id}/acknowledge`, {});
    await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${incident.id}/assign`, { orgId: 'cisa' });
    await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${incident.id}/notes`, { text: 'n' });
    await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'r' });
    const keyIdOf = async (org: 'facebook' | 'fbi' | 'cisa') => keyIdFromKey(hashKey(KEYS.partner[org]));
    const { events } = (await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}/timeline`)).body;
    const actors = events.filter((e: { actor: { orgId: string } }) => e.actor.orgId !== 'concord').map((e: { type: string; actor: unknown }) => [e.type, e.actor]);
    expect(actors).toEqual([
      ['reported', { orgId: 'facebook', by: null, via: 'api', keyId: await keyIdOf('facebook') }],
      ['acknowledged', { orgId: 'fbi', by: null, via: 'api', keyId: await keyIdOf('fbi') }],
      ['assigned', { orgId: 'cisa', by: null, via: 'api', keyId: await keyIdOf('cisa') }],
      ['note', { orgId: 'cisa', by: null, via: 'api', keyId: await keyIdOf('cisa') }],
      ['resolved', { orgId: 'cisa', by: null, via: 'api', keyId: await keyIdOf('cisa') }],
    ]);
  });
});

describe('#5 details come back exactly as sent', () => {
  const raw = '{"tweetId":1798765432109876543,"huge":1e400,"tiny":-0.000000000000000000000000000001234567890123456789,"__proto__":{"polluted":true},"nested":[1.50,{"id":12345678901234567890123}]}';

  it('keeps every digit, numbers a double cannot hold, and a "__proto__" key, in the read and the list', async () => {
    const body = `{"title":"Exact details","severity":"low","category":"other","dedupKey":"exact-details","details":${raw}}`;
    const created = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', body);
    expect(created.status).toBe(201);
    for (const text of [created.text, (await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${created.body.id}`)).text]) {
      expect(text).toContain('"details":{"tweetId":1798765432109876543,"huge":1e400,"tiny":-0.000000000000000000000000000001234567890123456789,"__proto__":{"polluted":true},"nested":[1.50,{"id":12345678901234567890123}]}');
    }
    const listed = (await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100')).text;
    expect(listed).toContain('"tweetId":1798765432109876543');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps PagerDuty custom_details exactly too', async () => {
    const res = await api.call(null, 'POST', '/v2/enqueue', `{"routing_key":"${KEYS.partner.google}","event_action":"trigger","dedup_key":"exact-pd","payload":{"summary":"s","source":"x","severity":"info","custom_details":{"tweetId":1798765432109876543,"__proto__":1}}}`);
    expect(res.status).toBe(202);
    const listed = (await api.call(KEYS.partner.google, 'GET', '/v1/incidents?limit=100')).text;
    expect(listed).toContain('"details":{"tweetId":1798765432109876543,"__proto__":1');
  });
});

describe('input the contract does not allow', () => {
  it('#8 refuses line breaks and control characters in single-line fields', async () => {
    const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({
      title: 'Polling update\n\nAcknowledge for FBI:\n  Duty: https://evil.example/ack', source: 'a\u0007b', links: [{ href: 'https://x.example', text: 'a\nb' }],
    }));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['links.0.text', 'source', 'title']);
    const ack = await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${(await newIncident()).id}/acknowledge`, { by: 'duty\r\nofficer' });
    expect(ack.status).toBe(400);
  });

  it('#10 answers unknown participants with one error that does not say which ids exist', async () => {
    const one = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['nope-1', 'fbi', 'nope-2'] }));
    const other = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['twitter', 'nope-3'] }));
    expect(one.status).toBe(400);
    expect(one.body.errors).toEqual([{ path: 'participants', message: expect.any(String) }]);
    expect(other.body.errors).toEqual(one.body.errors);
    expect(one.body.detail).toBe(other.body.detail);
    expect(one.text).not.toMatch(/nope|fbi/);
  });

  it('#11 refuses unknown query parameters on every route, and changes nothing', async () => {
    const incident = await newIncident();
    const note = await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incident.id}/notes?dryRun=true`, { text: 'n' });
    expect(note.status).toBe(400);
    expect(note.body.errors).toEqual([{ path: 'dryRun', message: 'unknown field' }]);
    expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${incident.id}?expand=all`)).status).toBe(400);
    expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${incident.id}`)).body.version).toBe(1);
  });

  it('#12 wants a visible character: zero-width titles and blank PagerDuty summaries are refused', async () => {
    const zw = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ title: '\u200b\u200d\u2060\ufeff' }));
    expect(zw.status).toBe(400);
    expect(zw.body.errors).toEqual([{ path: 'title', message: expect.stringMatching(/visible/) }]);
    const pd = await api.call(null, 'POST', '/v2/enqueue', { routing_key: KEYS.partner.google, event_action: 'trigger', payload: { summary: '   ', source: 'x', severity: 'info' } });
    expect(pd.status).toBe(400);
    expect(pd.body.errors).toEqual([expect.stringMatching(/^payload\.summary/)]);
  });

  it('#13 refuses bodies declared in a charset other than UTF-8', async () => {
    const before = (await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100')).body.items.length;
    const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report(), { 'content-type': 'application/json; charset=iso-8859-1' });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ dedupKey: 'utf8-ok' }), { 'content-type': 'application/json; charset="UTF-8"' })).status).toBe(201);
    expect((await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100')).body.items.length).toBe(before + 1);
  });

  it('#16 reserves the system actor\'s id "concord"', async () => {
    const res = await api.call(KEYS.admin, 'PUT', '/v1/organizations/concord', { name: 'Impostor', kind: 'company', contacts: [] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'id', message: expect.stringMatching(/reserved/) }]);
  });

  it('#18 takes defaults on partner keys only, and an Events API client no longer than `by`', async () => {
    const res = await api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/keys', { role: 'manager', defaults: { tlp: 'GREEN' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'defaults', message: expect.stringMatching(/partner/) }]);
    const pd = await api.call(null, 'POST', '/v2/enqueue', { routing_key: KEYS.partner.google, event_action: 'acknowledge', dedup_key: 'x', client: 'c'.repeat(255) });
    expect(pd.status).toBe(400);
    expect(pd.body.errors).toEqual([expect.stringMatching(/^client/)]);
  });
});

describe('what a red team found in the hardened build', () => {
  it('refuses an admin replacing another organization that holds keys (its contacts would get its RED notifications)', async () => {
    const before = (await api.call(KEYS.admin, 'GET', '/v1/organizations')).body.items.find((o: { id: string }) => o.id === 'fbi');
    const res = await api.call(KEYS.admin, 'PUT', '/v1/organizations/fbi', { name: 'FBI', kind: 'agency', contacts: [{ name: 'attacker', email: 'attacker@evil.example', phone: '+12025559999' }] });
    expect(res.status).toBe(403);
    const after = (await api.call(KEYS.admin, 'GET', '/v1/organizations')).body.items.find((o: { id: string }) => o.id === 'fbi');
    expect(after).toEqual(before);
    // Its own organization, and one not yet onboarded (no keys), an admin may replace.
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/new-county', { name: 'New County', kind: 'agency' })).status).toBe(201);
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/new-county', { name: 'New County Elections', kind: 'agency' })).status).toBe(200);
  });

  it('answers query parameters named like Object.prototype members as unknown parameters, not a 500', async () => {
    for (const path of ['/health?__proto__=1', '/v1/incidents?constructor=x', '/v1/incidents?hasOwnProperty=1&toString=2']) {
      const res = await api.call(KEYS.partner.fbi, 'GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
    }
    const pd = await api.call(null, 'POST', '/v2/enqueue?__proto__=1', { routing_key: KEYS.partner.google, event_action: 'resolve', dedup_key: 'x' });
    expect(pd.status).toBe(400);
    expect(pd.body).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors: ['query.__proto__: unknown parameter'] });
  });

  it('refuses bodies that are not valid UTF-8 (415) instead of replacing bytes', async () => {
    for (const bytes of [Buffer.from('{"title":"a \xff\xfe b","severity":"low","category":"other"}', 'latin1'), Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])]) {
      const res = await fetch(`${api.url}/v1/incidents`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.partner.google}`, 'content-type': 'application/json' }, body: bytes });
      expect(res.status).toBe(415);
    }
  });

  it('refuses a body on a route that takes none, and changes nothing', async () => {
    const issued = (await api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/keys', { role: 'partner' })).body;
    const res = await api.call(KEYS.admin, 'DELETE', `/v1/keys/${issued.keyId}`, { bogus: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body', message: expect.any(String) }]);
    expect((await api.call(issued.key, 'GET', '/v1/incidents')).status).toBe(200);
  });

  it('wants a visible character: unassigned, private-use and noncharacter code points do not count', async () => {
    for (const title of ['\u0378', '\uFFFE\uFFFF', '\uE000', '\u{10FFFF}']) {
      const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ title }));
      expect({ title, status: res.status }).toEqual({ title, status: 400 });
    }
  });

  it('keeps details\' key order (integer-like keys included), refuses a key sent twice, and keeps PagerDuty custom_details exactly', async () => {
    const ordered = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', '{"title":"order","severity":"low","category":"other","details":{"1":1,"0":0,"b":1,"a":{"4294967295":1,"4294967294":2}}}');
    expect(ordered.status).toBe(201);
    expect(ordered.text).toContain('"details":{"1":1,"0":0,"b":1,"a":{"4294967295":1,"4294967294":2}}');
    expect((await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${ordered.body.id}`)).text).toContain('"details":{"1":1,"0":0,"b":1,"a":{"4294967295":1,"4294967294":2}}');
    const twice = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', '{"title":"dup","severity":"low","category":"other","details":{"a":1,"b":2,"a":3}}');
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([{ path: 'details.a', message: 'duplicate key' }]);

    const pd = (custom: string, dedup: string) => api.call(null, 'POST', '/v2/enqueue', `{"routing_key":"${KEYS.partner.google}","event_action":"trigger","dedup_key":"${dedup}","client":"grafana","payload":{"summary":"s","source":"x","severity":"info","custom_details":${custom}}}`);
    expect((await pd('12345678901234567890', 'pd-number')).status).toBe(202);
    expect((await pd('{"pagerduty":"mine","x":1}', 'pd-own-key')).status).toBe(202);
    const listed = (await api.call(KEYS.partner.google, 'GET', '/v1/incidents?limit=100')).text;
    expect(listed).toContain('"details":{"custom_details":12345678901234567890,"pagerduty":{"client":"grafana"}}');
    expect(listed).toContain('"details":{"pagerduty":"mine","x":1,"concord_pagerduty":{"client":"grafana"}}');
  });
});
