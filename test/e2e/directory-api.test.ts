/** Organizations and API keys through the admin endpoints. */
import { keys } from '../../lambdas/wiring/keys';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';
import { startTestIssuer } from '../support/test-issuer';

let api: TestApi;
beforeAll(async () => { api = await startTestApi(); });
afterAll(() => api.stop());

const county = { name: 'Maricopa County Elections', kind: 'agency' as const, contacts: [{ name: 'Clerk', email: 'clerk@maricopa.example', phone: '+16025550100' }] };

it('creates an organization with 201, replaces it with 200, and lists it without secrets', async () => {
  const created = await api.call(KEYS.admin, 'PUT', '/v1/organizations/maricopa', county);
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ id: 'maricopa', name: county.name, kind: 'agency', contacts: [{ name: 'Clerk', email: 'clerk@maricopa.example', phone: '+16025550100' }] });
  const same = await api.call(KEYS.admin, 'PUT', '/v1/organizations/maricopa', county);
  expect(same.status).toBe(200);
  expect(same.body).toEqual(created.body);
  const renamed = await api.call(KEYS.admin, 'PUT', '/v1/organizations/maricopa', { ...county, name: 'Maricopa County' });
  expect(renamed.body).toMatchObject({ name: 'Maricopa County', createdAt: created.body.createdAt });
  const list = await api.call(KEYS.manager.cisa, 'GET', '/v1/organizations');
  expect(list.body.items.map((o: { id: string }) => o.id)).toContain('maricopa');
  expect(list.text).not.toMatch(/hash|test-.*-key/);
});

it('validates organizations: id, kind, E.164 phones, unknown fields', async () => {
  const res = await api.call(KEYS.admin, 'PUT', '/v1/organizations/Bad_Id', { name: 'x', kind: 'ngo', contacts: [{ name: 'a', phone: '555-1234' }], extra: 1 });
  expect(res.status).toBe(400);
  expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['contacts.0.phone', 'extra', 'kind']);
  const badId = await api.call(KEYS.admin, 'PUT', '/v1/organizations/Bad_Id', county);
  expect(badId.status).toBe(400);
  expect(badId.body.errors).toEqual([{ path: 'id', message: expect.any(String) }]);
});

it('names the issuers that sign its people in, and contacts cleared for RED; people of that issuer then act for it', async () => {
  const issuer = await startTestIssuer();
  try {
    const identity = [{ issuer: issuer.issuer, audience: 'concord', rolesClaim: 'groups', roles: { 'concord-managers': 'manager' } }];
    const body = { ...county, contacts: [...county.contacts, { name: 'Cleared clerk', email: 'cleared@pima.example', red: true }], identity };
    // Only an organization's own admin (or the operator) names its identity providers: the operator
    // onboards Pima with an admin key, and Pima's admin does it.
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/pima', body)).status).toBe(403);
    await api.services.directory.putOrganization('pima', county);
    const pimaAdmin = (await (await keys()).bootstrapKey('pima', 'admin')).key;
    const created = await api.call(pimaAdmin, 'PUT', '/v1/organizations/pima', body);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ identity, contacts: [{ name: 'Clerk' }, { name: 'Cleared clerk', red: true }] });
    expect(created.body.contacts[0]).not.toHaveProperty('red');
    const token = await issuer.token('pima', 'paula');
    const reported = await api.call(token, 'POST', '/v1/incidents', report({}));
    expect(reported.status).toBe(201);
    expect(reported.body.reporter.orgId).toBe('pima');
    // Now onboarded, only its own admin or the operator may change it; dropping the issuer stops its people at once.
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/pima', { ...body, identity: [] })).status).toBe(403);
    await api.services.directory.putOrganization('pima', { ...body, identity: [] });
    const after = await api.call(token, 'GET', '/v1/incidents');
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/No organization trusts/);
  } finally {
    await issuer.stop();
  }
});

it('refuses another organization\'s admin replacing an organization whose people sign in, though it holds no keys', async () => {
  const theirs = await startTestIssuer();
  const attacker = await startTestIssuer();
  try {
    // Onboarded by the operator: people only, no keys.
    await api.services.directory.putOrganization('yavapai', { ...county, identity: [{ issuer: theirs.issuer, audience: 'concord' }] });
    const person = await theirs.token('yavapai', 'yolanda');
    const { body: red } = await api.call(person, 'POST', '/v1/incidents', report({ tlp: 'RED' }));
    // CISA's admin swaps in an issuer it controls…
    const swap = await api.call(KEYS.admin, 'PUT', '/v1/organizations/yavapai', { ...county, identity: [{ issuer: attacker.issuer, audience: 'concord' }] });
    expect(swap.status).toBe(403);
    // …so a token it mints for yavapai reads nothing.
    const stolen = await api.call(await attacker.token('yavapai', 'mallory'), 'GET', `/v1/incidents/${red.id}`);
    expect({ status: stolen.status, body: stolen.body }).toEqual({ status: 401, body: expect.anything() });
    expect((await api.call(person, 'GET', `/v1/incidents/${red.id}`)).status).toBe(200);
  } finally {
    await theirs.stop();
    await attacker.stop();
  }
});

it('refuses identity settings that could not be trusted safely', async () => {
  const res = await api.call(KEYS.admin, 'PUT', '/v1/organizations/yuma', { ...county, identity: [
    { issuer: 'http://idp.example', audience: 'concord' },
    { issuer: 'https://idp.example/x?y=1', audience: 'concord' },
    { issuer: 'https://ok.example', audience: 'concord', roles: { staff: 'superuser' } },
  ] });
  expect(res.status).toBe(400);
  expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['identity.0.issuer', 'identity.1.issuer', 'identity.2.roles.staff']);
  const twice = await api.call(KEYS.admin, 'PUT', '/v1/organizations/yuma', { ...county, identity: [{ issuer: 'https://ok.example', audience: 'a' }, { issuer: 'https://ok.example', audience: 'b' }] });
  expect(twice.body.errors).toEqual([{ path: 'identity.1.issuer', message: 'listed twice' }]);
  expect((await api.call(KEYS.admin, 'GET', '/v1/organizations')).body.items.some((o: { id: string }) => o.id === 'yuma')).toBe(false);
});

it('6R: refuses loopback issuers and push endpoints in a deployed stage (400 naming each), accepts them under npm start', async () => {
  // Only an organization's own admin names its identity providers: the operator onboards Gila, Gila's admin does it.
  await api.services.directory.putOrganization('gila', county);
  const gilaAdmin = (await (await keys()).bootstrapKey('gila', 'admin')).key;
  const loopback = { ...county, identity: [{ issuer: 'http://127.0.0.1:9/idp', audience: 'concord' }], endpoints: [{ url: 'https://localhost:8443/hook' }] };
  const saved = process.env.CONCORD_LOCAL_MODE;
  delete process.env.CONCORD_LOCAL_MODE;
  try {
    const refused = await api.call(gilaAdmin, 'PUT', '/v1/organizations/gila', loopback);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { path: 'identity.0.issuer', message: expect.stringMatching(/loopback/) },
      { path: 'endpoints.0.url', message: expect.stringMatching(/loopback/) },
    ]);
    const listed = (await api.call(gilaAdmin, 'GET', '/v1/organizations')).body.items.find((o: { id: string }) => o.id === 'gila');
    expect(listed).toMatchObject({ id: 'gila', name: county.name });
    expect(listed).not.toHaveProperty('identity');
  } finally {
    process.env.CONCORD_LOCAL_MODE = saved;
  }
  const accepted = await api.call(gilaAdmin, 'PUT', '/v1/organizations/gila', loopback);
  expect(accepted.status).toBe(200);
  expect(accepted.body.identity).toEqual(loopback.identity);
});

it('issues a key shown once, which works at once and stops working at once when revoked', async () => {
  await api.call(KEYS.admin, 'PUT', '/v1/organizations/pima', { ...county, name: 'Pima County' });
  // Pima's first key is the operator's to make; then Pima's own admin makes the rest.
  const pimaAdmin = (await (await keys()).bootstrapKey('pima', 'admin')).key;
  const issued = await api.call(pimaAdmin, 'POST', '/v1/organizations/pima/keys', { role: 'partner' });
  expect(issued.status).toBe(201);
  expect(issued.body).toEqual({ keyId: expect.stringMatching(/^key_[0-9a-f]{24}$/), key: expect.any(String) });
  const reported = await api.call(issued.body.key, 'POST', '/v1/incidents', report());
  expect(reported.status).toBe(201);
  expect(reported.body.reporter.orgId).toBe('pima');

  expect((await api.call(KEYS.admin, 'DELETE', `/v1/keys/${issued.body.keyId}`)).status).toBe(204);
  expect((await api.call(issued.body.key, 'GET', '/v1/incidents')).status).toBe(401);
  expect((await api.call(KEYS.admin, 'DELETE', `/v1/keys/${issued.body.keyId}`)).status).toBe(404);
});

it('refuses keys for unknown organizations and unknown roles', async () => {
  expect((await api.call(KEYS.admin, 'POST', '/v1/organizations/nobody/keys', { role: 'partner' })).status).toBe(404);
  const res = await api.call(KEYS.admin, 'POST', '/v1/organizations/fbi/keys', { role: 'root' });
  expect(res.status).toBe(400);
  expect(res.body.errors[0].path).toBe('role');
});

it('stores keys only as hashes', async () => {
  const { key, keyId } = (await api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/keys', { role: 'manager' })).body;
  const { DynamoDBClient, ScanCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({ endpoint: process.env.CONCORD_TEST_DYNAMODB_ENDPOINT });
  const { Items = [] } = await client.send(new ScanCommand({ TableName: api.tableName }));
  client.destroy();
  const dump = JSON.stringify(Items);
  expect(dump).toContain(keyId);
  expect(dump).not.toContain(key);
  expect(dump).not.toContain(KEYS.admin);
});

it('answers a path that cannot name a resource alike on every route: 404, or 400 naming it where PUT would create it', async () => {
  for (const [method, path] of [['POST', '/v1/organizations/Bad_Id/keys'], ['GET', '/v1/organizations/Bad_Id/keys'], ['DELETE', '/v1/keys/not-a-key-id']] as const) {
    const res = await api.call(KEYS.admin, method, path, method === 'POST' ? { role: 'partner' } : undefined);
    expect({ path, status: res.status, type: res.body.type }).toEqual({ path, status: 404, type: 'https://concord.example/problems/not-found' });
  }
  const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/Bad_Id', county);
  expect(put.status).toBe(400);
  expect(put.body.errors).toEqual([{ path: 'id', message: expect.any(String) }]);
});

// ---- Findings of the security reviews (issue #10 and the red team's rounds), each as reproduced ----

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
  const issuer = await startTestIssuer();
  try {
    const county = { name: 'Pinal County', kind: 'agency', contacts: [] };
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/pinal', county)).status).toBe(201);
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/pinal', { ...county, name: 'Pinal County Elections' })).status).toBe(200);
    await api.services.directory.putOrganization('pinal', { ...county, kind: 'agency', identity: [{ issuer: issuer.issuer, audience: 'concord' }] });
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/pinal', county)).status).toBe(403);
  } finally {
    await issuer.stop();
  }
});


it('L8: managers see organizations without their push endpoints; admins see them', async () => {
  await api.services.directory.putOrganization('odni', { name: 'ODNI', kind: 'agency', contacts: [], endpoints: [{ url: 'https://siem.odni.example/in?token=s3cret', red: false }] });
  const manager = await api.call(KEYS.manager.cisa, 'GET', '/v1/organizations');
  expect(manager.text).not.toContain('s3cret');
  const admin = await api.call(KEYS.admin, 'GET', '/v1/organizations');
  expect(admin.text).toContain('s3cret');
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

});

describe('input the contract does not allow', () => {
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


  it('refuses a body on a route that takes none, and changes nothing', async () => {
    const issued = (await api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/keys', { role: 'partner' })).body;
    const res = await api.call(KEYS.admin, 'DELETE', `/v1/keys/${issued.keyId}`, { bogus: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body', message: expect.any(String) }]);
    expect((await api.call(issued.key, 'GET', '/v1/incidents')).status).toBe(200);
  });

});
