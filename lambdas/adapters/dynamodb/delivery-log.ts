/**
 * The delivery log on DynamoDB: whether an (event, organization) was notified, and the failed ones
 * waiting for a replay. Deliveries are written with the notification's timeline event, in the
 * incident repository's transaction; this reads them, and holds the claims taken before publishing:
 *
 *   claim (keys.ts: deliveryClaimKey)   owner, leaseUntil (epoch ms); on GSI1 with the failed deliveries while held
 *
 * A held claim is listed with the failed deliveries: if its run died before recording an outcome
 * (and the stream gave up on the record), a replay after the lease sends it. Letting a claim go
 * takes it off the list; it expires a day later, an abandoned one 14 days after its lease.
 */
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryLog, DeliveryRef, DeliveryStatus } from '../../domain/ports';
import { guarded } from './errors';
import { batchGetAll } from './query';
import { FAILED_DELIVERIES, deliveryClaimKey, deliveryKey, heldClaimSortKey } from './keys';
import { GSI1, TTL_ATTRIBUTE } from './table';

const claimKey = ({ incidentId, seq, orgId }: DeliveryRef) => deliveryClaimKey(incidentId, seq, orgId);
const isConditionFailure = (err: unknown) => err instanceof Error && err.name === 'ConditionalCheckFailedException';

export class DynamoDeliveryLog implements DeliveryLog {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async claim(delivery: DeliveryRef, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const leaseUntil = now.getTime() + leaseMs;
    try {
      await guarded(this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: {
          ...claimKey(delivery), entity: 'claim', ...delivery, owner, leaseUntil,
          GSI1PK: FAILED_DELIVERIES, GSI1SK: heldClaimSortKey(delivery.incidentId, delivery.seq, delivery.orgId),
          [TTL_ATTRIBUTE]: Math.ceil(leaseUntil / 1000) + 14 * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(PK) OR leaseUntil <= :now',
        ExpressionAttributeValues: { ':now': now.getTime() },
      })));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async release(delivery: DeliveryRef, owner: string): Promise<void> {
    try {
      await guarded(this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: claimKey(delivery),
        UpdateExpression: 'SET leaseUntil = :zero, #ttl = :ttl REMOVE GSI1PK, GSI1SK',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':zero': 0, ':owner': owner, ':ttl': Math.ceil(Date.now() / 1000) + 86_400 },
      })));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

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
