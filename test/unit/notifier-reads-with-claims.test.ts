/**
 * #27 review: the notifier reads the organizations and their policies while it writes the claims.
 * Over the in-memory fakes: a read that fails after the claims succeeded lets the claims go and
 * fails the run (the stream retries, and the retry publishes once); a claim that fails while the
 * read fails too leaves no rejection unobserved (Lambda's Node crashes on an unhandled one).
 */
import type { Caller } from '../../lambdas/domain/actor';
import { FaultyPublisher } from '../support/faulty-publisher';
import { notifierOverFakes } from '../support/notifier-fakes';
import { failing, type Watched } from '../support/watched-rejections';

function setup() {
  const publisher = new FaultyPublisher();
  return { ...notifierOverFakes(['facebook', 'fbi', 'cisa'], publisher), publisher };
}

const facebook: Caller = { orgId: 'facebook', role: 'partner', keyId: 'k' };

async function reported(t: ReturnType<typeof setup>) {
  const { incident } = await t.incidents.report(facebook, { title: 't', severity: 'critical', category: 'ransomware', participants: ['fbi', 'cisa'] });
  return { id: incident.id, event: (await t.repository.timeline(incident.id, { limit: 1 })).events[0]! };
}

it('a directory read that fails after the claims: the error is thrown, the claims let go, and the retry publishes each once', async () => {
  const t = setup();
  const { id, event } = await reported(t);
  const made: Array<Watched<unknown>> = [];
  const read = t.directory.getOrganizations.bind(t.directory);
  t.directory.getOrganizations = () => failing('directory unreachable', made);
  await expect(t.notifier.notify(id, event)).rejects.toThrow('directory unreachable');
  expect(made.every((p) => p.observed)).toBe(true);
  expect(t.publisher.countsFor(id)).toEqual({});
  t.directory.getOrganizations = read;
  // Not held: the stream's retry claims and publishes at once, each organization once.
  expect(await t.notifier.notify(id, event)).toEqual({ facebook: 'sent', fbi: 'sent', cisa: 'sent' });
  expect(t.publisher.countsFor(id)).toEqual({ facebook: 1, fbi: 1, cisa: 1 });
  expect(await t.notifier.notify(id, event)).toEqual({ facebook: 'skipped', fbi: 'skipped', cisa: 'skipped' });
});

it('the claims and the directory read both failing: the claim\'s error is thrown and the read\'s rejection is observed', async () => {
  const t = setup();
  const { id, event } = await reported(t);
  const made: Array<Watched<unknown>> = [];
  t.directory.getOrganizations = () => failing('directory unreachable', made);
  t.repository.claimAll = () => failing('claims refused', made);
  await expect(t.notifier.notify(id, event)).rejects.toThrow('claims refused');
  await new Promise((r) => setTimeout(r, 10));
  expect(made).toHaveLength(2);
  expect(made.every((p) => p.observed)).toBe(true);
  expect(t.publisher.countsFor(id)).toEqual({});
});

it('notices at the same time read the organizations together, each read made after the notices it answers asked: a contact removed before a notice asked is not paged', async () => {
  const t = setup();
  const notices = [await reported(t), await reported(t), await reported(t)];
  const read = t.directory.getOrganizations.bind(t.directory);
  const asked: string[][] = [];
  // Each read takes a while, as the table's does under load.
  t.directory.getOrganizations = async (ids) => { asked.push([...ids]); const found = await read(ids); await new Promise((r) => setTimeout(r, 20)); return found; };
  const first = t.notifier.notify(notices[0]!.id, notices[0]!.event);
  await new Promise((r) => setTimeout(r, 5));
  // FBI's duty contact leaves while the first read is under way; the other notices ask after that.
  t.directory.organizations.get('fbi')!.contacts = [];
  const rest = notices.slice(1).map((n) => t.notifier.notify(n.id, n.event));
  expect(await first).toEqual({ facebook: 'sent', fbi: 'sent', cisa: 'sent' });
  for (const outcome of await Promise.all(rest)) expect(outcome).toEqual({ facebook: 'sent', fbi: 'sent', cisa: 'sent' });
  // One read for the first notice, one for the two that asked while it was under way.
  expect(asked).toEqual([['facebook', 'fbi', 'cisa'], ['facebook', 'fbi', 'cisa']]);
  // The first notice reached FBI's duty contact; the later ones read FBI without it.
  const toFbi = t.publisher.sent.filter((s) => s.orgId === 'fbi');
  expect(toFbi.map((s) => [s.incidentId, s.contacts])).toEqual([[notices[0]!.id, ['duty']], [notices[1]!.id, []], [notices[2]!.id, []]]);
});

it('notices at the same time read their incidents together, each read made after the notices it answers asked: an incident raised to RED before its notice asked is sent as RED', async () => {
  const t = setup();
  const notices = [await reported(t), await reported(t), await reported(t)];
  const get = t.repository.get.bind(t.repository);
  const getRecords = t.repository.getRecords.bind(t.repository);
  // The first notice's read of its incident answers only when the test lets it.
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  const reads: string[][] = [];
  t.repository.get = async (id) => { if (id === notices[0]!.id) await held; return get(id); };
  t.repository.getRecords = (ids) => { reads.push([...ids]); return getRecords(ids); };
  const first = t.notifier.notify(notices[0]!.id, notices[0]!.event);
  // The third incident turns RED while that read is under way; the other notices ask after that.
  await t.incidents.edit(facebook, notices[2]!.id, { tlp: 'RED' });
  const rest = Promise.all(notices.slice(1).map((n) => t.notifier.notify(n.id, n.event)));
  release();
  expect(await first).toEqual({ facebook: 'sent', fbi: 'sent', cisa: 'sent' });
  const [second, third] = await rest;
  expect(second).toEqual({ facebook: 'sent', fbi: 'sent', cisa: 'sent' });
  // RED reaches cleared contacts only, and nobody here is cleared: nothing of it was sent.
  expect(third).toEqual({ facebook: 'failed', fbi: 'failed', cisa: 'failed' });
  expect(t.publisher.countsFor(notices[2]!.id)).toEqual({});
  // One read for the two notices that asked while the first was under way.
  expect(reads).toEqual([[notices[1]!.id, notices[2]!.id]]);
});
