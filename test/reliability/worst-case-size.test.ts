/**
 * The largest incident the contract allows, worked by 50 organizations, never meets DynamoDB's
 * limits (4 MB a transaction, 400 KB an item) as a 5xx (issue #10, item 4). '€' is the character
 * that costs most UTF-8 bytes per UTF-16 unit (3), which is what the contract's lengths count.
 */
import { directoryFiles } from '../../lambdas/wiring/directory-file';
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { KEYS, TEST_DIRECTORY, report, startTestApi, type TestApi } from '../support/harness';
import { stixProblems } from '../support/stix-schemas';

const WIDE = '€';
const wide = (n: number) => WIDE.repeat(n);
/** '"' costs most in a Lambda answer: escaped once in the body and again in the answer around it (4 bytes). */
const quotes = (n: number) => '"'.repeat(n);
/** Lambda answers at most 6 MB, counted over the JSON answer that holds the body as a string. */
const LAMBDA_LIMIT = 6 * 1024 * 1024;
const answerBytes = (text: string) => Buffer.byteLength(JSON.stringify(text));
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

describe('#22-1: no answer exceeds what Lambda can return (6 MB)', () => {
  it('the STIX export of an incident with more notes than 6 MB holds stays under it, the notes left out counted on the incident; its timeline and audit pages too', async () => {
    const id = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'], title: wide(200), description: quotes(10000) }))).body.id as string;
    const NOTES = 340;
    for (let i = 0; i < NOTES; i++) expect((await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${id}/notes`, { text: quotes(5000) })).status).toBe(201);
    const res = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/stix`);
    expect(res.status).toBe(200);
    expect(answerBytes(res.text)).toBeLessThan(LAMBDA_LIMIT);
    const bundle = JSON.parse(res.text);
    const notes = bundle.objects.filter((o: { type: string }) => o.type === 'note');
    const incident = bundle.objects.find((o: { type: string }) => o.type === 'incident');
    expect(notes.length).toBeGreaterThan(200);
    expect(incident.x_concord_notes_omitted).toBe(NOTES - notes.length);
    for (const o of bundle.objects) expect(stixProblems(o)).toEqual([]);
    // The oldest notes are the ones kept, in order.
    expect(notes.map((n: { created: string }) => n.created)).toEqual([...notes.map((n: { created: string }) => n.created)].sort());
    // Every note is still there through TAXII, a page at a time, each page under the limit.
    let next: string | undefined;
    let served = 0;
    do {
      const page = await api.call(KEYS.partner.fbi, 'GET', `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}/objects/?match[type]=note${next ? `&next=${encodeURIComponent(next)}` : ''}`, undefined, { accept: 'application/taxii+json;version=2.1' });
      expect(page.status).toBe(200);
      expect(answerBytes(page.text)).toBeLessThan(LAMBDA_LIMIT);
      served += page.body.objects.filter((n: { object_refs: string[] }) => n.object_refs.includes(incident.id)).length;
      next = page.body.next;
    } while (next);
    expect(served).toBe(NOTES);
    for (const path of [`/v1/incidents/${id}/timeline?limit=100`, `/v1/incidents/${id}/audit?limit=100`, '/openapi.json']) {
      const page = await api.call(KEYS.partner.facebook, 'GET', path);
      expect(page.status).toBe(200);
      expect(answerBytes(page.text)).toBeLessThan(LAMBDA_LIMIT);
    }
  }, 300_000);

  it('a TAXII page of many large incidents ends before 6 MB and pages on from there', async () => {
    const key = keyOf('county-21');
    // Links of '€' are percent-encoded in STIX (9 bytes each): an incident object of ~190 KB.
    const big = (i: number) => report({ title: `Large ${i}`, links: Array.from({ length: 20 }, (_, j) => ({ href: `https://evidence.example/${i}/${j}/${wide(1000)}` })) });
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const created = await api.call(key, 'POST', '/v1/incidents', big(i));
      expect(created.status).toBe(201);
      ids.add(created.body.id);
    }
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await api.call(key, 'GET', `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}/objects/?match[type]=incident&limit=100${next ? `&next=${encodeURIComponent(next)}` : ''}`, undefined, { accept: 'application/taxii+json;version=2.1' });
      expect(page.status).toBe(200);
      expect(answerBytes(page.text)).toBeLessThan(LAMBDA_LIMIT);
      seen.push(...page.body.objects.map((o: { external_references: Array<{ external_id: string }> }) => o.external_references[0]!.external_id));
      next = page.body.next;
      pages++;
    } while (next);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen.filter((id) => ids.has(id))).size).toBe(40);
  }, 300_000);

  it('a list page of incidents full of quotes (escaped twice in a Lambda answer) ends before 6 MB', async () => {
    const key = keyOf('county-31');
    const heavy = (i: number) => ({
      title: quotes(200), description: quotes(10000), severity: 'low', category: 'other',
      links: Array.from({ length: 10 }, (_, j) => ({ href: `https://evidence.example/${i}/${j}/${'a'.repeat(2000)}` })),
      details: { blob: quotes(8000) },
    });
    const created = new Set<string>();
    for (let i = 0; i < 80; i++) {
      const res = await api.call(key, 'POST', '/v1/incidents', heavy(i));
      expect(res.status).toBe(201);
      created.add(res.body.id);
    }
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const res: { status: number; text: string; body: { items: Array<{ id: string }>; nextCursor: string | null } } = await api.call(key, 'GET', `/v1/incidents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(answerBytes(res.text)).toBeLessThan(LAMBDA_LIMIT);
      for (const i of res.body.items) seen.add(i.id);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect([...created].filter((id) => seen.has(id))).toHaveLength(80);
  }, 300_000);
});
