/**
 * RateLimiter on DynamoDB: one conditional UpdateItem per hit on a counter item per bucket and
 * window, so every Lambda instance shares the count. Counters expire by TTL.
 *
 *   rate counter  PK RATE#<bucket>#<window start, epoch seconds>  SK RATE
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, RateLimiter } from '../../domain/ports';
import { guarded } from './errors';
import { TTL_ATTRIBUTE } from './table';
import { rateKey } from './keys';

export class DynamoRateLimiter implements RateLimiter {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string, private readonly clock: Clock) {}

  async consume(bucket: string, limit: number, windowSeconds: number) {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const windowStart = now - (now % windowSeconds);
    const retryAfterSeconds = windowStart + windowSeconds - now;
    try {
      await guarded(this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: rateKey(bucket, windowStart),
        UpdateExpression: 'ADD hits :one SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': windowStart + windowSeconds * 2 },
      })));
      return { allowed: true as const };
    } catch (err) {
      if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return { allowed: false as const, retryAfterSeconds: Math.max(1, retryAfterSeconds) };
      throw err;
    }
  }
}
