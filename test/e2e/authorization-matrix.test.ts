/**
 * Every incident endpoint × caller × TLP: who gets what, for systems' keys and people's tokens
 * alike. Invisible is 404, exactly like absent; a caller that may see but not act (a role that may
 * not, or an outside partner on a GREEN or CLEAR incident, the community's: #23) is 403; no or
 * unknown credential is 401. AMBER, AMBER+STRICT and RED never reach an outside partner. Zero leaks.
 */
import { TLPS, type Tlp } from '../../lambdas/domain/tlp';
import { KEYED_CALLERS, PEOPLE, asKey, expectedAuditTrail, expectedCommand, expectedListed, expectedRead, peopleTokens, type Person } from '../support/callers';
import { KEYS, TEST_DIRECTORY, report, startTestApi, type TestApi } from '../support/harness';
import { startTestIssuer, trustIssuer, type TestIssuer } from '../support/test-issuer';

let api: TestApi;
let idp: TestIssuer;
let tokens: Record<Person, string>;
beforeAll(async () => {
  api = await startTestApi();
  idp = await startTestIssuer();
  await trustIssuer(TEST_DIRECTORY, idp.issuer);
  tokens = await peopleTokens(idp);
});
afterAll(async () => { await api.stop(); await idp.stop(); });

const KEYED = KEYED_CALLERS;
type Caller = keyof typeof KEYED | Person;
const CALLER_NAMES: Caller[] = [...(Object.keys(KEYED) as Caller[]), ...PEOPLE];
const credential = (caller: Caller): string | null => (caller in KEYED ? KEYED[caller as keyof typeof KEYED] : tokens[caller as Person]);
const expectedReadOf = (caller: Caller, tlp: Tlp) => expectedRead(asKey(caller), tlp);

const newIncident = async (tlp: Tlp) =>
  (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp, participants: ['fbi', 'odni'] }))).body.id as string;
/**
 * One incident per TLP for everything that changes nothing: every caller's reads, and the commands
 * refused (whose checks below show it is still at version 1). A command that succeeds gets its own.
 */
const unchanged = new Map<Tlp, Promise<string>>();
const sharedIncident = (tlp: Tlp) => {
  if (!unchanged.has(tlp)) unchanged.set(tlp, newIncident(tlp));
  return unchanged.get(tlp)!;
};

const COMMANDS = [
  ['acknowledge', {}, 200],
  ['assign', { orgId: 'fbi' }, 200],
  ['resolve', { resolution: 'done' }, 200],
  ['notes', { text: 'a note' }, 201],
] as const;

/**
 * The coordination commands (#23): [name, method, path after the incident's, body, answer to the
 * reporter, answer to another participant]. Inviting is the reporter's alone unless the label is
 * GREEN or CLEAR; reopening an open incident is a 409 (its state, not the caller, refuses it).
 */
const community = (tlp: Tlp) => tlp === 'GREEN' || tlp === 'CLEAR';
const COORDINATION = [
  ['invite', 'POST', '/participants', { orgIds: ['cisa'] }, () => 200, (tlp: Tlp) => (community(tlp) ? 200 : 403)],
  ['edit', 'PATCH', '', { title: 'Edited title' }, () => 200, () => 200],
  ['status update', 'POST', '/updates', { summary: 'Investigating', nextUpdateInMinutes: 30 }, () => 201, () => 201],
  ['reopen (open incident)', 'POST', '/reopen', { reason: 'again' }, () => 409, () => 409],
] as const;

const cases = TLPS.flatMap((tlp) => CALLER_NAMES.map((caller) => [tlp, caller] as const));

describe.each(cases)('TLP %s, %s', (tlp, caller) => {
  let key: string | null;
  let id: string;
  beforeAll(async () => { key = credential(caller); id = await sharedIncident(tlp); });

  it('get, timeline and audit trail', async () => {
    const want = expectedReadOf(caller, tlp);
    const get = await api.call(key, 'GET', `/v1/incidents/${id}`);
    const timeline = await api.call(key, 'GET', `/v1/incidents/${id}/timeline`);
    const audit = await api.call(key, 'GET', `/v1/incidents/${id}/audit`);
    // The trail is its participants': a manager or partner outside sees the incident, not who read it.
    const wantAudit = expectedAuditTrail(asKey(caller), tlp);
    expect([get.status, timeline.status, audit.status]).toEqual([want, want, wantAudit]);
    if (wantAudit === 200) expect(audit.body.items.some((e: { action: string }) => e.action === 'report')).toBe(true);
    if (want === 404) {
      // Indistinguishable from an id that never existed.
      const absent = `inc_${'0'.repeat(26)}`;
      const never = await api.call(key, 'GET', `/v1/incidents/${absent}`);
      expect(get.text.replace(id, absent)).toBe(never.text);
    }
  });

  it.each(['own', 'community'] as const)('list, scope %s', async (scope) => {
    const want = expectedReadOf(caller, tlp);
    const query = scope === 'own' ? '' : '&scope=community';
    const res = await api.call(key, 'GET', `/v1/incidents?limit=100${query}`);
    if (want === 401 || want === 403) return expect(res.status).toBe(want);
    expect(res.status).toBe(200);
    const wantListed = expectedListed(asKey(caller), tlp, scope);
    // Listed only where it may be read: nothing restricted outside its participants, no AMBER in the community.
    if (wantListed) expect(want).toBe(200);
    expect(res.body.items.some((i: { id: string }) => i.id === id)).toBe(wantListed);
    // Whatever the query.
    const filtered = await api.call(key, 'GET', `/v1/incidents?limit=100&participant=fbi${query}`);
    expect(filtered.body.items.some((i: { id: string }) => i.id === id)).toBe(wantListed);
  });

  it.each(COMMANDS)('%s', async (command, body, success) => {
    const expected = expectedCommand(asKey(caller), tlp);
    const want = expected === 200 ? success : expected;
    const target = want < 300 ? await newIncident(tlp) : await sharedIncident(tlp);
    const res = await api.call(key, 'POST', `/v1/incidents/${target}/${command}`, body);
    expect(res.status).toBe(want);
    const after = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${target}`);
    expect(after.body.version).toBe(want < 300 ? 2 : 1);
  });

  it.each(COORDINATION)('%s', async (_name, method, suffix, body, reporter, participant) => {
    const by = asKey(caller);
    const want = by === 'reporter' ? reporter() : by === 'participant' ? participant(tlp) : expectedCommand(by, tlp);
    const target = want < 300 ? await newIncident(tlp) : await sharedIncident(tlp);
    const res = await api.call(key, method, `/v1/incidents/${target}${suffix}`, body);
    expect(res.status).toBe(want);
    const after = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${target}`);
    expect(after.body.version).toBe(want < 300 ? 2 : 1);
  });
});

describe('directory endpoints by role', () => {
  const org = { name: 'Election board', kind: 'agency', contacts: [{ name: 'Clerk', email: 'clerk@county.example', phone: '+13035550100' }] };
  it.each([
    ['admin', KEYS.admin, 201, 200, 201],
    ['manager', KEYS.manager.cisa, 403, 200, 403],
    ['partner', KEYS.partner.fbi, 403, 403, 403],
    ['no key', null, 401, 401, 401],
  ] as const)('%s', async (_name, key, put, list, createKey) => {
    const id = `county-${Math.random().toString(36).slice(2, 8)}`;
    expect((await api.call(key, 'PUT', `/v1/organizations/${id}`, org)).status).toBe(put);
    expect((await api.call(key, 'GET', '/v1/organizations')).status).toBe(list);
    expect((await api.call(key, 'POST', '/v1/organizations/cisa/keys', { role: 'partner' })).status).toBe(createKey);
    expect((await api.call(key, 'DELETE', '/v1/keys/key_000000000000000000000000')).status).toBe(put === 201 ? 404 : put);
  });
});
