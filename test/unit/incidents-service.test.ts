/** The use cases over in-memory fakes: retries on lost races, visibility, dedup, validation. */
import { NotFoundError, BusyError, ValidationError } from '../../lambdas/domain/errors';
import { ulidGenerator } from '../../lambdas/domain/ids';
import type { Caller } from '../../lambdas/domain/incident';
import { makeIncidents } from '../../lambdas/domain/incidents';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';

function setup() {
  const incidents = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of ['facebook', 'fbi', 'cisa', 'google']) {
    directory.organizations.set(id, { id, name: id, kind: 'agency', contacts: [], createdAt: '', updatedAt: '' });
  }
  const clock = new ManualClock();
  const service = makeIncidents({ incidents, directory, clock, ids: ulidGenerator(clock), pause: async () => {} });
  return { incidents, clock, service };
}

const fb: Caller = { orgId: 'facebook', role: 'partner', keyId: 'k1' };
const fbi: Caller = { orgId: 'fbi', role: 'partner', keyId: 'k2' };
const google: Caller = { orgId: 'google', role: 'partner', keyId: 'k3' };
const input = { title: 't', severity: 'high' as const, category: 'ddos' as const, participants: ['fbi'] };

it('retries a command that lost a race and judges it against the new state', async () => {
  const { incidents, service } = setup();
  const { incident } = await service.report(fb, input);
  incidents.failNextCommits = 3;
  const acked = await service.acknowledge(fbi, incident.id, {});
  expect(acked.version).toBe(2);
  expect(incidents.failNextCommits).toBe(0);
});

it('gives up with a 503 when the incident never settles', async () => {
  const { incidents, service } = setup();
  const { incident } = await service.report(fb, input);
  incidents.failNextCommits = 1000;
  await expect(service.acknowledge(fbi, incident.id, {})).rejects.toBeInstanceOf(BusyError);
});

it('hides incidents from non-participants as not found, for reads and commands alike', async () => {
  const { service } = setup();
  const { incident } = await service.report(fb, input);
  await expect(service.get(google, incident.id)).rejects.toBeInstanceOf(NotFoundError);
  await expect(service.timeline(google, incident.id)).rejects.toBeInstanceOf(NotFoundError);
  await expect(service.resolve(google, incident.id, 'x')).rejects.toBeInstanceOf(NotFoundError);
  expect((await service.list(google, { limit: 10 })).items).toEqual([]);
});

it('dedups by (organization, dedupKey) while unresolved', async () => {
  const { service } = setup();
  const a = await service.report(fb, { ...input, dedupKey: 'x' });
  const b = await service.report(fb, { ...input, dedupKey: 'x' });
  expect(b).toEqual({ created: false, incident: a.incident });
  await service.resolve(fb, a.incident.id, 'done');
  expect((await service.report(fb, { ...input, dedupKey: 'x' })).created).toBe(true);
});

it('refuses unknown participants before writing anything', async () => {
  const { incidents, service } = setup();
  await expect(service.report(fb, { ...input, participants: ['nsa'] })).rejects.toBeInstanceOf(ValidationError);
  expect(incidents.records.size).toBe(0);
});

it('takes times from the injected clock', async () => {
  const { clock, service } = setup();
  const { incident } = await service.report(fb, input);
  clock.advance(90);
  const acked = await service.acknowledge(fbi, incident.id, {});
  expect(Date.parse(acked.acknowledgedAt!) - Date.parse(incident.reportedAt)).toBe(90_000);
});
