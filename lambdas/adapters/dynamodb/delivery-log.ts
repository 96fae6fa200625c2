/**
 * The delivery log on DynamoDB: whether an (event, organization) was notified, and the failed ones
 * waiting for a replay. Deliveries are written with the notification's timeline event, in the
 * incident repository's transaction; this reads them.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryLog, DeliveryStatus } from '../../domain/ports';
import { guarded } from './errors';
import { batchGetAll } from './query';
import { FAILED_DELIVERIES, deliveryKey } from './keys';
import { GSI1 } from './table';

export class DynamoDeliveryLog implements DeliveryLog {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async statuses(incidentId: string, seq: number, orgIds: readonly string[]): Promise<Map<string, DeliveryStatus>> {
    const items = await batchGetAll(this.db, this.tableName, [...new Set(orgIds)].map((orgId) => deliveryKey(incidentId, seq, orgId)));
    return new Map(items.map((item) => [String(item.orgId), item.status as DeliveryStatus]));
  }

  async failed(limit: number): Promise<Delivery[]> {
    const { Items = [] } = await guarded(this.db.send(new QueryCommand({
      TableName: this.tableName,
      IndexName: GSI1.indexName,
      KeyConditionExpression: 'GSI1PK = :p',
      ExpressionAttributeValues: { ':p': FAILED_DELIVERIES },
      Limit: limit,
    })));
    return Items.map((i) => ({ incidentId: String(i.incidentId), seq: Number(i.seq), orgId: String(i.orgId), status: 'failed' as const }));
  }
}
