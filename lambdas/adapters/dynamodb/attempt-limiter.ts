/**
 * AttemptLimiter on DynamoDB: a sliding window, exact under concurrency. One item per bucket holds
 * the times of the attempts heard within the window (at most `limit` of them) and a version; an
 * attempt reads it (consistently) and is heard only by a Put conditional on that version, so two
 * concurrent attempts can never both take the last place. An attempt refused is not stored (it
 * does not lengthen the wait). The item expires by TTL once its window has passed.
 *
 *   attempts (keys.ts: attemptsKey)   hits (epoch ms, oldest first), v, expiresAt
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttemptLimiter, Clock } from '../../domain/ports';
import { guarded } from './errors';
import { attemptsKey } from './keys';
import { TTL_ATTRIBUTE } from './table';

/** Each lost race means another attempt was heard, so after `limit` rounds every contender sees a full window. */
const MAX_ROUNDS = 32;

export class DynamoAttemptLimiter implements AttemptLimiter {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string, private readonly clock: Clock) {}

  async attempt(bucket: string, limit: number, windowSeconds: number): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
    const Key = attemptsKey(bucket);
    const windowMs = windowSeconds * 1000;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.clock.now().getTime();
      const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true })));
      const hits = ((Item?.hits as number[] | undefined) ?? []).filter((t) => t > now - windowMs);
      if (hits.length >= limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((hits[hits.length - limit]! + windowMs - now) / 1000)) };
      const version = Number(Item?.v ?? 0);
      try {
        await guarded(this.db.send(new PutCommand({
          TableName: this.tableName,
          Item: { ...Key, entity: 'attempts', hits: [...hits, now], v: version + 1, [TTL_ATTRIBUTE]: Math.ceil((now + windowMs) / 1000) + 60 },
          ConditionExpression: Item ? 'v = :v' : 'attribute_not_exists(PK)',
          ...(Item ? { ExpressionAttributeValues: { ':v': version } } : {}),
        })));
        return { allowed: true };
      } catch (err) {
        if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
      }
    }
    // Never reached while fewer than MAX_ROUNDS attempts race; refusing is the safe side.
    return { allowed: false, retryAfterSeconds: 1 };
  }
}
