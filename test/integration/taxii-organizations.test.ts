/**
 * #27 review: TAXII reads the organizations a collection page names in one request. Against
 * DynamoDB Local, a page naming more than BatchGetItem's 100 keys: every organization is named
 * once, as its directory entry has it (batchGetAll reads in chunks of 100).
 */
import type { Caller } from '../../lambdas/domain/actor';
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { adapters } from '../../lambdas/wiring/adapters';
import { taxiiService } from '../../lambdas/wiring/taxii';
import { startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
beforeAll(async () => { api = await startTestApi(); });
afterAll(() => api.stop());

it('a collection page naming 121 organizations names each once, with its directory name', async () => {
  const directory = adapters().directoryRepository;
  const ids = Array.from({ length: 120 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
  const at = '2026-12-01T00:00:00.000Z';
  for (const id of ids) await directory.putOrganization({ id, name: `Bulk ${id.slice(5)}`, kind: 'agency', contacts: [], createdAt: at, updatedAt: at }, null);
  const facebook: Caller = { orgId: 'facebook', role: 'partner', keyId: 'k' };
  for (let i = 0; i < 3; i++) {
    await api.services.incidents.report(facebook, { title: `Wide ${i}`, severity: 'low', category: 'other', tlp: 'GREEN', participants: ids.slice(i * 40, i * 40 + 40) });
  }
  // Every answer of the collection, following `next` (an answer holds 100 objects at most).
  const taxii = await taxiiService();
  const reads = jest.spyOn(directory, 'getOrganizations');
  const names: Array<string | undefined> = [];
  let next: string | undefined;
  do {
    const { body } = await taxii.objects(facebook, INCIDENTS_COLLECTION_ID, { 'match[type]': 'identity', ...(next ? { next } : {}) });
    names.push(...body.objects.filter((o: { type: string }) => o.type === 'identity').map((o) => (o as { name?: string }).name));
    next = body.next;
  } while (next);
  expect(new Set(names).size).toBe(names.length);
  expect(names.filter((n) => n?.startsWith('Bulk ')).sort()).toEqual(ids.map((id) => `Bulk ${id.slice(5)}`));
  expect(names).toHaveLength(121);
  // The page's organizations in one call: more keys than one BatchGetItem takes.
  expect(Math.max(...reads.mock.calls.map(([wanted]) => new Set(wanted).size))).toBe(121);
});
