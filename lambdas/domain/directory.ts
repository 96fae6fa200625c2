/** The directory use cases: organizations, their contacts, and API keys. */
import { generateKey, hashKey, hashesEqual, keyIdOf } from './api-keys';
import { NotFoundError, UnauthorizedError } from './errors';
import type { Caller, Role } from './incident';
import type { ApiKeyRecord, Clock, Contact, DirectoryRepository, Organization, OrganizationKind, OrganizationProvisioner } from './ports';

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
  organizations: Array<OrganizationInput & { id: string; keys?: Array<{ role: Role; key: string }> }>;
}

const normalizeContacts = (contacts: OrganizationInput['contacts']): Contact[] =>
  contacts.map((c) => ({ name: c.name, email: c.email ?? null, phone: c.phone ?? null }));

export function makeDirectory({ directory, provisioner, clock }: DirectoryDeps) {
  const now = () => clock.now().toISOString();

  async function putOrganization(id: string, input: OrganizationInput): Promise<{ created: boolean; organization: Organization }> {
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
    const { created } = await directory.putOrganization(organization);
    await provisioner.provision(organization);
    return { created, organization };
  }

  async function storeKey(orgId: string, role: Role, key: string): Promise<ApiKeyRecord> {
    const hash = hashKey(key);
    const record: ApiKeyRecord = { keyId: keyIdOf(hash), orgId, role, hash, createdAt: now() };
    await directory.putKey(record);
    return record;
  }

  return {
    putOrganization,

    listOrganizations: () => directory.listOrganizations(),

    async createKey(orgId: string, role: Role): Promise<{ keyId: string; key: string }> {
      if (!(await directory.getOrganization(orgId))) throw new NotFoundError(`No organization ${orgId}.`);
      const key = generateKey();
      const { keyId } = await storeKey(orgId, role, key);
      return { keyId, key };
    },

    async revokeKey(keyId: string): Promise<void> {
      if (!(await directory.deleteKey(keyId))) throw new NotFoundError(`No key ${keyId}.`);
    },

    /** The caller a presented key stands for; unknown or revoked keys are `UnauthorizedError`. */
    async authenticate(key: string): Promise<Caller> {
      const hash = hashKey(key);
      const record = await directory.getKey(keyIdOf(hash));
      if (!record || !hashesEqual(record.hash, hash)) throw new UnauthorizedError('The API key is not valid.');
      return { orgId: record.orgId, role: record.role, keyId: record.keyId };
    },

    /** Loads a directory file; loading the same file twice changes nothing. */
    async load(file: DirectoryFile): Promise<{ organizations: number; keys: number }> {
      let keys = 0;
      for (const { keys: orgKeys = [], id, ...org } of file.organizations) {
        await putOrganization(id, org);
        for (const k of orgKeys) {
          const hash = hashKey(k.key);
          const existing = await directory.getKey(keyIdOf(hash));
          if (!existing || existing.role !== k.role || existing.orgId !== id) await storeKey(id, k.role, k.key);
          keys++;
        }
      }
      return { organizations: file.organizations.length, keys };
    },
  };
}

export type DirectoryService = ReturnType<typeof makeDirectory>;
