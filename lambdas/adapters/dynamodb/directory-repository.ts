/**
 * DirectoryRepository on DynamoDB.
 *
 *   organization  PK ORG#<id>     SK ORG   GSI1 ORGS / <id>
 *   API key       PK KEY#<keyId>  SK KEY   (the SHA-256 hash of the key, never the key)
 */
import { BatchGetCommand, type BatchGetCommandOutput, DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord, DirectoryRepository, Organization } from '../../domain/ports';
import { guarded } from './errors';
import { GSI1 } from './table';

const ORGANIZATIONS = 'ORGS';
const organizationKey = (id: string) => ({ PK: `ORG#${id}`, SK: 'ORG' });
const apiKeyKey = (keyId: string) => ({ PK: `KEY#${keyId}`, SK: 'KEY' });

type Item = Record<string, unknown>;

const organizationFromItem = (item: Item): Organization => {
  const o = item as Item & Organization;
  return {
    id: o.id, name: o.name, kind: o.kind,
    contacts: (o.contacts ?? []).map((c) => ({ name: c.name, email: c.email ?? null, phone: c.phone ?? null })),
    createdAt: o.createdAt, updatedAt: o.updatedAt,
  };
};

const keyFromItem = (item: Item): ApiKeyRecord => {
  const k = item as Item & ApiKeyRecord;
  return { keyId: k.keyId, orgId: k.orgId, role: k.role, hash: k.hash, createdAt: k.createdAt, ...(k.defaults ? { defaults: k.defaults } : {}) };
};

/** BatchGetItem reads at most 100 keys a request. */
const BATCH = 100;

export class DynamoDirectoryRepository implements DirectoryRepository {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async getOrganization(id: string): Promise<Organization | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: organizationKey(id), ConsistentRead: true })));
    return Item ? organizationFromItem(Item) : null;
  }

  async putOrganization(org: Organization): Promise<{ created: boolean }> {
    const { Attributes } = await guarded(this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...organizationKey(org.id), GSI1PK: ORGANIZATIONS, GSI1SK: org.id, entity: 'organization', ...org },
      ReturnValues: 'ALL_OLD',
    })));
    return { created: !Attributes };
  }

  async listOrganizations(): Promise<Organization[]> {
    const out: Organization[] = [];
    let start: Item | undefined;
    do {
      const page = await guarded(this.db.send(new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1.indexName,
        KeyConditionExpression: 'GSI1PK = :p',
        ExpressionAttributeValues: { ':p': ORGANIZATIONS },
        ExclusiveStartKey: start,
      })));
      out.push(...(page.Items ?? []).map(organizationFromItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async missingOrganizations(ids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(ids)];
    const found = new Set<string>();
    for (let i = 0; i < wanted.length; i += BATCH) {
      let keys: Item[] | undefined = wanted.slice(i, i + BATCH).map(organizationKey);
      while (keys && keys.length > 0) {
        const res: BatchGetCommandOutput = await guarded(this.db.send(new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: 'id', ConsistentRead: true } },
        })));
        for (const item of res.Responses?.[this.tableName] ?? []) found.add(String(item.id));
        keys = res.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return wanted.filter((id) => !found.has(id));
  }

  async putKey(key: ApiKeyRecord): Promise<void> {
    await guarded(this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...apiKeyKey(key.keyId), entity: 'apiKey', ...key } })));
  }

  async getKey(keyId: string): Promise<ApiKeyRecord | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: apiKeyKey(keyId), ConsistentRead: true })));
    return Item ? keyFromItem(Item) : null;
  }

  async deleteKey(keyId: string): Promise<boolean> {
    const { Attributes } = await guarded(this.db.send(new DeleteCommand({ TableName: this.tableName, Key: apiKeyKey(keyId), ReturnValues: 'ALL_OLD' })));
    return Attributes !== undefined;
  }
}
