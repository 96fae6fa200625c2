/**
 * Bidirectional controls through the API, as the third outside review reproduced them (issue #22,
 * item 3): a title `Invoice \u202efdp.exe`, an organization named with U+202E shown to everyone by
 * `/v1/directory`, an unauthenticated token's `iss` carrying U+202E into the admins' audit trail.
 * (The table over every single-line field of every schema is test/unit/bidi-controls.test.ts.)
 */
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';
import { tableSnapshot } from '../support/table-snapshot';

const SPOOF = 'Invoice \u202efdp.exe';
const BIDI = /[\u202a-\u202e\u2066-\u2069]/u;
let api: TestApi;

beforeAll(async () => { api = await startTestApi(); });
afterAll(() => api.stop());

it('3R: a title with U+202E is 400 naming `title`, and nothing is reported', async () => {
  const before = await tableSnapshot(api.tableName);
  const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ title: SPOOF }));
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  expect(res.body.errors).toEqual([{ path: 'title', message: expect.stringMatching(/bidirectional/) }]);
  expect(await tableSnapshot(api.tableName)).toEqual(before);
  // Multi-line text keeps them (the app isolates it).
  expect((await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ description: SPOOF }))).status).toBe(201);
});

it('3R: an organization or contact named with U+202E is 400, so /v1/directory never shows one', async () => {
  const org = { name: `FBI ${SPOOF}`, kind: 'agency', contacts: [{ name: `Duty \u2067officer\u2069` }] };
  const res = await api.call(KEYS.admin, 'PUT', '/v1/organizations/fbi', org);
  expect(res.status).toBe(400);
  expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['name', 'contacts.0.name']);
  const directory = await api.call(KEYS.partner.google, 'GET', '/v1/directory');
  expect(directory.status).toBe(200);
  expect(directory.text).not.toMatch(BIDI);
  expect(directory.text).not.toContain('\\u202e');
});

it('3R: a forged token whose iss carries U+202E: the 401 and the admins\' audit trail write it out as \\u202E', async () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const iss = `https://idp.example/${SPOOF}`;
  const token = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss, sub: 'x', aud: 'concord', exp: Math.floor(Date.now() / 1000) + 600 })}.${Buffer.from('sig').toString('base64url')}`;
  const refused = await api.call(token, 'GET', '/v1/incidents');
  expect(refused.status).toBe(401);
  expect(refused.text).not.toMatch(BIDI);
  expect(refused.body.detail).toContain('Invoice \\u202Efdp.exe');

  // TAXII answers its own error messages: the same.
  const taxii = await api.call(token, 'GET', '/taxii2/', undefined, { accept: 'application/taxii+json;version=2.1' });
  expect(taxii.status).toBe(401);
  expect(JSON.parse(taxii.text).description).toContain('Invoice \\u202Efdp.exe');
  expect(taxii.text).not.toMatch(BIDI);

  const trail = await api.call(KEYS.admin, 'GET', '/v1/audit?action=authenticate&orgId=unknown');
  expect(trail.status).toBe(200);
  const mine = trail.body.items.filter((e: { detail?: string }) => e.detail?.includes('idp.example'));
  expect(mine).toEqual([
    expect.objectContaining({ outcome: 'denied', detail: expect.stringContaining('Invoice \\u202Efdp.exe') }),
    expect.objectContaining({ outcome: 'denied', detail: expect.stringContaining('Invoice \\u202Efdp.exe') }),
  ]);
  expect(trail.text).not.toMatch(BIDI);
});

it('3R: a field name a client sends with U+202E is named in the 400, written out', async () => {
  const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', { ...report(), [`x${SPOOF}`]: 1 });
  expect(res.status).toBe(400);
  expect(res.text).not.toMatch(BIDI);
  expect(res.body.errors).toEqual([{ path: 'xInvoice \\u202Efdp.exe', message: 'unknown field' }]);
});
