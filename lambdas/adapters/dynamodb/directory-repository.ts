/**
 * DirectoryRepository on DynamoDB (keys: keys.ts).
 *
 *   organization  PK ORG#<id>     SK ORG   GSI1 ORGS / <id>
 *   API key       PK KEY#<keyId>  SK KEY   (the SHA-256 hash of the key, never the key)
 *                                           GSI2 ORG#<orgId>#KEYS / <keyId> (an organization's keys)
 *                                           active manager keys also GSI1 KEYS#manager / <orgId>#<keyId>
 *                                           revoked keys stay, with revokedAt, as tombstones
 *   phone         PK PHONE#<e164> SK ORG#<orgId>   (who texts from this number, for SMS acknowledgements)
 *   issuer        PK ISSUER#<iss> SK ORG#<orgId>   (who trusts this identity provider, and how)
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord, Contact, DirectoryRepository, IdentityProvider, IssuerTrust, Organization } from '../../domain/ports';
import { ConcurrentModificationError } from '../../domain/errors';
import { contactIds } from '../../domain/contact-ids';
import { cancellationReasons, guarded } from './errors';
import { batchGetAll, queryAll } from './query';

/** A cancelled condition means someone else changed the organization first. */
async function conditional<T>(request: Promise<T>): Promise<T> {
  try {
    return await guarded(request);
  } catch (err) {
    if (cancellationReasons(err)?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
      throw new ConcurrentModificationError('the organization changed', { cause: err });
    }
    throw err;
  }
}
import { GSI1, GSI2 } from './table';

import { MANAGER_KEYS, ORGANIZATIONS, apiKeyKey, issuerKey, issuerPartition, managerKeySortKey, organizationKey, organizationKeys, phoneKey, phonePartition } from './keys';

const phonesOf = (org: Organization | null) => new Map((org?.contacts ?? []).filter((c) => c.phone).map((c) => [c.phone!, c]));
const issuersOf = (org: Organization | null) => new Map((org?.identity ?? []).map((p) => [p.issuer, p]));

type Item = Record<string, unknown>;

const organizationFromItem = (item: Item): Organization => {
  const o = item as Item & Organization;
  return {
    id: o.id, name: o.name, kind: o.kind,
    // Organizations stored before contacts had ids get the ids their names derive (contactIds).
    contacts: ((ids) => (o.contacts ?? []).map((c, i) => ({ id: ids[i]!, name: c.name, email: c.email ?? null, phone: c.phone ?? null, ...(c.red ? { red: true as const } : {}), ...(c.timeZone ? { timeZone: c.timeZone } : {}) })))(contactIds(o.contacts ?? [])),
    ...(o.identity?.length ? { identity: o.identity } : {}),
    ...(o.endpoints?.length ? { endpoints: o.endpoints.map((e) => ({ url: e.url, red: e.red === true })) } : {}),
    ...(o.chat?.channels?.length ? { chat: { channels: o.chat.channels } } : {}),
    ...(o.createdBy ? { createdBy: o.createdBy } : {}),
    createdAt: o.createdAt, updatedAt: o.updatedAt,
  };
};

const keyFromItem = (item: Item): ApiKeyRecord => {
  const k = item as Item & ApiKeyRecord;
  return {
    keyId: k.keyId, orgId: k.orgId, role: k.role, hash: k.hash, createdAt: k.createdAt,
    ...(k.defaults ? { defaults: k.defaults } : {}),
    ...(k.origin ? { origin: k.origin } : {}),
    ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}),
    ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}),
  };
};

export class DynamoDirectoryRepository implements DirectoryRepository {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async getOrganization(id: string): Promise<Organization | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: organizationKey(id), ConsistentRead: true })));
    return Item ? organizationFromItem(Item) : null;
  }

  async putOrganization(org: Organization, previous: Organization | null): Promise<{ created: boolean }> {
    const phones = phonesOf(org);
    const removed = [...phonesOf(previous).keys()].filter((p) => !phones.has(p));
    const issuers = issuersOf(org);
    const untrusted = [...issuersOf(previous).keys()].filter((i) => !issuers.has(i));
    await conditional(this.db.send(new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...organizationKey(org.id), GSI1PK: ORGANIZATIONS, GSI1SK: org.id, entity: 'organization', ...org },
            // `previous` must still be what is stored, or the phone index would drift.
            ...(previous
              ? { ConditionExpression: 'updatedAt = :was', ExpressionAttributeValues: { ':was': previous.updatedAt } }
              : { ConditionExpression: 'attribute_not_exists(PK)' }),
          },
        },
        ...[...phones.values()].map((c) => ({ Put: { TableName: this.tableName, Item: { ...phoneKey(c.phone!, org.id), entity: 'phone', orgId: org.id, contact: c } } })),
        ...removed.map((phone) => ({ Delete: { TableName: this.tableName, Key: phoneKey(phone, org.id) } })),
        ...[...issuers.values()].map((provider) => ({ Put: { TableName: this.tableName, Item: { ...issuerKey(provider.issuer, org.id), entity: 'issuer', orgId: org.id, provider } } })),
        ...untrusted.map((issuer) => ({ Delete: { TableName: this.tableName, Key: issuerKey(issuer, org.id) } })),
      ],
    })));
    return { created: !previous };
  }

  async trustsOfIssuer(issuer: string): Promise<IssuerTrust[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': issuerPartition(issuer) },
    });
    return items.map((i) => ({ orgId: String(i.orgId), provider: i.provider as IdentityProvider }));
  }

  async contactsByPhone(phone: string): Promise<Array<{ orgId: string; contact: Contact }>> {
    const { Items = [] } = await guarded(this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': phonePartition(phone) },
      ConsistentRead: true,
    })));
    return Items.map((i) => ({ orgId: String(i.orgId), contact: i.contact as Contact }));
  }

  async managerOrganizations(): Promise<string[]> {
    return [...new Set((await this.indexPartition(MANAGER_KEYS)).map((item) => String(item.orgId)))];
  }

  /** Every item of one index partition. */
  private indexPartition(partition: string, index: typeof GSI1 | typeof GSI2 = GSI1): Promise<Item[]> {
    return queryAll(this.db, {
      TableName: this.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: `${index.partitionKey} = :p`,
      ExpressionAttributeValues: { ':p': partition },
    });
  }

  async listOrganizations(): Promise<Organization[]> {
    return (await this.indexPartition(ORGANIZATIONS)).map(organizationFromItem);
  }

  async getOrganizations(ids: readonly string[]): Promise<Organization[]> {
    return (await batchGetAll(this.db, this.tableName, [...new Set(ids)].map(organizationKey))).map(organizationFromItem);
  }

  async missingOrganizations(ids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(ids)];
    const found = new Set((await batchGetAll(this.db, this.tableName, wanted.map(organizationKey), { projection: 'id' })).map((item) => String(item.id)));
    return wanted.filter((id) => !found.has(id));
  }

  async putKey(key: ApiKeyRecord): Promise<void> {
    const index = key.role === 'manager' && !key.revokedAt ? { GSI1PK: MANAGER_KEYS, GSI1SK: managerKeySortKey(key.orgId, key.keyId) } : {};
    await guarded(this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...apiKeyKey(key.keyId), entity: 'apiKey', ...index, GSI2PK: organizationKeys(key.orgId), GSI2SK: key.keyId, ...key },
    })));
  }

  async keysOf(orgId: string): Promise<ApiKeyRecord[]> {
    return (await this.indexPartition(organizationKeys(orgId), GSI2)).map(keyFromItem);
  }

  async touchKey(keyId: string, at: string): Promise<void> {
    await guarded(this.db.send(new UpdateCommand({
      TableName: this.tableName, Key: apiKeyKey(keyId),
      UpdateExpression: 'SET lastUsedAt = :at',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
      ExpressionAttributeValues: { ':at': at },
    }))).catch((err: Error) => {
      // Revoked meanwhile: the use is not recorded, and the next request is refused anyway.
      if (err.name !== 'ConditionalCheckFailedException') throw err;
    });
  }

  async getKey(keyId: string): Promise<ApiKeyRecord | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: apiKeyKey(keyId), ConsistentRead: true })));
    return Item ? keyFromItem(Item) : null;
  }

  async revokeKey(keyId: string, at: string): Promise<boolean> {
    try {
      await guarded(this.db.send(new UpdateCommand({
        TableName: this.tableName, Key: apiKeyKey(keyId),
        // Out of the manager index too: a revoked manager key escalates nothing.
        UpdateExpression: 'SET revokedAt = :at REMOVE GSI1PK, GSI1SK',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':at': at },
      })));
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }
}
