/**
 * The largest incident the contract allows, worked by 50 organizations, never meets DynamoDB's
 * limits (4 MB a transaction, 400 KB an item) as a 5xx (issue #10, item 4). '€' is the character
 * that costs most UTF-8 bytes per UTF-16 unit (3), which is what the contract's lengths count.
 */
import { directoryFiles } from '../../lambdas/wiring/directory-file';
import { KEYS, TEST_DIRECTORY, startTestApi, type TestApi } from '../support/harness';

const WIDE = '€';
const wide = (n: number) => WIDE.repeat(n);
const EXTRA = Array.from({ length: 44 }, (_, i) => `county-${String(i).padStart(2, '0')}`);
const keyOf = (org: string) => `worst-case-${org}-partner-key-0123456789`;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await (await directoryFiles()).load({
    organizations: [...TEST_DIRECTORY.organizations, ...EXTRA.map((id) => ({
      id, name: wide(200), kind: 'agency' as const, contacts: [], keys: [{ role: 'partner' as const, key: keyOf(id) }],
    }))],
  });
}, 120_000);
afterAll(() => api.stop());

it('reports, acknowledges 49 times, assigns, notes and resolves the largest allowed incident, every answer 2xx', async () => {
  const participants = ['fbi', 'cisa', 'google', 'twitter', 'odni', ...EXTRA];
  expect(participants).toHaveLength(49);
  const body = {
    title: wide(200), description: wide(10000), severity: 'critical', category: 'ransomware', tlp: 'RED',
    participants, dedupKey: wide(255), source: wide(200),
    links: Array.from({ length: 4 }, (_, i) => ({ href: `https://evidence.example/${'a'.repeat(2000)}/${i}`, text: wide(200) })),
    details: { blob: wide(5400) },
  };
  expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(64 * 1024);
  const created = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', body);
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  const statuses: number[] = [];
  for (const org of participants) {
    const key = (KEYS.partner as Record<string, string>)[org] ?? keyOf(org);
    statuses.push((await api.call(key, 'POST', `/v1/incidents/${id}/acknowledge`, { by: wide(200), note: wide(5000) })).status);
  }
  statuses.push((await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${id}/acknowledge`, { by: wide(200), note: wide(5000) })).status);
  statuses.push((await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${id}/assign`, { orgId: 'county-43', responder: wide(200), note: wide(5000) })).status);
  for (let i = 0; i < 5; i++) statuses.push((await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${id}/notes`, { text: wide(5000) })).status);
  statuses.push((await api.call(keyOf('county-43'), 'POST', `/v1/incidents/${id}/resolve`, { resolution: wide(5000) })).status);
  expect(statuses.filter((s) => s >= 300)).toEqual([]);

  const final = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}`);
  expect(final.body).toMatchObject({ status: 'resolved', version: 1 + 50 + 1 + 5 + 1, description: wide(10000), details: { blob: wide(5400) } });
  expect(final.body.acknowledgements).toHaveLength(50);
  // Lists read the incident itself, so they show every field too.
  const listed = await api.call(keyOf('county-07'), 'GET', '/v1/incidents?limit=5');
  expect(listed.body.items[0]).toEqual(final.body);
}, 180_000);

it('ends a list page before Lambda\'s 6 MB response limit, however large the allowed incidents, and pages on from there', async () => {
  const big = (i: number) => ({
    title: wide(200), description: wide(10000), severity: 'low', category: 'other', source: wide(200),
    links: Array.from({ length: 4 }, (_, j) => ({ href: `https://evidence.example/${'a'.repeat(2000)}/${i}/${j}`, text: wide(200) })),
    details: { blob: wide(5400) },
  });
  const ids = new Set<string>();
  for (let i = 0; i < 90; i++) ids.add((await api.call(keyOf('county-11'), 'POST', '/v1/incidents', big(i))).body.id);
  expect(ids.size).toBe(90);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { status: number; text: string; body: { items: Array<{ id: string }>; nextCursor: string | null } } = await api.call(keyOf('county-11'), 'GET', `/v1/incidents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(res.text)).toBeLessThan(6 * 1024 * 1024);
    seen.push(...res.body.items.map((i: { id: string }) => i.id));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  expect(pages).toBeGreaterThan(1);
  expect(seen.filter((id) => ids.has(id))).toHaveLength(90);
  expect(new Set(seen).size).toBe(seen.length);
}, 240_000);
