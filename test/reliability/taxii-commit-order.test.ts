/**
 * Issue #22 item 6 (TAXII collections), as reproduced: `date_added` was the version's own
 * wall-clock time, taken before its write. A writer whose write is slow commits a version dated
 * before a version another writer committed meanwhile; a poller who saw the later one asks
 * `added_after` that time and never sees the earlier one. `date_added` now follows commit order
 * (the commit clock), so a poll never misses a committed version, however writers race.
 */
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { incidentStixId } from '../../lambdas/integrations/stix';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';

const COLL = `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}`;
const TAXII = { accept: 'application/taxii+json;version=2.1' };
const SLOW = 'slow writer';

/** Holds the first TransactWriteItems that carries SLOW until `release` is called. */
let release: () => void = () => {};
let held = false;
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({
    overrides: {
      onDynamoDbClient: (client) => client.middlewareStack.add((next, context) => async (args) => {
        if (!held && String(context.commandName).startsWith('TransactWrite') && JSON.stringify((args as { input: unknown }).input).includes(SLOW)) {
          held = true;
          await new Promise<void>((done) => { release = done; });
        }
        return next(args);
      }, { step: 'initialize', name: 'hold-slow-writer' }),
    },
  });
});
afterAll(() => api.stop());

const poll = async (after?: string) => {
  const res = await api.call(KEYS.partner.fbi, 'GET', `${COLL}/objects/?match[type]=incident${after ? `&added_after=${after}` : ''}`, undefined, TAXII);
  expect(res.status).toBe(200);
  return { objects: res.body.objects as Array<{ id: string; modified: string }>, last: res.headers.get('x-taxii-date-added-last') };
};

it('#22-6: a poller who saw a later version still gets a version a slower writer committed after it', async () => {
  const a = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['fbi'], title: 'A' }))).body.id;
  const b = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['fbi'], title: 'B' }))).body.id;
  const start = await poll();
  // Writer A takes its time first, then is held in its write; writer B commits meanwhile.
  const slow = api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${a}/notes`, { text: SLOW });
  for (let n = 0; !held && n < 500; n++) await new Promise((r) => setTimeout(r, 5));
  expect(held).toBe(true);
  await new Promise((r) => setTimeout(r, 20));
  expect((await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${b}/notes`, { text: 'fast writer' })).status).toBe(201);
  const seenB = await poll(start.last!);
  expect(seenB.objects.map((o) => o.id)).toEqual([incidentStixId(b)]);
  release();
  expect((await slow).status).toBe(201);
  // The poller goes on from where it was: A's new version is there.
  const afterB = await poll(seenB.last!);
  const current = (await poll()).objects.find((o) => o.id === incidentStixId(a))!;
  expect(afterB.objects).toContainEqual(expect.objectContaining({ id: incidentStixId(a), modified: current.modified }));
});

it('#22-6: pollers racing twelve concurrent writers miss no committed version', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push((await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: i % 2 ? 'RED' : 'GREEN', participants: ['fbi'], title: `W${i}` }))).body.id);
  let last = (await poll()).last!;
  const seen = new Map<string, Set<string>>();
  let writing = true;
  const poller = (async () => {
    for (let n = 0; n < 400 && (writing || n === 0); n++) {
      const p = await poll(last);
      for (const o of p.objects) (seen.get(o.id) ?? seen.set(o.id, new Set()).get(o.id)!).add(o.modified);
      if (p.last) last = p.last;
    }
  })();
  // Each writer changes its incident three times; the last change is the one that must be seen.
  await Promise.all(ids.map(async (id, i) => {
    for (let k = 0; k < 3; k++) expect((await api.call(i % 2 ? KEYS.partner.facebook : KEYS.partner.fbi, 'POST', `/v1/incidents/${id}/notes`, { text: `change ${k}` })).status).toBe(201);
  }));
  writing = false;
  await poller;
  const final = await poll(last);
  for (const o of final.objects) (seen.get(o.id) ?? seen.set(o.id, new Set()).get(o.id)!).add(o.modified);
  const current = (await poll()).objects.filter((o) => ids.some((id) => incidentStixId(id) === o.id));
  expect(current).toHaveLength(12);
  for (const o of current) expect([...(seen.get(o.id) ?? [])]).toContain(o.modified);
}, 120_000);
