/**
 * #27: on call's answers wait for as few round trips as they can. A schedule's answer carries its
 * feed token, made with the signing secret (Secrets Manager in AWS, a round trip on a cold start):
 * the secret is asked for beside the request's first reads, and reads that do not depend on each
 * other are made at once. Errors stay what they were: the first check's, in order.
 */
import type { Caller } from '../../lambdas/domain/actor';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lambdas/domain/errors';
import { makeOnCall } from '../../lambdas/domain/oncall/service';
import type { OnCallRepository, StoredSchedule } from '../../lambdas/domain/ports';
import { loggedReads } from '../support/logged-reads';
import { ManualClock, MemoryDirectoryRepository } from '../support/memory-repositories';

const admin: Caller = { orgId: 'cisa', role: 'admin', keyId: 'key_cisa_admin' };
const spec = { name: 'Watch', timeZone: 'America/New_York', layers: [{ start: '2026-11-02T09:00', rotation: 'daily' as const, members: ['duty'] }] };

/** Every read is logged as asked, then answered 5 ms later: reads made at once are asked before either answers. */
function setup() {
  const log: string[] = [];
  const slow = loggedReads(log);
  const schedules = new Map<string, StoredSchedule>();
  const repository = {
    getSchedule: (orgId: string, id: string) => slow('schedule', () => schedules.get(`${orgId}/${id}`) ?? null)(),
    listSchedules: (orgId: string) => slow('schedules', () => [...schedules.values()].filter((s) => s.orgId === orgId))(),
    putSchedule: async (s: StoredSchedule) => { const created = !schedules.has(`${s.orgId}/${s.id}`); schedules.set(`${s.orgId}/${s.id}`, s); return { created }; },
  } as unknown as OnCallRepository;
  const memory = new MemoryDirectoryRepository();
  const directory = Object.create(memory) as MemoryDirectoryRepository;
  directory.getOrganization = (id) => slow('organization', () => memory.getOrganization(id))();
  // Read once and kept, as the wiring's signingSecret is.
  let secret: Promise<string> | undefined;
  const service = makeOnCall({ repository, directory, clock: new ManualClock(), secret: () => (secret ??= slow('secret', () => 's'.repeat(32))()), isZone: () => true });
  const before = (a: string, b: string) => log.indexOf(a) >= 0 && log.indexOf(a) < log.indexOf(b);
  return { log, memory, service, before, repository, directory };
}

const cisa = { id: 'cisa', name: 'CISA', kind: 'agency' as const, contacts: [{ id: 'duty', name: 'Duty', email: 'duty@cisa.example', phone: null }], createdAt: '', updatedAt: '' };

it('a PUT of a schedule asks for the secret, the organization and the schedule it replaces before any answers', async () => {
  const { log, memory, service, before } = setup();
  await memory.putOrganization(cisa);
  const { schedule } = await service.putSchedule(admin, 'cisa', 'watch', spec);
  expect(schedule.feedToken).toMatch(/^[\w-]{43}$/);
  for (const read of ['secret', 'organization', 'schedule']) expect(before(`${read} asked`, 'organization answered')).toBe(true);
  expect(log.filter((l) => l.endsWith('asked'))).toHaveLength(3);
});

it('the calendar feed reads the schedule and the organization at once, and refuses a wrong token as before', async () => {
  const { log, memory, service, before } = setup();
  await memory.putOrganization(cisa);
  const { schedule } = await service.putSchedule(admin, 'cisa', 'watch', spec);
  log.length = 0;
  const feed = await service.feed('cisa', 'watch', schedule.feedToken);
  expect(feed.contacts.map((c) => c.id)).toEqual(['duty']);
  for (const read of ['schedule', 'organization']) expect(before(`${read} asked`, 'schedule answered')).toBe(true);
  await expect(service.feed('cisa', 'watch', 'x'.repeat(43))).rejects.toBeInstanceOf(ForbiddenError);
  await expect(service.feed('cisa', 'nothing', schedule.feedToken)).rejects.toBeInstanceOf(ForbiddenError);
});

it('errors are the first check\'s, as when the reads were made one after another', async () => {
  const { service } = setup();
  // No organization: 404 from the admin check, not the schedule's absence.
  await expect(service.putSchedule(admin, 'cisa', 'watch', spec)).rejects.toBeInstanceOf(NotFoundError);
  await expect(service.putSchedule({ ...admin, orgId: 'fbi' }, 'cisa', 'watch', spec)).rejects.toThrow('No organization cisa.');
});

describe('a check between two reads made at once comes before the later read\'s failure, as when it read after the check', () => {
  it('a PUT of a schedule that is not valid is a 400 even when the schedule it replaces cannot be read', async () => {
    const { memory, service, repository } = setup();
    await memory.putOrganization(cisa);
    repository.getSchedule = async () => { throw new Error('throttled'); };
    const bad = { ...spec, layers: [{ ...spec.layers[0]!, members: ['nobody'] }] };
    await expect(service.putSchedule(admin, 'cisa', 'watch', bad)).rejects.toBeInstanceOf(ValidationError);
    await expect(service.putSchedule(admin, 'cisa', 'watch', spec)).rejects.toThrow('throttled');
  });

  it('a wrong calendar token is a 403 even when the organization cannot be read; the right one meets that failure', async () => {
    const { memory, service, directory } = setup();
    await memory.putOrganization(cisa);
    const { schedule } = await service.putSchedule(admin, 'cisa', 'watch', spec);
    directory.getOrganization = async () => { throw new Error('throttled'); };
    await expect(service.feed('cisa', 'watch', 'x'.repeat(43))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.feed('cisa', 'watch', schedule.feedToken)).rejects.toThrow('throttled');
  });
});

// Review s11: another organization's admin is refused (403) by the organization read alone; its
// answer must not wait for a read of that organization's schedule, or its time tells whether the
// schedule exists (and how large it is), where every schedule route answers others as if it did not.
it('another organization\'s admin is refused without a read of the schedule: a PUT and a new calendar token', async () => {
  const { log, memory, service } = setup();
  await memory.putOrganization(cisa);
  await service.putSchedule(admin, 'cisa', 'watch', spec);
  log.length = 0;
  const fbiAdmin: Caller = { orgId: 'fbi', role: 'admin', keyId: 'key_fbi_admin' };
  await expect(service.putSchedule(fbiAdmin, 'cisa', 'watch', spec)).rejects.toBeInstanceOf(ForbiddenError);
  await expect(service.rotateFeedToken(fbiAdmin, 'cisa', 'watch')).rejects.toBeInstanceOf(ForbiddenError);
  expect(log.filter((l) => l.startsWith('schedule'))).toEqual([]);
});
