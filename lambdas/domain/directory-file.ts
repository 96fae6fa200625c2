/**
 * Directory files (`CONCORD_DIRECTORY`, `npm run load-directory`): what loading one would change,
 * and making those changes. Only the local server and the operator's scripts load files, so this
 * stays out of the functions' bundles.
 */
import { hashKey, keyIdOf } from './api-keys';
import { keyStore, sameOrganization, type DirectoryService, type OrganizationInput } from './directory';
import type { Role } from './actor';
import type { Clock, DirectoryRepository, EscalationPolicySpec, KeyDefaults, OnCallRepository } from './ports';
import type { ScheduleSpec } from './oncall/schedule';

/** A directory file, as `CONCORD_DIRECTORY` names it. */
export interface DirectoryFile {
  organizations: Array<OrganizationInput & {
    id: string;
    keys?: Array<{ role: Role; key: string; defaults?: KeyDefaults }>;
    /** On-call schedules, each with its id (the file's schema checks them as the API does). */
    schedules?: Array<ScheduleSpec & { id: string }>;
    escalation?: EscalationPolicySpec;
  }>;
  /** People of the local identity provider (`npm start` only); the table never holds them. */
  people?: Array<{ login: string; name: string; orgId: string; password: string; roles?: Array<'manager' | 'admin'>; email?: string }>;
}

/** What loading a directory file did, or would do, to the directory in the table. */
export interface DirectoryPlan {
  /** Organizations the table does not have yet: created. */
  createOrganizations: string[];
  /** Organizations whose stored version differs from the file's: the table's (the API's) is kept at start. */
  changedOrganizations: string[];
  /**
   * Organizations the file lists that another organization's admin created through the API before
   * they were onboarded: the file's version replaces theirs, at start too (the operator onboards them).
   */
  reclaimedOrganizations: string[];
  /** Keys the table has never seen: stored. */
  addKeys: Array<{ orgId: string; keyId: string; role: Role }>;
  /** Keys the file lists that were revoked: never revived (issue a new key instead). */
  revokedKeys: Array<{ orgId: string; keyId: string }>;
  /** Keys the file lists that the table holds with another organization, role or defaults: the table's is kept. */
  conflictingKeys: Array<{ orgId: string; keyId: string; detail: string }>;
  /** Keys loaded from a directory file that the file no longer lists: revoked. */
  removedKeys: Array<{ orgId: string; keyId: string }>;
}

export interface DirectoryLoaderDeps {
  directory: DirectoryRepository;
  /** Creates and replaces organizations (and provisions their topics). */
  organizations: Pick<DirectoryService, 'putOrganization'>;
  clock: Clock;
  /** Where schedules and escalation policies are stored; absent: the file's are ignored. */
  oncall?: Pick<OnCallRepository, 'getSchedule' | 'putSchedule' | 'getPolicy' | 'putPolicy'>;
}

export function makeDirectoryLoader({ directory, organizations, clock, oncall }: DirectoryLoaderDeps) {
  const now = () => clock.now().toISOString();
  const storeKey = keyStore(directory, now);
  return {
    /**
     * Compares a directory file with the table. `apply` then makes the changes a start may make
     * (`mode: 'start'`: add what is new, revoke keys the file dropped, keep everything the API
     * changed) or an explicit reload makes (`mode: 'reload'`: also replace changed organizations).
     * Loading the same file twice changes nothing; a revoked key is never revived.
     */
    async plan(file: DirectoryFile): Promise<DirectoryPlan> {
      const plan: DirectoryPlan = { createOrganizations: [], changedOrganizations: [], reclaimedOrganizations: [], addKeys: [], revokedKeys: [], conflictingKeys: [], removedKeys: [] };
      const listed = new Set<string>();
      for (const { keys = [], id, ...org } of file.organizations) {
        const existing = await directory.getOrganization(id);
        if (!existing) plan.createOrganizations.push(id);
        else if (existing.createdBy) plan.reclaimedOrganizations.push(id);
        else if (!sameOrganization(existing, org)) plan.changedOrganizations.push(id);
        for (const k of keys) {
          const keyId = keyIdOf(hashKey(k.key));
          listed.add(keyId);
          const stored = await directory.getKey(keyId);
          if (!stored) plan.addKeys.push({ orgId: id, keyId, role: k.role });
          else if (stored.revokedAt) plan.revokedKeys.push({ orgId: id, keyId });
          else if (stored.orgId !== id || stored.role !== k.role || JSON.stringify(stored.defaults ?? null) !== JSON.stringify(k.defaults ?? null)) {
            plan.conflictingKeys.push({ orgId: id, keyId, detail: `the table has it as ${stored.orgId}'s ${stored.role} key` });
          }
        }
      }
      for (const org of await directory.listOrganizations()) {
        for (const k of await directory.keysOf(org.id)) {
          if (k.origin === 'file' && !k.revokedAt && !listed.has(k.keyId)) plan.removedKeys.push({ orgId: org.id, keyId: k.keyId });
        }
      }
      return plan;
    },

    async apply(file: DirectoryFile, plan: DirectoryPlan, mode: 'start' | 'reload'): Promise<void> {
      const replace = new Set([...plan.createOrganizations, ...plan.reclaimedOrganizations, ...(mode === 'reload' ? plan.changedOrganizations : [])]);
      const adding = new Set(plan.addKeys.map((k) => k.keyId));
      for (const { keys = [], id, schedules = [], escalation, ...org } of file.organizations) {
        if (replace.has(id)) await organizations.putOrganization(id, org);
        // Schedules and the policy as organizations: new ones added at start, the file's replacing the table's on reload.
        for (const { id: scheduleId, ...spec } of oncall ? schedules : []) {
          const stored = await oncall!.getSchedule(id, scheduleId);
          if (stored && !(replace.has(id) || mode === 'reload')) continue;
          if (stored && JSON.stringify(canonical(stored.spec)) === JSON.stringify(canonical(spec))) continue;
          const at = now();
          await oncall!.putSchedule({ orgId: id, id: scheduleId, spec, feedGeneration: stored?.feedGeneration ?? 1, createdAt: stored?.createdAt ?? at, updatedAt: at });
        }
        if (oncall && escalation) {
          const stored = await oncall.getPolicy(id);
          if (!stored || ((replace.has(id) || mode === 'reload') && JSON.stringify(canonical(stored.policy)) !== JSON.stringify(canonical(escalation)))) {
            await oncall.putPolicy({ orgId: id, policy: escalation, updatedAt: now() });
          }
        }
        for (const k of keys) {
          if (adding.has(keyIdOf(hashKey(k.key)))) await storeKey(id, k.role, k.key, 'file', k.defaults);
        }
      }
      for (const { keyId } of plan.removedKeys) await directory.revokeKey(keyId, now());
    },

    /** Seeds or tops up the directory from a file as a start does; see `plan`. */
    async load(file: DirectoryFile): Promise<DirectoryPlan> {
      const plan = await this.plan(file);
      await this.apply(file, plan, 'start');
      return plan;
    },
  };
}

export type DirectoryLoader = ReturnType<typeof makeDirectoryLoader>;

/** A value with its objects' keys sorted (the table does not keep their order) and undefined members dropped. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
