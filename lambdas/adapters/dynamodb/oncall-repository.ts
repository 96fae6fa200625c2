/**
 * OnCallRepository on DynamoDB (keys: keys.ts): each schedule and the escalation policy beside the
 * organization's entry, in its partition.
 *
 *   schedule  PK ORG#<orgId>  SK SCHEDULE#<scheduleId>
 *   policy    PK ORG#<orgId>  SK ESCALATION
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OnCallRepository, StoredEscalationPolicy, StoredSchedule } from '../../domain/ports';
import { guarded } from './errors';
import { queryAll } from './query';
import { SCHEDULE_PREFIX, escalationPolicyKey, scheduleKey, schedulesPartition } from './keys';

type Item = Record<string, unknown>;

const scheduleOf = (item: Item): StoredSchedule => {
  const s = item as Item & StoredSchedule;
  return { orgId: s.orgId, id: s.id, spec: s.spec, feedGeneration: Number(s.feedGeneration), createdAt: s.createdAt, updatedAt: s.updatedAt };
};

export class DynamoOnCallRepository implements OnCallRepository {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async getSchedule(orgId: string, id: string): Promise<StoredSchedule | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: scheduleKey(orgId, id), ConsistentRead: true })));
    return Item ? scheduleOf(Item) : null;
  }

  async listSchedules(orgId: string): Promise<StoredSchedule[]> {
    const items = await guarded(queryAll(this.db, {
      TableName: this.tableName, ConsistentRead: true,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': schedulesPartition(orgId), ':prefix': SCHEDULE_PREFIX },
    }));
    return items.map(scheduleOf);
  }

  async putSchedule(schedule: StoredSchedule): Promise<{ created: boolean }> {
    const { Attributes } = await guarded(this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...scheduleKey(schedule.orgId, schedule.id), entity: 'schedule', ...schedule },
      ReturnValues: 'ALL_OLD',
    })));
    return { created: !Attributes };
  }

  async deleteSchedule(orgId: string, id: string): Promise<boolean> {
    const { Attributes } = await guarded(this.db.send(new DeleteCommand({ TableName: this.tableName, Key: scheduleKey(orgId, id), ReturnValues: 'ALL_OLD' })));
    return Boolean(Attributes);
  }

  async getPolicy(orgId: string): Promise<StoredEscalationPolicy | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: escalationPolicyKey(orgId), ConsistentRead: true })));
    if (!Item) return null;
    const p = Item as Item & StoredEscalationPolicy;
    return { orgId: p.orgId, policy: p.policy, updatedAt: p.updatedAt };
  }

  async putPolicy(policy: StoredEscalationPolicy): Promise<void> {
    await guarded(this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...escalationPolicyKey(policy.orgId), entity: 'escalation-policy', ...policy } })));
  }
}
