/**
 * OnCallRepository on DynamoDB (keys: keys.ts): each schedule and the escalation policy beside the
 * organization's entry, in its partition.
 *
 *   schedule  PK ORG#<orgId>  SK SCHEDULE#<scheduleId>
 *   policy    PK ORG#<orgId>  SK ESCALATION
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OnCallRepository, StoredEscalationPolicy, StoredSchedule } from '../../domain/ports';
import { ConcurrentModificationError } from '../../domain/errors';
import type { PagingItem, PagingStore } from '../../domain/oncall/pager';
import type { PagingState } from '../../domain/oncall/paging';
import { GSI1, GSI2, TTL_ATTRIBUTE } from './table';
import { guarded } from './errors';
import { batchGetAll, queryAll } from './query';
import { ALL_SCHEDULES, SHIFT_NOTICES_KEY, allSchedulesSortKey, shiftNoticeKey, PAGING_PARTITION, SCHEDULE_PREFIX, escalationPolicyKey, pagingKey, pagingSortKey, scheduleKey, schedulesPartition } from './keys';

type Item = Record<string, unknown>;

const policyOf = (item: Item): StoredEscalationPolicy => {
  const p = item as Item & StoredEscalationPolicy;
  return { orgId: p.orgId, policy: p.policy, updatedAt: p.updatedAt };
};

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

  async putSchedule(schedule: StoredSchedule, ifUpdatedAt?: string): Promise<{ created: boolean }> {
    try {
      const { Attributes } = await guarded(this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...scheduleKey(schedule.orgId, schedule.id), GSI1PK: ALL_SCHEDULES, GSI1SK: allSchedulesSortKey(schedule.orgId, schedule.id), entity: 'schedule', ...schedule },
        ReturnValues: 'ALL_OLD',
        ...(ifUpdatedAt !== undefined ? { ConditionExpression: 'updatedAt = :read', ExpressionAttributeValues: { ':read': ifUpdatedAt } } : {}),
      })));
      return { created: !Attributes };
    } catch (err) {
      if (err instanceof Error && err.name === 'ConditionalCheckFailedException') throw new ConcurrentModificationError(`schedule ${schedule.id} of ${schedule.orgId} changed since it was read`);
      throw err;
    }
  }

  async deleteSchedule(orgId: string, id: string): Promise<boolean> {
    const { Attributes } = await guarded(this.db.send(new DeleteCommand({ TableName: this.tableName, Key: scheduleKey(orgId, id), ReturnValues: 'ALL_OLD' })));
    return Boolean(Attributes);
  }

  async getPolicy(orgId: string): Promise<StoredEscalationPolicy | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: escalationPolicyKey(orgId), ConsistentRead: true })));
    return Item ? policyOf(Item) : null;
  }

  async getPolicies(orgIds: readonly string[]): Promise<Map<string, StoredEscalationPolicy>> {
    if (orgIds.length === 0) return new Map();
    const items = await batchGetAll(this.db, this.tableName, [...new Set(orgIds)].map(escalationPolicyKey));
    return new Map(items.map((i) => { const p = policyOf(i); return [p.orgId, p]; }));
  }

  async putPolicy(policy: StoredEscalationPolicy): Promise<void> {
    await guarded(this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...escalationPolicyKey(policy.orgId), entity: 'escalation-policy', ...policy } })));
  }

  async allSchedules(): Promise<StoredSchedule[]> {
    const items = await guarded(queryAll(this.db, {
      TableName: this.tableName, IndexName: GSI1.indexName,
      KeyConditionExpression: 'GSI1PK = :p', ExpressionAttributeValues: { ':p': ALL_SCHEDULES },
    }));
    return items.map(scheduleOf);
  }

  async claimShiftNotice(orgId: string, scheduleId: string, from: string, contact: string, expiresAt: number): Promise<boolean> {
    try {
      await guarded(this.db.send(new PutCommand({
        TableName: this.tableName, ConditionExpression: 'attribute_not_exists(PK)',
        Item: { ...shiftNoticeKey(orgId, scheduleId, from, contact), entity: 'shift-notice', [TTL_ATTRIBUTE]: expiresAt },
      })));
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async shiftNoticesUntil(): Promise<string | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: SHIFT_NOTICES_KEY, ConsistentRead: true })));
    return typeof Item?.until === 'string' ? Item.until : null;
  }

  async setShiftNoticesUntil(at: string): Promise<void> {
    await guarded(this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...SHIFT_NOTICES_KEY, entity: 'shift-notices', until: at } })));
  }
}

/**
 * PagingStore on DynamoDB: one item per (incident, organization) paged by a policy, on GSI2
 * `PAGING` by due time while a level is still to come. Every move is conditional on the state read,
 * so two timers running at once page each level once.
 */
export class DynamoPagingStore implements PagingStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  private item(p: PagingItem) {
    return { ...pagingKey(p.incidentId, p.orgId), GSI2PK: PAGING_PARTITION, GSI2SK: pagingSortKey(p.state.dueAt, p.incidentId, p.orgId), entity: 'paging', incidentId: p.incidentId, orgId: p.orgId, about: p.about, position: p.state.position, dueAt: p.state.dueAt };
  }

  async start(p: PagingItem): Promise<boolean> {
    try {
      await guarded(this.db.send(new PutCommand({ TableName: this.tableName, Item: this.item(p), ConditionExpression: 'attribute_not_exists(PK)' })));
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async due(now: string, limit: number): Promise<PagingItem[]> {
    const { Items = [] } = await guarded(this.db.send(new QueryCommand({
      TableName: this.tableName, IndexName: GSI2.indexName, Limit: limit,
      KeyConditionExpression: 'GSI2PK = :p AND GSI2SK <= :now',
      ExpressionAttributeValues: { ':p': PAGING_PARTITION, ':now': `${now}~` },
    })));
    return Items.map((i) => ({ incidentId: String(i.incidentId), orgId: String(i.orgId), about: Number(i.about), state: { position: Number(i.position), dueAt: String(i.dueAt) } }));
  }

  async move(p: PagingItem, next: PagingState | null): Promise<boolean> {
    const condition = { ConditionExpression: '#position = :position AND dueAt = :dueAt', ExpressionAttributeNames: { '#position': 'position' }, ExpressionAttributeValues: { ':position': p.state.position, ':dueAt': p.state.dueAt } };
    try {
      if (next) await guarded(this.db.send(new PutCommand({ TableName: this.tableName, Item: this.item({ ...p, state: next }), ...condition })));
      else await guarded(this.db.send(new DeleteCommand({ TableName: this.tableName, Key: pagingKey(p.incidentId, p.orgId), ...condition })));
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }
}
