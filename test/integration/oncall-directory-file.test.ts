/** Directory files may carry on-call schedules and an escalation policy per organization (issue #24), checked as strictly as the API. */
import { DirectoryFileSchema } from '../../lambdas/http/directory-file-schema';
import { fieldErrors } from '../../lambdas/http/request';
import { directoryFiles } from '../../lambdas/wiring/directory-file';
import { onCall } from '../../lambdas/wiring/oncall';
import { useFreshTable } from '../support/harness';
import type { Caller } from '../../lambdas/domain/actor';

const org = (extra: Record<string, unknown> = {}) => ({
  id: 'pinal', name: 'Pinal County', kind: 'agency',
  contacts: [{ name: 'Clerk', email: 'clerk@pinal.example' }, { id: 'deputy', name: 'Deputy', phone: '+16025550100' }],
  ...extra,
});
const watch = { id: 'watch', name: 'Watch', timeZone: 'America/Phoenix', layers: [{ start: '2026-11-02T08:00', rotation: 'weekly' as const, members: ['clerk', 'deputy'] }] };
const errorsOf = (file: unknown) => {
  const parsed = DirectoryFileSchema.safeParse(file);
  return parsed.success ? [] : fieldErrors(parsed.error, 'file').map((e) => e.path);
};

describe('the schema', () => {
  it('accepts schedules whose members are the file\'s contacts (ids derived from names too) and a policy naming them', () => {
    expect(errorsOf({ organizations: [org({ schedules: [watch], escalation: { levels: [{ afterMinutes: 0, targets: [{ schedule: 'watch' }] }, { afterMinutes: 5, targets: [{ contact: 'clerk' }] }] } })] })).toEqual([]);
  });

  it('refuses, naming each field, what the API refuses: unknown zone, gap start, non-contact member, bad restriction, duplicate id, unknown targets', () => {
    expect(errorsOf({ organizations: [org({
      schedules: [
        { ...watch, timeZone: 'Mars/Base' },
        { ...watch, id: 'gap', timeZone: 'America/New_York', layers: [{ ...watch.layers[0], start: '2026-03-08T02:15', members: ['clerk', 'sheriff'], restrictions: [{ days: ['mon'], from: '10:00', to: '09:00' }] }] },
        { ...watch, overrides: [{ contact: 'sheriff', from: '2026-11-02T00:00:00Z', to: '2026-11-03T00:00:00Z' }] },
      ],
      escalation: { levels: [{ afterMinutes: 0, targets: [{ schedule: 'none' }, { contact: 'sheriff' }] }] },
    })] }).sort()).toEqual([
      'organizations.0.escalation.levels.0.targets.0.schedule',
      'organizations.0.escalation.levels.0.targets.1.contact',
      'organizations.0.schedules.0.timeZone',
      'organizations.0.schedules.1.layers.0.members.1',
      'organizations.0.schedules.1.layers.0.restrictions.0.to',
      'organizations.0.schedules.1.layers.0.start',
      'organizations.0.schedules.2.id',
      'organizations.0.schedules.2.overrides.0.contact',
    ]);
  });
});

describe('loading', () => {
  let table: Awaited<ReturnType<typeof useFreshTable>>;
  beforeAll(async () => { table = await useFreshTable(); });
  afterAll(() => table.drop());
  const admin: Caller = { orgId: 'pinal', role: 'admin', keyId: 'k' };

  it('stores the file\'s schedules and policy at start, keeps the API\'s changes over a second start, and takes the file\'s on reload', async () => {
    const file = DirectoryFileSchema.parse({ organizations: [org({ schedules: [watch], escalation: { levels: [{ afterMinutes: 0, targets: [{ schedule: 'watch' }] }], repeat: 1 } })] });
    const loader = await directoryFiles();
    await loader.load(file);
    const service = await onCall();
    expect(await service.getSchedule(admin, 'pinal', 'watch')).toMatchObject({ name: 'Watch', timeZone: 'America/Phoenix', layers: watch.layers });
    expect((await service.getPolicy(admin, 'pinal')).policy).toEqual({ levels: [{ afterMinutes: 0, targets: [{ schedule: 'watch' }] }], repeat: 1 });
    expect((await service.shifts(admin, 'pinal', 'watch', new Date('2026-11-02T15:00:00Z'), new Date('2026-11-10T15:00:00Z'))).map((s) => s.contact)).toEqual(['clerk', 'deputy']);
    const { id: _id, ...spec } = watch;
    await service.putSchedule(admin, 'pinal', 'watch', { ...spec, name: 'Watch (API)' });
    await loader.load(file);
    expect((await service.getSchedule(admin, 'pinal', 'watch')).name).toBe('Watch (API)');
    await loader.apply(file, await loader.plan(file), 'reload');
    expect((await service.getSchedule(admin, 'pinal', 'watch')).name).toBe('Watch');
  });
});
