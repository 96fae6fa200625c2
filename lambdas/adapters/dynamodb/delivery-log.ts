/**
 * The delivery log on DynamoDB: whether an (event, organization) was notified, and the failed ones
 * waiting for a replay. Deliveries are written with the notification's timeline event, in the
 * incident repository's transaction; this reads them.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryLog, DeliveryStatus } from '../../domain/notifications';
import { guarded } from './errors';
import { FAILED_DELIVERIES, deliveryKey } from './incident-items';
import { GSI1 } from './table';

export class DynamoDeliveryLog implements DeliveryLog {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async status(incidentId: string, seq: number, orgId: string): Promise<DeliveryStatus | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: deliveryKey(incidentId, seq, orgId), ConsistentRead: true })));
    return Item ? (Item.status as DeliveryStatus) : null;
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
