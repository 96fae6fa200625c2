/**
 * The directory file (`npm start`'s directory, `npm run load-directory` on AWS) through the local
 * server: it seeds organizations and keys, the API's later changes survive loading it again, a key
 * it no longer lists is revoked, and onboarding from it replaces what an admin prepared.
 */
import { directoryFiles } from '../../lambdas/wiring/directory-file';
import { keys } from '../../lambdas/wiring/keys';
import { KEYS, TEST_DIRECTORY, startTestApi, type TestApi } from '../support/harness';
import { startTestIssuer } from '../support/test-issuer';

let api: TestApi;
beforeAll(async () => { api = await startTestApi(); });
afterAll(() => api.stop());

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
    // Twitter's own admin changes its contacts (another organization's admin may not: see H2 in directory-api.test.ts).
    const twitterAdmin = (await (await keys()).bootstrapKey('twitter', 'admin')).key;
    const contacts = [{ name: 'Night desk', email: 'night@twitter.example' }];
    expect((await api.call(twitterAdmin, 'PUT', '/v1/organizations/twitter', { name: 'TWITTER', kind: 'company', contacts })).status).toBe(200);

    const plan = await (await directoryFiles()).load(TEST_DIRECTORY);
    expect(plan.revokedKeys).toEqual([{ orgId: 'twitter', keyId: items[0].keyId }]);
    expect(plan.changedOrganizations).toEqual(['twitter']);
    expect((await api.call(KEYS.partner.twitter, 'GET', '/v1/incidents')).status).toBe(401);
    const twitter = (await api.call(KEYS.admin, 'GET', '/v1/organizations')).body.items.find((o: { id: string }) => o.id === 'twitter');
    expect(twitter.contacts).toEqual([{ id: 'night-desk', name: 'Night desk', email: 'night@twitter.example', phone: null }]);
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


describe('second round of the red team', () => {
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
      expect(stored.contacts).toEqual([{ id: 'nsa-duty', name: 'NSA duty', email: 'duty@nsa.example', phone: null, red: true }]);
      expect(stored.createdBy).toBeUndefined();
      // Now the operator's: CISA's admin may no longer change it.
      expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/nsa', squat)).status).toBe(403);
    } finally {
      await evil.stop();
    }
  });

});
