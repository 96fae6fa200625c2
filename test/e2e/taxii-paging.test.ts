/** A collection larger than one list page: TAXII reads the caller's whole list, page after page. */
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
beforeAll(async () => { api = await startTestApi(); });
afterAll(() => api.stop());

it('serves every one of 130 incidents, 100 a page at most, each once', async () => {
  const created = new Set<string>();
  for (let i = 0; i < 130; i += 10) {
    const batch = await Promise.all(Array.from({ length: 10 }, (_, j) =>
      api.call(KEYS.partner.twitter, 'POST', '/v1/incidents', report({ title: `Incident ${i + j}`, tlp: (i + j) % 2 ? 'RED' : 'GREEN' }))));
    for (const r of batch) created.add(r.body.id);
  }
  const seen: string[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const url = `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}/objects/?match[type]=incident&limit=500${next ? `&next=${encodeURIComponent(next)}` : ''}`;
    const res = await api.call(KEYS.partner.twitter, 'GET', url, undefined, { accept: 'application/taxii+json;version=2.1' });
    expect(res.status).toBe(200);
    expect(res.body.objects.length).toBeLessThanOrEqual(100);
    seen.push(...res.body.objects.map((o: any) => o.external_references[0].external_id));
    next = res.body.next;
    pages++;
  } while (next);
  expect(pages).toBe(2);
  expect(seen).toHaveLength(130);
  expect(new Set(seen)).toEqual(created);
  // A manager outside sees the 65 GREEN ones only.
  const manager = await api.call(KEYS.manager.cisa, 'GET', `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}/manifest/?match[type]=incident&limit=100`);
  expect(manager.body.objects).toHaveLength(65);
  // 130 reports, ten at a time, each taking the commit clock in turn, beside the other suites on
  // DynamoDB Local: past a minute on two busy cores (nothing here measures speed).
}, 300_000);
