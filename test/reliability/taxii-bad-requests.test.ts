/**
 * Generated bad requests on every TAXII route and the STIX export — odd query parameters and
 * values, path segments, Accept and Content-Type headers, bodies — and not one 5xx: each refusal is
 * a TAXII error message (problem+json on /v1), no stack trace, and the table is unchanged.
 */
import fc from 'fast-check';
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';
import { newAuditEntries, tableSnapshot } from '../support/table-snapshot';

let api: TestApi;


let incidentId: string;
beforeAll(async () => {
  api = await startTestApi();
  incidentId = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'] }))).body.id;
});
afterAll(() => api.stop());

const COLL = `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}`;
const weird = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ',', ',,', 'all,', 'last,first', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00.000Z', '1e400', '-1', '0', '101', '99999999999999999999',
    'incident--00000000-0000-0000-0000-000000000000', 'incident', '%00', '../', '__proto__', 'constructor', 'x'.repeat(5000), '\u202e', '𝔘'),
);
const enc = (s: string) => encodeURIComponent(s.toWellFormed());
const PARAMS = ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]', 'match[bogus]', 'type', '__proto__'];
const PATHS = ['/taxii2/', '/taxii2/concord/', '/taxii2/concord/collections/', `${COLL}/`, `${COLL}/objects/`, `${COLL}/manifest/`,
  `${COLL}/objects/{seg}/`, `${COLL}/objects/{seg}/versions/`, '/taxii2/concord/status/{seg}/', '/taxii2/concord/collections/{seg}/objects/', '/taxii2/{seg}/', `/v1/incidents/{seg}/stix`];
const KEYS_USED = [KEYS.partner.facebook, KEYS.manager.cisa, KEYS.admin, null, 'x'.repeat(600)];
const ACCEPTS = [undefined, 'application/taxii+json;version=2.1', '*/*', 'application/json', 'text/html;q=0', ';;;', 'application/taxii+json;version=2.1;q=abc', 'x'.repeat(3000)];

it('no generated request to TAXII gets a 5xx, and none changes anything', async () => {
  const before = await tableSnapshot(api.tableName);
  let count = 0;
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...PATHS), weird, fc.array(fc.tuple(fc.constantFrom(...PARAMS), weird), { maxLength: 4 }),
    fc.constantFrom(...KEYS_USED), fc.constantFrom(...ACCEPTS), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD'),
    fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.constantFrom('{', '{"objects": 1}', '{"objects": [{}]}', '{"objects": [{"type":"incident","id":"incident--x"}]}', '[]', 'null')),
    fc.constantFrom('application/taxii+json;version=2.1', 'application/json', 'text/plain', 'application/taxii+json;version=2.0'),
    async (path, seg, params, key, accept, method, body, contentType) => {
      const query = params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
      const url = path.replace('{seg}', enc(seg) || 'x') + (query ? `?${query}` : '');
      const headers: Record<string, string> = {};
      if (key) headers.authorization = `Basic ${Buffer.from(`u:${key}`).toString('base64')}`;
      if (accept) headers.accept = accept;
      if (body !== undefined && method !== 'GET' && method !== 'HEAD') headers['content-type'] = contentType;
      const res = await api.call(null, method, url, method === 'GET' || method === 'HEAD' ? undefined : body, headers);
      count++;
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
      if (res.status >= 400 && method !== 'HEAD') {
        const type = res.headers.get('content-type');
        expect(type).toBe(url.startsWith('/taxii2') ? 'application/taxii+json;version=2.1' : 'application/problem+json');
      }
      expect(res.status === 202).toBe(false);
    },
  ), { numRuns: 400 });
  expect(count).toBeGreaterThanOrEqual(400);
  const after = await tableSnapshot(api.tableName);
  expect(after.items).toEqual(before.items);
  // What the trail recorded of the refusals (credentials refused, reads denied), and nothing else.
  expect(newAuditEntries(before, after).map((e) => e.outcome.S).filter((o) => o !== 'denied')).toEqual([]);
  // The incident is still there and still readable through TAXII.
  expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${incidentId}/stix`)).status).toBe(200);
});

describe('TAXII never echoes a bidirectional control raw (red team, round four, F4)', () => {
  const TAXII = 'application/taxii+json;version=2.1';
  const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`u:${key}`).toString('base64')}`, accept: TAXII });

  it('F4: an unknown collection named with U+202E is written out as \\u202E in the error message', async () => {
    const res = await api.call(null, 'GET', '/taxii2/concord/collections/%E2%80%AE/objects/', undefined, basic(KEYS.partner.facebook));
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(res.body.description).toContain('\\u202E');
  });

  it('F4: a posted object\'s failure message (answered and stored in its status) writes the control out', async () => {
    const now = new Date().toISOString();
    const envelope = { objects: [{ type: 'incident', spec_version: '2.1', id: 'incident--6f1f4a52-2c2d-4f39-9a3b-3f3c1a2b4d5e', created: now, modified: now, name: 'bidi marking', object_marking_refs: ['marking-definition--\u202e'] }] };
    const res = await api.call(null, 'POST', `${COLL}/objects/`, JSON.stringify(envelope), { ...basic(KEYS.partner.facebook), 'content-type': TAXII });
    expect(res.status).toBe(202);
    expect(res.text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    const status = await api.call(null, 'GET', `/taxii2/concord/status/${res.body.id}/`, undefined, basic(KEYS.partner.facebook));
    expect(status.status).toBe(200);
    expect(status.body.failure_count).toBe(1);
    expect(status.text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
});
