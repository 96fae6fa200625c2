/**
 * The chat delivery log on DynamoDB (domain/ports.ts ChatLog), in the incident's partition:
 *
 *   delivery (keys.ts chatDeliveryKey)  status pending|sent|failed, owner, leaseUntil, attempts, error;
 *                                       on GSI1 CHAT#failed while pending or failed (a replay finds it)
 *   thread (keys.ts chatThreadKey)      ts, posting, red
 *
 * A claim is one conditional UpdateItem that also counts the runs that tried the delivery
 * (ReturnValues ALL_OLD gives the count before it), so a retry knows it may be replaying a post.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChatDelivery, ChatLog, ChatThread } from '../../domain/ports';
import { guarded } from './errors';
import { FAILED_CHAT, chatDeliveryKey, chatThreadKey, failedChatSortKey } from './keys';
import { GSI1 } from './table';

const isConditionFailure = (err: unknown) => err instanceof Error && err.name === 'ConditionalCheckFailedException';
const keyOf = (d: ChatDelivery) => chatDeliveryKey(d.incidentId, d.seq, d.channel);

export const CHAT_ENTITY = { delivery: 'chat-delivery', thread: 'chat-thread' } as const;

export class DynamoChatLog implements ChatLog {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async claim(d: ChatDelivery, owner: string, now: Date, leaseMs: number, replay: boolean): Promise<{ attempts: number } | 'done' | 'held'> {
    // Unsent and unheld; a failed one only by a replay.
    const condition = replay
      ? 'attribute_not_exists(PK) OR (#status = :failed) OR (#status = :pending AND leaseUntil <= :now)'
      : 'attribute_not_exists(PK) OR (#status = :pending AND leaseUntil <= :now)';
    try {
      const { Attributes } = await guarded(this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(d),
        UpdateExpression: 'SET entity = :entity, incidentId = :id, seq = :seq, orgId = :org, channel = :channel, #status = :pending, #owner = :owner, leaseUntil = :until, attempts = if_not_exists(attempts, :zero) + :one, GSI1PK = :gsi, GSI1SK = :gsisk',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':entity': CHAT_ENTITY.delivery, ':id': d.incidentId, ':seq': d.seq, ':org': d.orgId, ':channel': d.channel,
          ':pending': 'pending', ':owner': owner, ':until': now.getTime() + leaseMs, ':zero': 0, ':one': 1,
          ':gsi': FAILED_CHAT, ':gsisk': failedChatSortKey(d.incidentId, d.seq, d.channel), ':now': now.getTime(),
          ...(replay ? { ':failed': 'failed' } : {}),
        },
        ReturnValues: 'ALL_OLD',
      })));
      return { attempts: Number(Attributes?.attempts ?? 0) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Which refusal: a pending delivery is another run's (its lease runs); anything else is done.
      const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: keyOf(d), ConsistentRead: true })));
      return Item?.status === 'pending' ? 'held' : 'done';
    }
  }

  async finish(d: ChatDelivery, owner: string, outcome: { status: 'sent' } | { status: 'failed'; error: string }): Promise<void> {
    try {
      await guarded(this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(d),
        UpdateExpression: outcome.status === 'sent'
          ? 'SET #status = :status, leaseUntil = :zero REMOVE #owner, GSI1PK, GSI1SK, #error'
          : 'SET #status = :status, leaseUntil = :zero, #error = :error REMOVE #owner',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', '#error': 'error' },
        ExpressionAttributeValues: { ':status': outcome.status, ':zero': 0, ':owner': owner, ...(outcome.status === 'failed' ? { ':error': outcome.error } : {}) },
      })));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async release(d: ChatDelivery, owner: string): Promise<void> {
    try {
      await guarded(this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(d),
        UpdateExpression: 'SET leaseUntil = :zero REMOVE #owner',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':zero': 0, ':owner': owner },
      })));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async failed(limit: number): Promise<ChatDelivery[]> {
    const { Items = [] } = await guarded(this.db.send(new QueryCommand({
      TableName: this.tableName,
      IndexName: GSI1.indexName,
      KeyConditionExpression: 'GSI1PK = :p',
      ExpressionAttributeValues: { ':p': FAILED_CHAT },
      Limit: limit,
    })));
    return Items.map((i) => ({ incidentId: String(i.incidentId), seq: Number(i.seq), orgId: String(i.orgId), channel: String(i.channel) }));
  }

  async thread(incidentId: string, channel: string): Promise<ChatThread | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: chatThreadKey(incidentId, channel), ConsistentRead: true })));
    if (!Item) return null;
    return { ...(typeof Item.ts === 'string' ? { ts: Item.ts } : {}), ...(Item.posting ? { posting: true } : {}), ...(Item.red ? { red: true } : {}) };
  }

  async saveThread(incidentId: string, channel: string, thread: ChatThread): Promise<void> {
    await guarded(this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...chatThreadKey(incidentId, channel), entity: CHAT_ENTITY.thread, incidentId, channel, ...thread },
    })));
  }
}
