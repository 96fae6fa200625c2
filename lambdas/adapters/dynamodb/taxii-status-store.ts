/**
 * TAXII status resources, one item each, kept for the organization that posted and expired by TTL.
 *
 *   taxii status   PK TAXIISTATUS#<status id>   SK TAXIISTATUS   (orgId, statusJson, ttl)
 *
 * The status is stored as a JSON string, as other free-form JSON is (incident-items.ts).
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STATUS_TTL_SECONDS, type StatusStore, type TaxiiStatus } from '../../integrations/taxii';
import { guarded } from './errors';
import { TTL_ATTRIBUTE } from './table';
import { taxiiStatusKey as key } from './keys';


export class DynamoTaxiiStatusStore implements StatusStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async put(orgId: string, status: TaxiiStatus): Promise<void> {
    const expires = Math.floor(Date.parse(status.request_timestamp) / 1000) + STATUS_TTL_SECONDS;
    await guarded(this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...key(status.id), entity: 'taxii-status', orgId, statusJson: JSON.stringify(status), [TTL_ATTRIBUTE]: expires },
    })));
  }

  async get(orgId: string, id: string): Promise<TaxiiStatus | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true })));
    // TTL deletes late: an expired item is already gone for readers.
    if (!Item || Item.orgId !== orgId || (typeof Item[TTL_ATTRIBUTE] === 'number' && Item[TTL_ATTRIBUTE] * 1000 < Date.now())) return null;
    return JSON.parse(String(Item.statusJson)) as TaxiiStatus;
  }
}
