/** The directory use cases: organizations, their contacts, and API keys. */
import { contactIds } from './contact-ids';
import { generateKey, hashKey, hashesEqual, keyIdOf } from './api-keys';
import { ConcurrentModificationError, ForbiddenError, NotFoundError, BusyError, UnauthorizedError, ValidationError } from './errors';
import type { Caller, Role } from './actor';
import { sameChat, type ChatSettings } from './chat';
import type { Allowed } from './audit';
import { allInOrder } from '../shared/pool';
import type { ApiKeyRecord, Clock, Contact, DirectoryRepository, IdentityProvider, KeyDefaults, KeyNotifier, KeySummary, Organization, OrganizationKind, OrganizationProvisioner, OnCallRepository } from './ports';

export interface DirectoryDeps {
  directory: DirectoryRepository;
  provisioner: OrganizationProvisioner;
  clock: Clock;
  /** The schedules and escalation policies that name contacts: a change of contacts keeps them whole. */
  oncall?: Pick<OnCallRepository, 'listSchedules' | 'getPolicy'>;
}

/** What an organization's contacts are told when a key is created for it. */
/** `lastUsedAt` is written at most this often per key, so authentication stays one read. */
export const LAST_USED_RESOLUTION_MS = 60_000;
/** The last instant a JavaScript Date holds (ECMA-262: 8.64e15 ms after the epoch). */
const LAST_DATE_MS = 8_640_000_000_000_000;

export interface OrganizationInput {
  name: string;
  kind: OrganizationKind;
  contacts: Array<{ id?: string | null; name: string; email?: string | null; phone?: string | null; red?: boolean; timeZone?: string | null }>;
  identity?: IdentityProvider[];
  endpoints?: Array<{ url: string; red?: boolean }>;
  /** Its chat channels; absent keeps what is stored (they are set by PUT …/chat, or a directory file that lists them). */
  chat?: ChatSettings;
}

/** Contacts as stored: each with its id (given, kept from `stored` by name, or derived: contactIds). */
const normalizeContacts = (contacts: OrganizationInput['contacts'], stored: readonly Contact[] = []): Contact[] => {
  const ids = contactIds(contacts, stored);
  return contacts.map((c, i) => ({ id: ids[i]!, name: c.name, email: c.email ?? null, phone: c.phone ?? null, ...(c.red ? { red: true as const } : {}), ...(c.timeZone ? { timeZone: c.timeZone } : {}) }));
};

/** Absent, not empty, when there is none: organizations without people look exactly as before. */
const identityOf = (input: OrganizationInput) => ({
  // An empty role mapping is left out (it means nothing, and DynamoDB streams mangle empty maps).
  ...(input.identity?.length ? { identity: input.identity.map(({ roles, ...p }) => (roles && Object.keys(roles).length ? { ...p, roles } : p)) } : {}),
  ...(input.endpoints?.length ? { endpoints: input.endpoints.map((e) => ({ url: e.url, red: e.red ?? false })) } : {}),
});

export function makeDirectory({ directory, provisioner, clock, oncall }: DirectoryDeps) {
  /**
   * Refuses contacts that leave out one a schedule (a layer's member, an override) or the
   * escalation policy names: its pages would find nobody, and its id could pass to someone else.
   */
  async function checkNamedContacts(id: string, contacts: readonly Contact[]): Promise<void> {
    if (!oncall) return;
    const kept = new Set(contacts.map((c) => c.id));
    const errors: Array<{ path: string; message: string }> = [];
    // Both read at once (each is a round trip, and a PUT of an organization waits for them), both
    // settled before it goes on or fails: nothing is left reading after the answer.
    const [schedules, policy] = await allInOrder([oncall.listSchedules(id), oncall.getPolicy(id)]);
    for (const s of schedules) {
      const named = new Set([...s.spec.layers.flatMap((l) => l.members), ...(s.spec.overrides ?? []).map((o) => o.contact)]);
      for (const contact of named) if (!kept.has(contact)) errors.push({ path: 'contacts', message: `leaves out ${contact}, whom schedule ${s.id} names: change the schedule first` });
    }
    for (const [i, level] of (policy?.policy.levels ?? []).entries()) {
      for (const t of level.targets) if ('contact' in t && !kept.has(t.contact)) errors.push({ path: 'contacts', message: `leaves out ${t.contact}, whom the escalation policy pages at level ${i + 1}: change the policy first` });
    }
    if (errors.length) throw new ValidationError('Contacts that a schedule or the escalation policy names cannot be removed.', errors);
  }

  const now = () => clock.now().toISOString();
  /**
   * When a write over `previous` happens: now, or a millisecond after `previous` if the clock reads
   * no later. The adapter writes only over the `updatedAt` it was given, so every write must change
   * it, even two in one millisecond or one on a clock behind the last writer's.
   */
  const changedAt = (previous: Organization | null | undefined) => {
    const at = clock.now().getTime();
    // An unreadable `updatedAt` (older data), or one at the end of time, has nothing to move past:
    // the clock's time differs from it, which is all the guard needs (NaN threw RangeError, a 500
    // on every write of the entry, the directory file's load at start included).
    const after = previous ? Date.parse(previous.updatedAt) + 1 : NaN;
    return new Date(after > at && after <= LAST_DATE_MS ? after : at).toISOString();
  };

  /**
   * The organization's topics and subscriptions, after its entry is written. SNS failing is a 503:
   * the entry is kept, and the same PUT again (idempotent) provisions what is missing.
   */
  async function provision(org: Organization): Promise<void> {
    try {
      await provisioner.provision(org);
    } catch (err) {
      throw new BusyError(`${org.id} is saved, but its notification topics could not be set up; put it again (the same PUT, or the directory file loaded again) to set them up.`, 5, { cause: err });
    }
  }

  /**
   * Creates or replaces an organization. Through the API (`by` an admin), an onboarded
   * organization — one that holds keys or signs people in — is replaced only by its own admin: its
   * contacts and endpoints receive its notifications, RED ones included, and its identity settings
   * decide who acts for it, so another organization's admin replacing them could read what that
   * organization may see. Creating an organization, or replacing one not yet onboarded, is any
   * admin's; the operator (directory files, scripts; no `by`) may do both.
   */
  async function putOrganization(id: string, input: OrganizationInput, by?: Caller, allowed?: Allowed): Promise<{ created: boolean; organization: Organization }> {
    // The entry the check read, if it read one, is the attempt's: its write is guarded by it. A
    // retry checks again: the entry that changed meanwhile may be one the caller may not replace
    // (the operator onboarded it, its own admin gave it an identity provider).
    let known = await checkPut(id, input, by);
    await allowed?.();
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) known = await checkPut(id, input, by);
      try {
        return await putOrganizationOnce(id, input, by, known);
      } catch (err) {
        if (!(err instanceof ConcurrentModificationError)) throw err;
      }
    }
    throw new BusyError(`Organization ${id} is changing too fast; try again.`, 1);
  }

  /**
   * Whether `by` may put this entry (the rules above), writing nothing; refused: Forbidden or
   * Validation. Answers the entry as it read it (null: none), when it read it (another
   * organization's admin).
   */
  async function checkPut(id: string, input: OrganizationInput, by?: Caller): Promise<{ existing: Organization | null } | undefined> {
    const read = by && by.orgId !== id ? await mayReplace(id, by.orgId) : undefined;
    if (by && read && !read.may) {
      throw new ForbiddenError(`${id}'s entry is changed by its own admin, or by the operator (npm run load-directory); an admin of ${by.orgId} may replace only an organization it created that has never held keys nor signed people in.`);
    }
    if (by && by.orgId !== id && (input.identity?.length || input.endpoints?.length)) {
      // Who signs an organization's people in, and where its notifications are pushed, are its own
      // admin's (or the operator's) to say: otherwise an admin could prepare an organization's entry
      // with its own identity provider before the organization is onboarded, and act for it after.
      throw new ForbiddenError(`Only ${id}'s own admin, or the operator, may set its identity providers and push endpoints; an admin of ${by.orgId} may give it a name, a kind and contacts.`);
    }
    await checkSharedIssuers(id, input);
    return read && { existing: read.existing };
  }

  /**
   * Whether another organization's admin may replace `id`: only one it created itself, which has
   * never held a key (revoked ones count: revoking then replacing must not work) nor signed people
   * in. Organizations from directory files and scripts are the operator's.
   */
  async function mayReplace(id: string, adminOrg: string): Promise<{ may: boolean; existing: Organization | null }> {
    // The keys are read beside the entry, not after it: one round trip, where the keys are often needed.
    const [existing, keys] = await allInOrder([directory.getOrganization(id), directory.keysOf(id)]);
    if (!existing) return { may: true, existing };
    return { may: existing.createdBy === adminOrg && !existing.identity?.length && keys.length === 0, existing };
  }

  /**
   * Organizations that trust one issuer must read the organization from the same claim: if each
   * could pick its own, one could pick a claim the issuer's people control and act for another.
   */
  async function checkSharedIssuers(id: string, input: OrganizationInput): Promise<void> {
    for (const [i, provider] of (input.identity ?? []).entries()) {
      const claim = provider.orgClaim ?? 'org';
      const other = (await directory.trustsOfIssuer(provider.issuer)).find((t) => t.orgId !== id && (t.provider.orgClaim ?? 'org') !== claim);
      if (other) {
        throw new ValidationError('Organizations that trust the same issuer must read the organization from the same claim.', [
          { path: `identity.${i}.orgClaim`, message: `must be "${other.provider.orgClaim ?? 'org'}", as for the other organizations that trust ${provider.issuer}` },
        ]);
      }
    }
  }

  async function putOrganizationOnce(id: string, input: OrganizationInput, by?: Caller, known?: { existing: Organization | null }): Promise<{ created: boolean; organization: Organization }> {
    const existing = known ? known.existing : await directory.getOrganization(id);
    const contacts = normalizeContacts(input.contacts, existing?.contacts);
    if (existing) await checkNamedContacts(id, contacts);
    if (existing && sameOrganization(existing, input) && (by || !existing.createdBy)) {
      await provision(existing);
      return { created: false, organization: existing };
    }
    const at = changedAt(existing);
    // Who created it decides who else may replace it (mayReplace); once the operator (a directory
    // file, a script) writes it, it is the operator's, and no other admin's to change.
    const creator = !by ? undefined : existing ? existing.createdBy : by.orgId;
    const chat = input.chat ?? existing?.chat;
    const organization: Organization = { id, name: input.name, kind: input.kind, contacts, ...identityOf(input), ...(chat?.channels.length ? { chat } : {}), ...(creator ? { createdBy: creator } : {}), createdAt: existing?.createdAt ?? at, updatedAt: at };
    const { created } = await directory.putOrganization(organization, existing);
    await provision(organization);
    return { created, organization };
  }

  /**
   * Connects chat channels (replacing the list; empty disconnects them all). Only the
   * organization's own admin: its channels receive its incidents, AMBER+STRICT included, so another
   * organization's admin pointing them elsewhere could read them. The operator may list them in the
   * directory file.
   */
  async function putChat(orgId: string, chat: ChatSettings, by: Caller, allowed?: Allowed): Promise<ChatSettings> {
    if (by.orgId !== orgId) {
      if (!(await directory.getOrganization(orgId))) throw new NotFoundError(`No organization ${orgId}.`);
      throw new ForbiddenError(`${orgId}'s chat channels are connected by ${orgId}'s own admin, or by the operator (the directory file); an admin of ${by.orgId} may connect ${by.orgId}'s only.`);
    }
    await allowed?.();
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await directory.getOrganization(orgId);
      if (!existing) throw new NotFoundError(`No organization ${orgId}.`);
      const { chat: _old, ...rest } = existing;
      const next: Organization = { ...rest, ...(chat.channels.length ? { chat: { channels: chat.channels } } : {}), updatedAt: changedAt(existing) };
      try {
        await directory.putOrganization(next, existing);
        return { channels: chat.channels };
      } catch (err) {
        if (!(err instanceof ConcurrentModificationError)) throw err;
      }
    }
    throw new BusyError(`Organization ${orgId} is changing too fast; try again.`, 1);
  }

  /** The stored record of a presented key, compared in constant time; null when unknown or revoked. */
  async function findKey(key: string): Promise<ApiKeyRecord | null> {
    const hash = hashKey(key);
    const record = await directory.getKey(keyIdOf(hash));
    if (!record || !hashesEqual(record.hash, hash) || record.revokedAt) return null;
    const at = clock.now();
    if (!record.lastUsedAt || at.getTime() - Date.parse(record.lastUsedAt) >= LAST_USED_RESOLUTION_MS) {
      await directory.touchKey(record.keyId, at.toISOString());
    }
    return record;
  }

  return {
    putOrganization,
    putChat,

    listOrganizations: () => directory.listOrganizations(),

    /** Every key of an organization, revoked ones included: ids, roles, dates; never a secret or a hash. */
    async listKeys(orgId: string): Promise<KeySummary[]> {
      if (!(await directory.getOrganization(orgId))) throw new NotFoundError(`No organization ${orgId}.`);
      return (await directory.keysOf(orgId)).map(({ keyId, role, createdAt, lastUsedAt, revokedAt, defaults }) =>
        ({ keyId, role, createdAt, lastUsedAt: lastUsedAt ?? null, revokedAt: revokedAt ?? null, ...(defaults ? { defaults } : {}) }));
    },

    /**
     * Any admin may revoke any key (a leaked key must stop at once); a revoked key is kept as a
     * tombstone, so nothing revives it. `allowed` is told once a key in force is found.
     */
    async revokeKey(keyId: string, allowed?: Allowed): Promise<void> {
      if (allowed) {
        const key = await directory.getKey(keyId);
        if (!key || key.revokedAt) throw new NotFoundError(`No key ${keyId}.`);
        await allowed();
      }
      if (!(await directory.revokeKey(keyId, now()))) throw new NotFoundError(`No key ${keyId}.`);
    },

    /** The caller a presented key stands for; unknown or revoked keys are `UnauthorizedError`. */
    async authenticate(key: string): Promise<Caller> {
      const record = await findKey(key);
      if (!record) throw new UnauthorizedError('The API key is not valid.');
      return { orgId: record.orgId, role: record.role, keyId: record.keyId };
    },

    /** A partner key used as an integration's routing key, with its defaults; null for anything else. */
    async routingKey(key: string): Promise<{ caller: Caller; defaults: KeyDefaults } | null> {
      const record = await findKey(key);
      if (!record || record.role !== 'partner') return null;
      return { caller: { orgId: record.orgId, role: record.role, keyId: record.keyId }, defaults: record.defaults ?? {} };
    },

  };
}

export function sameOrganization(stored: Organization, input: OrganizationInput): boolean {
  return stored.name === input.name && stored.kind === input.kind && JSON.stringify(stored.contacts) === JSON.stringify(normalizeContacts(input.contacts, stored.contacts))
    && JSON.stringify(stored.identity ?? []) === JSON.stringify(identityOf(input).identity ?? [])
    && JSON.stringify(stored.endpoints ?? []) === JSON.stringify(identityOf(input).endpoints ?? [])
    && (input.chat === undefined || sameChat(stored.chat, input.chat));
}

export type DirectoryService = ReturnType<typeof makeDirectory>;

/** Stores a key's hash (never the key) with its id, role and origin. */
export function keyStore(directory: DirectoryRepository, now: () => string) {
  return async (orgId: string, role: Role, key: string, origin: ApiKeyRecord['origin'], defaults?: KeyDefaults): Promise<ApiKeyRecord> => {
    const hash = hashKey(key);
    const record: ApiKeyRecord = { keyId: keyIdOf(hash), orgId, role, hash, createdAt: now(), origin, ...(defaults ? { defaults } : {}) };
    await directory.putKey(record);
    return record;
  };
}

export interface KeyIssuerDeps {
  directory: DirectoryRepository;
  clock: Clock;
  /** Tells an organization's contacts that a key was created for it. */
  keyNotices: KeyNotifier;
}

/**
 * Creating keys: apart from the rest of the directory because only the functions that create keys
 * need the notice rendering (and its bundle weight).
 */
export function makeKeyIssuer({ directory, clock, keyNotices }: KeyIssuerDeps) {
  const now = () => clock.now().toISOString();
  const storeKey = keyStore(directory, now);

  async function checkDefaults(defaults: KeyDefaults | undefined): Promise<void> {
    const listed = defaults?.participants ?? [];
    const missing = new Set(await directory.missingOrganizations(listed));
    if (missing.size) {
      throw new ValidationError('Every default participant must be an organization of the directory.', listed.flatMap((id, i) =>
        missing.has(id) ? [{ path: `defaults.participants.${i}`, message: `unknown organization "${id}"` }] : []));
    }
  }

  /** Creates a key and tells the organization's contacts first: no key exists that they were not told of. */
  async function issueKey(orgId: string, role: Role, origin: ApiKeyRecord['origin'], createdBy: string, defaults?: KeyDefaults, allowed?: Allowed): Promise<{ keyId: string; key: string }> {
    const organization = await directory.getOrganization(orgId);
    if (!organization) throw new NotFoundError(`No organization ${orgId}.`);
    await checkDefaults(defaults);
    await allowed?.();
    const key = generateKey();
    const keyId = keyIdOf(hashKey(key));
    await keyNotices.keyCreated({ organization, keyId, role, createdBy, at: now() });
    await storeKey(orgId, role, key, origin, defaults);
    return { keyId, key };
  }

  return {
    /**
     * An admin creates keys for their own organization only: an admin of one organization minting a
     * partner key for another could read that organization's RED incidents. Other organizations'
     * first keys come from the operator (`bootstrapKey`).
     */
    async createKey(caller: Caller, orgId: string, role: Role, defaults?: KeyDefaults, allowed?: Allowed): Promise<{ keyId: string; key: string }> {
      if (caller.orgId !== orgId) {
        if (!(await directory.getOrganization(orgId))) throw new NotFoundError(`No organization ${orgId}.`);
        throw new ForbiddenError(`Keys for ${orgId} are created by ${orgId}'s own admin, or by the operator (npm run admin-key); an admin of ${caller.orgId} may create keys for ${caller.orgId} only.`);
      }
      const by = caller.person ? `${caller.orgId} admin ${caller.person.name} (${caller.person.id})` : `${caller.orgId} admin key ${caller.keyId}`;
      return issueKey(orgId, role, 'api', by, defaults, allowed);
    },

    /** The operator's path (scripts with AWS credentials): any organization, still announced to its contacts. */
    bootstrapKey: (orgId: string, role: Role) => issueKey(orgId, role, 'operator', 'the operator'),

  };
}

export type KeyIssuer = ReturnType<typeof makeKeyIssuer>;

