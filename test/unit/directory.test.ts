/**
 * The directory use cases (domain/directory.ts) over the in-memory fakes: who may put an
 * organization, the shared-issuer rule, keys found, touched and revoked, and keys issued only to
 * an organization's own admin, its contacts told first.
 */
import type { Caller } from '../../lambdas/domain/actor';
import { LAST_USED_RESOLUTION_MS, makeDirectory, makeKeyIssuer, type OrganizationInput } from '../../lambdas/domain/directory';
import { BusyError, ConcurrentModificationError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../../lambdas/domain/errors';
import type { KeyNotice, Organization } from '../../lambdas/domain/ports';
import { ManualClock, MemoryDirectoryRepository } from '../support/memory-repositories';

const cisaAdmin: Caller = { orgId: 'cisa', role: 'admin', keyId: 'key_cisa_admin' };
const nsaAdmin: Caller = { orgId: 'nsa', role: 'admin', keyId: 'key_nsa_admin' };
const fbiAdmin: Caller = { orgId: 'fbi', role: 'admin', keyId: 'key_fbi_admin' };
const county: OrganizationInput = { name: 'Pinal County', kind: 'agency', contacts: [{ name: 'Clerk', email: 'clerk@pinal.example' }] };
const ISSUER = 'https://login.example';

function setup() {
  const repository = new MemoryDirectoryRepository();
  const clock = new ManualClock();
  const provisioned: Organization[] = [];
  const notices: KeyNotice[] = [];
  const directory = makeDirectory({ directory: repository, provisioner: { provision: async (org) => { provisioned.push(org); } }, clock });
  const issuer = makeKeyIssuer({ directory: repository, clock, keyNotices: { keyCreated: async (notice) => { notices.push(notice); } } });
  return { repository, clock, provisioned, notices, directory, issuer };
}

describe('putting organizations', () => {
  it('creates, then replaces, normalizing contacts, leaving out an empty role mapping, and provisions each time', async () => {
    const { directory, repository, provisioned, clock } = setup();
    const first = await directory.putOrganization('pinal', { ...county, identity: [{ issuer: ISSUER, audience: 'concord', roles: {} }], endpoints: [{ url: 'https://siem.pinal.example/in' }] });
    expect(first.created).toBe(true);
    expect(first.organization).toEqual({
      id: 'pinal', name: 'Pinal County', kind: 'agency', contacts: [{ id: 'clerk', name: 'Clerk', email: 'clerk@pinal.example', phone: null }],
      identity: [{ issuer: ISSUER, audience: 'concord' }], endpoints: [{ url: 'https://siem.pinal.example/in', red: false }],
      createdAt: '2026-11-03T12:00:00.000Z', updatedAt: '2026-11-03T12:00:00.000Z',
    });
    clock.advance(60);
    const second = await directory.putOrganization('pinal', { ...county, name: 'Pinal County Elections' });
    expect([second.created, second.organization.name, second.organization.createdAt, second.organization.updatedAt]).toEqual([false, 'Pinal County Elections', '2026-11-03T12:00:00.000Z', '2026-11-03T12:01:00.000Z']);
    expect(second.organization.identity).toBeUndefined();
    expect(provisioned.map((o) => o.name)).toEqual(['Pinal County', 'Pinal County Elections']);
    expect(await repository.getOrganization('pinal')).toEqual(second.organization);
  });

  // #27: each read is a round trip; an organization's PUT by another organization's admin reads the
  // entry and its keys, and a change of contacts the schedules and the policy, two at a time.
  it('reads the entry beside its keys, and the schedules beside the escalation policy', async () => {
    const { repository, clock } = setup();
    const started: string[] = [];
    const waits: Array<{ pair: string; alone: boolean }> = [];
    /** Holds `name`'s read until its partner in `pair` has started too (or 100 ms have passed). */
    const paired = async <T>(name: string, pair: string, read: () => Promise<T>): Promise<T> => {
      started.push(name);
      const partner = pair.split('+').find((n) => n !== name)!;
      for (let i = 0; i < 20 && !started.includes(partner); i++) await new Promise((r) => setTimeout(r, 5));
      waits.push({ pair, alone: !started.includes(partner) });
      return read();
    };
    const watched = Object.create(repository) as typeof repository;
    watched.getOrganization = (id) => paired('entry', 'entry+keys', () => repository.getOrganization(id));
    watched.keysOf = (id) => paired('keys', 'entry+keys', () => repository.keysOf(id));
    const oncall = {
      listSchedules: (id: string) => paired('schedules', 'schedules+policy', async () => { void id; return []; }),
      getPolicy: (id: string) => paired('policy', 'schedules+policy', async () => { void id; return null; }),
    };
    const directory = makeDirectory({ directory: watched, provisioner: { provision: async () => {} }, clock, oncall });
    await directory.putOrganization('pinal', county, cisaAdmin);
    started.length = 0;
    await directory.putOrganization('pinal', { ...county, name: 'Pinal' }, cisaAdmin);
    expect(waits.filter((w) => w.pair === 'entry+keys' && w.alone)).toHaveLength(0);
    expect(waits.filter((w) => w.pair === 'schedules+policy')).toHaveLength(2);
    expect(waits.filter((w) => w.pair === 'schedules+policy' && w.alone)).toHaveLength(0);
  });

  // Review s8: the reads paired for one round trip are settled before the PUT answers, and a
  // failure is the first read's, as when they were read one after the other.
  it('a paired read that fails answers once its partner has settled, with the first read\'s error', async () => {
    const { repository, clock } = setup();
    const directory = makeDirectory({ directory: repository, provisioner: { provision: async () => {} }, clock });
    await directory.putOrganization('pinal', county, cisaAdmin);
    const running = new Set<string>();
    const slow = <T>(name: string, read: () => Promise<T>, fail?: Error) => async (): Promise<T> => {
      running.add(name);
      try {
        await new Promise((r) => setTimeout(r, fail ? 1 : 30));
        if (fail) throw fail;
        return await read();
      } finally { running.delete(name); }
    };
    const watched = Object.create(repository) as typeof repository;
    watched.getOrganization = (id) => slow('entry', () => repository.getOrganization(id))();
    watched.keysOf = (id) => slow('keys', () => repository.keysOf(id), new Error('keys unreadable'))();
    const oncall = {
      listSchedules: (id: string) => slow('schedules', async () => { void id; return []; }, new Error('schedules unreadable'))(),
      getPolicy: (id: string) => slow('policy', async () => { void id; return null; })(),
    };
    const paired = makeDirectory({ directory: watched, provisioner: { provision: async () => {} }, clock, oncall });
    await expect(paired.putOrganization('pinal', { ...county, name: 'Pinal' }, cisaAdmin)).rejects.toThrow('keys unreadable');
    expect([...running]).toEqual([]);
    watched.keysOf = (id) => repository.keysOf(id);
    await expect(paired.putOrganization('pinal', { ...county, name: 'Pinal' }, cisaAdmin)).rejects.toThrow('schedules unreadable');
    expect([...running]).toEqual([]);
  });

  it('topics that cannot be provisioned: a 503 (BusyError) saying the entry is saved, and the same PUT again provisions them', async () => {
    const { repository, clock } = setup();
    let snsDown = true;
    const provisioned: string[] = [];
    const directory = makeDirectory({ directory: repository, clock, provisioner: { provision: async (org) => { if (snsDown) throw new Error('SNS is throttling'); provisioned.push(org.id); } } });
    const failed = await directory.putOrganization('pinal', county, cisaAdmin).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(BusyError);
    expect((failed as BusyError).message).toMatch(/pinal is saved.*the same PUT, or the directory file loaded again/);
    expect((failed as BusyError).retryAfterSeconds).toBeGreaterThan(0);
    expect(await repository.getOrganization('pinal')).toMatchObject({ name: 'Pinal County' });
    snsDown = false;
    expect((await directory.putOrganization('pinal', county, cisaAdmin)).created).toBe(false);
    expect(provisioned).toEqual(['pinal']);
  });

  it('writes nothing for an entry that is the same, and still provisions its topics', async () => {
    const { directory, clock, provisioned } = setup();
    const { organization } = await directory.putOrganization('pinal', county);
    clock.advance(3600);
    const again = await directory.putOrganization('pinal', county);
    expect(again).toEqual({ created: false, organization });
    expect(provisioned).toHaveLength(2);
  });

  it('lets an admin create an organization and fix it until it holds a key, a revoked one included', async () => {
    const { directory, issuer, repository } = setup();
    expect((await directory.putOrganization('pinal', county, cisaAdmin)).organization.createdBy).toBe('cisa');
    expect((await directory.putOrganization('pinal', { ...county, name: 'Pinal' }, cisaAdmin)).created).toBe(false);
    const { keyId } = await issuer.bootstrapKey('pinal', 'partner');
    await directory.revokeKey(keyId);
    await expect(directory.putOrganization('pinal', county, cisaAdmin)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await repository.getOrganization('pinal'))!.name).toBe('Pinal');
  });

  it('refuses another organization\'s admin replacing an entry it did not create, or one that signs people in', async () => {
    const { directory, repository } = setup();
    await directory.putOrganization('pinal', county, cisaAdmin);
    await expect(directory.putOrganization('pinal', county, fbiAdmin)).rejects.toBeInstanceOf(ForbiddenError);
    await directory.putOrganization('maricopa', { ...county, identity: [{ issuer: ISSUER, audience: 'concord' }] });
    await expect(directory.putOrganization('maricopa', county, cisaAdmin)).rejects.toBeInstanceOf(ForbiddenError);
    // Its own admin may.
    const own: Caller = { orgId: 'maricopa', role: 'admin', keyId: 'key_m' };
    expect((await directory.putOrganization('maricopa', { ...county, name: 'Maricopa' }, own)).organization.name).toBe('Maricopa');
    expect((await repository.getOrganization('pinal'))!.createdBy).toBe('cisa');
  });

  it('leaves identity providers and push endpoints to an organization\'s own admin or the operator', async () => {
    const { directory, repository } = setup();
    await expect(directory.putOrganization('nsa', { ...county, identity: [{ issuer: ISSUER, audience: 'concord' }] }, cisaAdmin)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(directory.putOrganization('nsa', { ...county, endpoints: [{ url: 'https://cisa.example/in' }] }, cisaAdmin)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await repository.getOrganization('nsa')).toBeNull();
    expect((await directory.putOrganization('cisa', { ...county, endpoints: [{ url: 'https://cisa.example/in', red: true }] }, cisaAdmin)).organization.endpoints).toEqual([{ url: 'https://cisa.example/in', red: true }]);
  });

  it('makes an entry the operator writes the operator\'s: the admin who prepared it may no longer change it', async () => {
    const { directory } = setup();
    await directory.putOrganization('nsa', county, cisaAdmin);
    const { organization } = await directory.putOrganization('nsa', county);
    expect(organization.createdBy).toBeUndefined();
    await expect(directory.putOrganization('nsa', county, cisaAdmin)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('wants organizations that trust one issuer to read the organization from the same claim', async () => {
    const { directory, repository } = setup();
    await directory.putOrganization('fbi', { ...county, identity: [{ issuer: ISSUER, audience: 'concord' }] });
    const refused = directory.putOrganization('cisa', { ...county, identity: [{ issuer: 'https://other.example', audience: 'c' }, { issuer: ISSUER, audience: 'concord', orgClaim: 'name' }] });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ errors: [{ path: 'identity.1.orgClaim', message: expect.stringMatching(/^must be "org"/) }] });
    expect(await repository.getOrganization('cisa')).toBeNull();
    expect((await directory.putOrganization('cisa', { ...county, identity: [{ issuer: ISSUER, audience: 'concord', orgClaim: 'org' }] })).created).toBe(true);
  });

  it('tells `allowed` only once every check passed, before the first write', async () => {
    const { directory, repository } = setup();
    const calls: string[] = [];
    await expect(directory.putOrganization('nsa', { ...county, endpoints: [{ url: 'https://x.example' }] }, cisaAdmin, async () => { calls.push('refused?'); })).rejects.toBeInstanceOf(ForbiddenError);
    await directory.putOrganization('nsa', county, cisaAdmin, async () => { calls.push(`allowed, stored: ${(await repository.getOrganization('nsa')) !== null}`); });
    expect(calls).toEqual(['allowed, stored: false']);
  });
});

describe('#27: another organization\'s admin puts an entry with one read of it', () => {
  it('creating, then replacing: the entry its check read is the one its write is guarded by', async () => {
    const { directory, repository } = setup();
    const reads = jest.spyOn(repository, 'getOrganization');
    await directory.putOrganization('pinal', county, cisaAdmin);
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockClear();
    const put = jest.spyOn(repository, 'putOrganization');
    await directory.putOrganization('pinal', { ...county, name: 'Pinal' }, cisaAdmin);
    expect(reads).toHaveBeenCalledTimes(1);
    expect((put.mock.calls[0] as unknown[])[1]).toMatchObject({ name: 'Pinal County', createdBy: 'cisa' });
    expect((await repository.getOrganization('pinal'))!.name).toBe('Pinal');
  });

  it('a write refused by a change since the check reads the entry again, and writes', async () => {
    const { directory, repository } = setup();
    await directory.putOrganization('pinal', county, cisaAdmin);
    const write = repository.putOrganization.bind(repository);
    let refused = 0;
    repository.putOrganization = async (...args: Parameters<typeof write>) => {
      if (refused++ === 0) throw new ConcurrentModificationError('changed since read');
      return write(...args);
    };
    const reads = jest.spyOn(repository, 'getOrganization');
    const { created, organization } = await directory.putOrganization('pinal', { ...county, name: 'Pinal' }, cisaAdmin);
    expect([created, organization.name]).toEqual([false, 'Pinal']);
    expect(reads).toHaveBeenCalledTimes(2);
  });
});

describe('keys', () => {
  it('authenticates a key in force, and records its use at most once a minute', async () => {
    const { directory, issuer, repository, clock } = setup();
    await directory.putOrganization('fbi', county);
    const { key, keyId } = await issuer.bootstrapKey('fbi', 'partner');
    expect(await directory.authenticate(key)).toEqual({ orgId: 'fbi', role: 'partner', keyId });
    const firstUse = (await repository.getKey(keyId))!.lastUsedAt;
    expect(firstUse).toBe(clock.now().toISOString());
    clock.advance(LAST_USED_RESOLUTION_MS / 1000 - 1);
    await directory.authenticate(key);
    expect((await repository.getKey(keyId))!.lastUsedAt).toBe(firstUse);
    clock.advance(1);
    await directory.authenticate(key);
    expect((await repository.getKey(keyId))!.lastUsedAt).toBe(clock.now().toISOString());
  });

  it('refuses unknown and revoked keys alike, and keeps a revoked key revoked', async () => {
    const { directory, issuer } = setup();
    await directory.putOrganization('fbi', county);
    const { key, keyId } = await issuer.bootstrapKey('fbi', 'partner');
    await expect(directory.authenticate('no-such-key-0123456789abcdef')).rejects.toBeInstanceOf(UnauthorizedError);
    const allowed = jest.fn(async () => {});
    await directory.revokeKey(keyId, allowed);
    expect(allowed).toHaveBeenCalledTimes(1);
    await expect(directory.authenticate(key)).rejects.toBeInstanceOf(UnauthorizedError);
    const again = jest.fn(async () => {});
    await expect(directory.revokeKey(keyId, again)).rejects.toBeInstanceOf(NotFoundError);
    await expect(directory.revokeKey('key_000000000000000000000000', again)).rejects.toBeInstanceOf(NotFoundError);
    expect(again).not.toHaveBeenCalled();
  });

  it('takes partner keys only as routing keys, with their defaults', async () => {
    const { directory, issuer } = setup();
    for (const id of ['fbi', 'cisa']) await directory.putOrganization(id, county);
    const fbi: Caller = { orgId: 'fbi', role: 'admin', keyId: 'k' };
    const partner = await issuer.createKey(fbi, 'fbi', 'partner', { participants: ['cisa'], tlp: 'GREEN' });
    const manager = await issuer.createKey(fbi, 'fbi', 'manager');
    expect(await directory.routingKey(partner.key)).toEqual({ caller: { orgId: 'fbi', role: 'partner', keyId: partner.keyId }, defaults: { participants: ['cisa'], tlp: 'GREEN' } });
    expect(await directory.routingKey(manager.key)).toBeNull();
    expect(await directory.routingKey('not-a-key-0123456789abcdef')).toBeNull();
  });

  it('lists an organization\'s keys, revoked ones included, never a hash', async () => {
    const { directory, issuer, clock } = setup();
    await directory.putOrganization('fbi', county);
    const { keyId } = await issuer.bootstrapKey('fbi', 'manager');
    clock.advance(5);
    await directory.revokeKey(keyId);
    expect(await directory.listKeys('fbi')).toEqual([{ keyId, role: 'manager', createdAt: '2026-11-03T12:00:00.000Z', lastUsedAt: null, revokedAt: '2026-11-03T12:00:05.000Z' }]);
    expect(JSON.stringify(await directory.listKeys('fbi'))).not.toMatch(/hash/);
    await expect(directory.listKeys('nobody')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('issues keys to an admin\'s own organization only, its contacts told before the key exists', async () => {
    const { directory, issuer, notices, repository } = setup();
    for (const id of ['fbi', 'cisa']) await directory.putOrganization(id, county);
    await expect(issuer.createKey(cisaAdmin, 'fbi', 'partner')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(issuer.createKey(cisaAdmin, 'nobody', 'partner')).rejects.toBeInstanceOf(NotFoundError);
    expect(notices).toEqual([]);
    const seenStored: boolean[] = [];
    const told = makeKeyIssuer({ directory: repository, clock: new ManualClock(), keyNotices: { keyCreated: async (n) => { seenStored.push((await repository.getKey(n.keyId)) !== null); notices.push(n); } } });
    const issued = await told.createKey(cisaAdmin, 'cisa', 'partner');
    expect(seenStored).toEqual([false]);
    expect(notices).toEqual([expect.objectContaining({ keyId: issued.keyId, role: 'partner', createdBy: 'cisa admin key key_cisa_admin' })]);
    expect(notices[0]!.organization.id).toBe('cisa');
    // A person with the admin role has no key: the notice names them.
    const person: Caller = { orgId: 'cisa', role: 'admin', keyId: '', person: { id: 'https://idp.cisa.example#casey', name: 'Casey Park' } };
    await told.createKey(person, 'cisa', 'partner');
    expect(notices[1]!.createdBy).toBe('cisa admin Casey Park (https://idp.cisa.example#casey)');
    const stored = (await repository.getKey(issued.keyId))!;
    expect([stored.origin, stored.hash === issued.key, JSON.stringify(stored).includes(issued.key)]).toEqual(['api', false, false]);
  });

  it('refuses default participants the directory lacks, naming each, and issues nothing', async () => {
    const { directory, issuer, notices, repository } = setup();
    await directory.putOrganization('cisa', county);
    const allowed = jest.fn(async () => {});
    const refused = issuer.createKey(cisaAdmin, 'cisa', 'partner', { participants: ['cisa', 'nope', 'gone'] }, allowed);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ errors: [{ path: 'defaults.participants.1' }, { path: 'defaults.participants.2' }] });
    expect([allowed.mock.calls.length, notices.length, (await repository.keysOf('cisa')).length]).toEqual([0, 0, 0]);
  });

  it('lets the operator bootstrap any organization\'s key, still announced', async () => {
    const { directory, issuer, notices, repository } = setup();
    await directory.putOrganization('fbi', county);
    const { keyId } = await issuer.bootstrapKey('fbi', 'admin');
    expect((await repository.getKey(keyId))!.origin).toBe('operator');
    expect(notices.map((n) => [n.organization.id, n.createdBy])).toEqual([['fbi', 'the operator']]);
    await expect(issuer.bootstrapKey('nobody', 'admin')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('review s11: a retry after a concurrent change is checked again', () => {
  /** The DynamoDB adapter's guard: a write over an entry must name the one stored (its updatedAt), or none. */
  function guarded(repository: MemoryDirectoryRepository) {
    const write = repository.putOrganization.bind(repository);
    repository.putOrganization = async (org: Organization, previous?: Organization | null) => {
      const stored = await repository.getOrganization(org.id);
      if ((stored?.updatedAt ?? null) !== (previous?.updatedAt ?? null)) throw new ConcurrentModificationError('the organization changed');
      return write(org);
    };
  }

  // The guard compares updatedAt: a write in the same millisecond as the one before must still
  // leave a different value, or the second write's guard passes over the first.
  it.each([['a second later', 1], ['in the same millisecond', 0]])('the operator onboarding an entry while another organization\'s admin replaces it (%s): that admin\'s write is refused, the operator\'s entry kept', async (_, seconds) => {
    const { directory, repository, clock } = setup();
    guarded(repository);
    await directory.putOrganization('nsa', county, cisaAdmin);
    // The operator's directory file onboards nsa (its identity provider) just after cisa's check read the entry and its keys.
    const keys = repository.keysOf.bind(repository);
    let raced = false;
    repository.keysOf = async (orgId: string) => {
      const read = await keys(orgId);
      if (!raced) {
        raced = true;
        clock.advance(seconds);
        await directory.putOrganization('nsa', { ...county, identity: [{ issuer: ISSUER, audience: 'concord' }] });
      }
      return read;
    };
    const takeover = { ...county, contacts: [{ name: 'Relay', email: 'relay@cisa.example' }] };
    await expect(directory.putOrganization('nsa', takeover, cisaAdmin)).rejects.toBeInstanceOf(ForbiddenError);
    const stored = (await repository.getOrganization('nsa'))!;
    expect([stored.createdBy, stored.identity, stored.contacts.map((c) => c.email)]).toEqual([undefined, [{ issuer: ISSUER, audience: 'concord' }], ['clerk@pinal.example']]);
    expect(await repository.trustsOfIssuer(ISSUER)).toEqual([expect.objectContaining({ orgId: 'nsa' })]);
  });

  it('chat channels connected in the same millisecond as a change of contacts keep both', async () => {
    const { directory, repository } = setup();
    guarded(repository);
    await directory.putOrganization('nsa', county);
    const get = repository.getOrganization.bind(repository);
    let raced = false;
    repository.getOrganization = async (id: string) => {
      const read = await get(id);
      if (!raced) {
        raced = true;
        repository.getOrganization = get;
        await directory.putOrganization('nsa', { ...county, contacts: [...county.contacts, { name: 'Night desk', email: 'night@pinal.example' }] });
      }
      return read;
    };
    await directory.putChat('nsa', { channels: [{ kind: 'slack', channel: 'C0NSA', team: 'T0NSA' }] }, nsaAdmin);
    const stored = (await get('nsa'))!;
    expect([stored.contacts.map((c) => c.email), stored.chat?.channels]).toEqual([['clerk@pinal.example', 'night@pinal.example'], [{ kind: 'slack', channel: 'C0NSA', team: 'T0NSA' }]]);
  });
});

describe('review 13: an entry whose updatedAt is unreadable (older data) is still written', () => {
  // The write guard compares the stored text; the next updatedAt only has to differ from it. Moving
  // "past" an unreadable one (NaN) threw RangeError: every PUT of the entry, its chat channels and
  // the directory file's load at start were a 500, and the entry could not be repaired.
  it.each(['', 'not a time', '+275760-09-13T00:00:00.000Z'])('updatedAt %j: PUT and chat both write, at the clock\'s time or after', async (updatedAt) => {
    const { directory, repository, clock } = setup();
    await directory.putOrganization('nsa', county);
    const stored = (await repository.getOrganization('nsa'))!;
    await repository.putOrganization({ ...stored, updatedAt });
    const put = await directory.putOrganization('nsa', { ...county, name: 'Pinal County Elections' }, nsaAdmin);
    expect(put.organization.name).toBe('Pinal County Elections');
    expect(put.organization.updatedAt).not.toBe(updatedAt);
    expect(Number.isNaN(Date.parse(put.organization.updatedAt))).toBe(false);
    await repository.putOrganization({ ...(await repository.getOrganization('nsa'))!, updatedAt });
    await directory.putChat('nsa', { channels: [{ kind: 'slack', channel: 'C0NSA', team: 'T0NSA' }] }, nsaAdmin);
    const after = (await repository.getOrganization('nsa'))!;
    expect(after.chat?.channels).toEqual([{ kind: 'slack', channel: 'C0NSA', team: 'T0NSA' }]);
    expect(after.updatedAt).not.toBe(updatedAt);
    expect(Date.parse(after.updatedAt)).toBeGreaterThanOrEqual(clock.now().getTime());
  });
});
