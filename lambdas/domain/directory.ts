/** The directory use cases: organizations, their contacts, and API keys. */
import { generateKey, hashKey, hashesEqual, keyIdOf } from './api-keys';
import { ConcurrentModificationError, NotFoundError, RetryLaterError, UnauthorizedError, ValidationError } from './errors';
import type { Caller, Role } from './incident';
import type { ApiKeyRecord, Clock, Contact, DirectoryRepository, KeyDefaults, Organization, OrganizationKind, OrganizationProvisioner } from './ports';

export interface DirectoryDeps {
  directory: DirectoryRepository;
  provisioner: OrganizationProvisioner;
  clock: Clock;
}

export interface OrganizationInput {
  name: string;
  kind: OrganizationKind;
  contacts: Array<{ name: string; email?: string | null; phone?: string | null }>;
}

/** A directory file, as `CONCORD_DIRECTORY` names it. */
export interface DirectoryFile {
  organizations: Array<OrganizationInput & { id: string; keys?: Array<{ role: Role; key: string; defaults?: KeyDefaults }> }>;
}

const normalizeContacts = (contacts: OrganizationInput['contacts']): Contact[] =>
  contacts.map((c) => ({ name: c.name, email: c.email ?? null, phone: c.phone ?? null }));

export function makeDirectory({ directory, provisioner, clock }: DirectoryDeps) {
  const now = () => clock.now().toISOString();

  async function putOrganization(id: string, input: OrganizationInput): Promise<{ created: boolean; organization: Organization }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await putOrganizationOnce(id, input);
      } catch (err) {
        if (!(err instanceof ConcurrentModificationError)) throw err;
      }
    }
    throw new RetryLaterError(`Organization ${id} is changing too fast; try again.`, 503, 1);
  }

  async function putOrganizationOnce(id: string, input: OrganizationInput): Promise<{ created: boolean; organization: Organization }> {
    const existing = await directory.getOrganization(id);
    const contacts = normalizeContacts(input.contacts);
    const unchanged = existing && existing.name === input.name && existing.kind === input.kind
      && JSON.stringify(existing.contacts) === JSON.stringify(contacts);
    if (existing && unchanged) {
      await provisioner.provision(existing);
      return { created: false, organization: existing };
    }
    const at = now();
    const organization: Organization = { id, name: input.name, kind: input.kind, contacts, createdAt: existing?.createdAt ?? at, updatedAt: at };
    const { created } = await directory.putOrganization(organization, existing);
    await provisioner.provision(organization);
    return { created, organization };
  }

  async function storeKey(orgId: string, role: Role, key: string, defaults?: KeyDefaults): Promise<ApiKeyRecord> {
    const hash = hashKey(key);
    const record: ApiKeyRecord = { keyId: keyIdOf(hash), orgId, role, hash, createdAt: now(), ...(defaults ? { defaults } : {}) };
    await directory.putKey(record);
    return record;
  }

  /** The stored record of a presented key, compared in constant time; null when unknown. */
  async function findKey(key: string): Promise<ApiKeyRecord | null> {
    const hash = hashKey(key);
    const record = await directory.getKey(keyIdOf(hash));
    return record && hashesEqual(record.hash, hash) ? record : null;
  }

  async function checkDefaults(defaults: KeyDefaults | undefined): Promise<void> {
    const listed = defaults?.participants ?? [];
    const missing = new Set(await directory.missingOrganizations(listed));
    if (missing.size) {
      throw new ValidationError('Every default participant must be an organization of the directory.', listed.flatMap((id, i) =>
        missing.has(id) ? [{ path: `defaults.participants.${i}`, message: `unknown organization "${id}"` }] : []));
    }
  }

  return {
    putOrganization,

    listOrganizations: () => directory.listOrganizations(),

    async createKey(orgId: string, role: Role, defaults?: KeyDefaults): Promise<{ keyId: string; key: string }> {
      if (!(await directory.getOrganization(orgId))) throw new NotFoundError(`No organization ${orgId}.`);
      await checkDefaults(defaults);
      const key = generateKey();
      const { keyId } = await storeKey(orgId, role, key, defaults);
      return { keyId, key };
    },

    async revokeKey(keyId: string): Promise<void> {
      if (!(await directory.deleteKey(keyId))) throw new NotFoundError(`No key ${keyId}.`);
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

    /** Loads a directory file; loading the same file twice changes nothing. */
    async load(file: DirectoryFile): Promise<{ organizations: number; keys: number }> {
      let keys = 0;
      for (const { keys: orgKeys = [], id, ...org } of file.organizations) {
        await putOrganization(id, org);
        for (const k of orgKeys) {
          const existing = await findKey(k.key);
          const same = existing && existing.role === k.role && existing.orgId === id && JSON.stringify(existing.defaults ?? null) === JSON.stringify(k.defaults ?? null);
          if (!same) await storeKey(id, k.role, k.key, k.defaults);
          keys++;
        }
      }
      return { organizations: file.organizations.length, keys };
    },
  };
}

export type DirectoryService = ReturnType<typeof makeDirectory>;
