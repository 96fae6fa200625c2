/**
 * Admin actions and their audit entries (auditedAction in domain/audit.ts, and the directory's
 * actions that use it) over the in-memory fakes: an allowed action is one `allowed` entry written
 * before its first change, a refusal one `denied` entry saying why, a failure after it was allowed
 * one of each, and an entry that cannot be written stops the action.
 */
import type { Caller } from '../../lambdas/domain/actor';
import { auditedAction } from '../../lambdas/domain/audit';
import { makeDirectory, makeKeyIssuer } from '../../lambdas/domain/directory';
import { BusyError, ForbiddenError, NotFoundError } from '../../lambdas/domain/errors';
import { ManualClock, MemoryAuditLog, MemoryDirectoryRepository } from '../support/memory-repositories';

const admin: Caller = { orgId: 'cisa', role: 'admin', keyId: 'key_cisa_admin', requestId: 'req-1' };
const county = { name: 'Pinal County', kind: 'agency' as const, contacts: [] };

function setup() {
  const log = new MemoryAuditLog();
  const clock = new ManualClock();
  const repository = new MemoryDirectoryRepository();
  const directory = makeDirectory({ directory: repository, provisioner: { provision: async () => {} }, clock });
  const keys = makeKeyIssuer({ directory: repository, clock, keyNotices: { keyCreated: async () => {} } });
  const summary = () => log.entries.map((e) => [e.action, e.outcome, e.detail]);
  return { log, clock, repository, directory, keys, summary };
}

describe('auditedAction', () => {
  it('writes one allowed entry, naming the admin, its key and the request, before the action changes anything', async () => {
    const { log, clock } = setup();
    const seen: number[] = [];
    const result = await auditedAction(log, clock, admin, 'organization.put', 'organization pinal', async (allowed) => {
      seen.push(log.entries.length);
      await allowed();
      seen.push(log.entries.length);
      return 'done';
    });
    expect([result, seen]).toEqual(['done', [0, 1]]);
    expect(log.entries).toEqual([{
      id: expect.stringMatching(/^2026-11-03T12:00:00.000Z#/), at: '2026-11-03T12:00:00.000Z', actor: { orgId: 'cisa', by: null, via: 'api', keyId: 'key_cisa_admin' },
      action: 'organization.put', requestId: 'req-1', outcome: 'allowed', detail: 'organization pinal',
    }]);
  });

  it('records a refusal as one denied entry saying why, and rethrows it', async () => {
    const { log, clock, summary } = setup();
    const refusal = new ForbiddenError('not yours');
    await expect(auditedAction(log, clock, admin, 'key.create', 'partner key for organization fbi', async () => { throw refusal; })).rejects.toBe(refusal);
    expect(summary()).toEqual([['key.create', 'denied', 'partner key for organization fbi: not yours']]);
  });

  it('records a failure after the action was allowed as such, after its allowed entry', async () => {
    const { log, clock, summary } = setup();
    await expect(auditedAction(log, clock, admin, 'notifications.replay', 'up to 10 failed deliveries', async (allowed) => { await allowed(); throw new Error('topic gone'); })).rejects.toThrow('topic gone');
    expect(summary()).toEqual([
      ['notifications.replay', 'allowed', 'up to 10 failed deliveries'],
      ['notifications.replay', 'denied', 'up to 10 failed deliveries: failed after it was allowed: topic gone'],
    ]);
  });

  it('stops the action with 503 when its allowed entry cannot be written', async () => {
    const { log, clock } = setup();
    log.failAppends = 1;
    const changed = jest.fn();
    await expect(auditedAction(log, clock, admin, 'key.revoke', 'key k', async (allowed) => { await allowed(); changed(); })).rejects.toBeInstanceOf(BusyError);
    expect(changed).not.toHaveBeenCalled();
    // The refusal's own entry is written once the log works again (here at once).
    expect(log.entries.map((e) => [e.outcome, e.detail])).toEqual([['denied', expect.stringMatching(/^key k: .*audit trail/)]]);
  });

  it('records an action that never said it was allowed, and an action allowed twice, once', async () => {
    const { log, clock, summary } = setup();
    await auditedAction(log, clock, admin, 'organization.put', 'organization a', async () => 1);
    await auditedAction(log, clock, admin, 'organization.put', 'organization b', async (allowed) => { await allowed(); await allowed(); });
    expect(summary()).toEqual([['organization.put', 'allowed', 'organization a'], ['organization.put', 'allowed', 'organization b']]);
  });

  it('keeps a long reason to 300 characters', async () => {
    const { log, clock } = setup();
    await expect(auditedAction(log, clock, admin, 'key.create', 'k', async () => { throw new Error('x'.repeat(1000)); })).rejects.toThrow();
    expect(log.entries[0]!.detail).toBe(`k: ${'x'.repeat(300)}`);
  });
});

describe('the directory\'s admin actions', () => {
  it('putting another organization\'s entry: one denied entry, and the entry unchanged', async () => {
    const { log, clock, directory, repository, summary } = setup();
    await directory.putOrganization('fbi', county);
    await repository.putKey({ keyId: 'key_fbi', orgId: 'fbi', role: 'partner', hash: 'h', createdAt: '', origin: 'operator' });
    const before = await repository.getOrganization('fbi');
    await expect(auditedAction(log, clock, admin, 'organization.put', 'organization fbi', (allowed) => directory.putOrganization('fbi', { ...county, name: 'Hijacked' }, admin, allowed))).rejects.toBeInstanceOf(ForbiddenError);
    expect(await repository.getOrganization('fbi')).toEqual(before);
    expect(summary()).toEqual([['organization.put', 'denied', expect.stringMatching(/^organization fbi: fbi's entry is changed by its own admin/)]]);
  });

  it('putting its own organization: one allowed entry, written before the entry', async () => {
    const { log, clock, directory, repository, summary } = setup();
    const stored: Array<boolean> = [];
    const result = await auditedAction(log, clock, admin, 'organization.put', 'organization cisa', (allowed) => directory.putOrganization('cisa', county, admin, async () => { await allowed(); stored.push((await repository.getOrganization('cisa')) !== null); }));
    expect([result.created, stored]).toEqual([true, [false]]);
    expect(summary()).toEqual([['organization.put', 'allowed', 'organization cisa']]);
  });

  it('creating a key for another organization, or revoking a key that is not in force: one denied entry each', async () => {
    const { log, clock, directory, keys, repository, summary } = setup();
    for (const id of ['cisa', 'fbi']) await directory.putOrganization(id, county);
    await expect(auditedAction(log, clock, admin, 'key.create', 'partner key for organization fbi', (allowed) => keys.createKey(admin, 'fbi', 'partner', undefined, allowed))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(auditedAction(log, clock, admin, 'key.revoke', 'key key_nope', (allowed) => directory.revokeKey('key_nope', allowed))).rejects.toBeInstanceOf(NotFoundError);
    expect(await repository.keysOf('fbi')).toEqual([]);
    expect(summary()).toEqual([
      ['key.create', 'denied', expect.stringMatching(/^partner key for organization fbi: Keys for fbi are created by fbi's own admin/)],
      ['key.revoke', 'denied', 'key key_nope: No key key_nope.'],
    ]);
  });

  it('creating and revoking its own key: one allowed entry each', async () => {
    const { log, clock, directory, keys, summary } = setup();
    await directory.putOrganization('cisa', county);
    const { keyId } = await auditedAction(log, clock, admin, 'key.create', 'partner key for organization cisa', (allowed) => keys.createKey(admin, 'cisa', 'partner', undefined, allowed));
    await auditedAction(log, clock, admin, 'key.revoke', `key ${keyId}`, (allowed) => directory.revokeKey(keyId, allowed));
    expect(summary()).toEqual([['key.create', 'allowed', 'partner key for organization cisa'], ['key.revoke', 'allowed', `key ${keyId}`]]);
    expect((await directory.listKeys('cisa'))[0]!.revokedAt).not.toBeNull();
  });
});
