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
