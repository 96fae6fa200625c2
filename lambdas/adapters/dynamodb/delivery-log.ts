/**
 * The delivery log on DynamoDB: whether an (event, organization) was notified, and the failed ones
 * waiting for a replay. Deliveries are written with the notification's timeline event, in the
 * incident repository's transaction; this reads them, and holds the claims taken before publishing:
 *
 *   claim (keys.ts: deliveryClaimKey)   owner, leaseUntil (epoch ms); on GSI1 with the failed deliveries while held
 *
 * A claim is taken in the same transaction as a check that the delivery is not recorded, so a run
 * that claims knows, from that one write, that nobody has sent it. Recording the delivery deletes
 * its run's claim in the record's own transaction, if that run still holds it
 * (incident-repository.ts); a claim whose outcome was not recorded (a crash) is let go here. A held
 * claim is listed with the failed deliveries: if its run died before recording an outcome (and the
 * stream gave up on the record), a replay after the lease sends it. Letting a claim go takes it off
 * the list; it expires a day later, an abandoned one 14 days after its lease.
 */
import { QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClaimOutcome, Delivery, DeliveryLog, DeliveryRef, DeliveryStatus } from '../../domain/ports';
import { cancellationReasons, guarded, translate } from './errors';
import { batchGetAll } from './query';
import { FAILED_DELIVERIES, deliveryClaimKey, deliveryKey, heldClaimSortKey } from './keys';
import { GSI1, TTL_ATTRIBUTE } from './table';

const claimKey = ({ incidentId, seq, orgId }: DeliveryRef) => deliveryClaimKey(incidentId, seq, orgId);
const isConditionFailure = (err: unknown) => err instanceof Error && err.name === 'ConditionalCheckFailedException';
/** Whether a conditional write went through: false when its condition failed. */
async function conditionHeld(request: Promise<unknown>): Promise<boolean> {
  try {
    await guarded(request);
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}
/** DynamoDB's limit on the items of one transaction. */
const TRANSACTION_ITEMS = 100;
/** Transactions tried for one chunk before the deliveries left are written one by one. */
const ROUNDS = 3;
const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

export class DynamoDeliveryLog implements DeliveryLog {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  /** The conditional Put that claims one delivery. */
  private claimPut(delivery: DeliveryRef, owner: string, now: Date, leaseMs: number) {
    const leaseUntil = now.getTime() + leaseMs;
    return {
      TableName: this.tableName,
      Item: {
        ...claimKey(delivery), entity: 'claim', ...delivery, owner, leaseUntil,
        GSI1PK: FAILED_DELIVERIES, GSI1SK: heldClaimSortKey(delivery.incidentId, delivery.seq, delivery.orgId),
        [TTL_ATTRIBUTE]: Math.ceil(leaseUntil / 1000) + 14 * 86_400,
      },
      ConditionExpression: 'attribute_not_exists(PK) OR leaseUntil <= :now',
      ExpressionAttributeValues: { ':now': now.getTime() },
    };
  }

  /** The conditional Update that lets one of `owner`'s claims go. */
  private releaseUpdate(delivery: DeliveryRef, owner: string) {
    return {
      TableName: this.tableName,
      Key: claimKey(delivery),
      UpdateExpression: 'SET leaseUntil = :zero, #ttl = :ttl REMOVE GSI1PK, GSI1SK',
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner', '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ':zero': 0, ':owner': owner, ':ttl': Math.ceil(Date.now() / 1000) + 86_400 },
    };
  }

  /**
   * Lets `owner`'s claims go in transactions of up to 100, each Update with its condition. A
   * transaction cancelled because some conditions failed is sent again without those (not its
   * claims); after ROUNDS, or when one lone claim is left, claims go one by one.
   */
  async releaseAll(deliveries: readonly DeliveryRef[], owner: string): Promise<void> {
    for (const chunk of chunks(deliveries, TRANSACTION_ITEMS)) {
      let pending = chunk;
      for (let round = 1; round <= ROUNDS && pending.length > 1; round++) {
        try {
          await guarded(this.db.send(new TransactWriteCommand({ TransactItems: pending.map((d) => ({ Update: this.releaseUpdate(d, owner) })) })));
          pending = [];
        } catch (err) {
          const reasons = cancellationReasons(err);
          if (!reasons) throw err;
          const refused = new Set(reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : [])));
          // Refused only for a conflict or throttling: the same claims once more, then one by one.
          pending = pending.filter((_, i) => !refused.has(i));
        }
      }
      for (const d of pending) await conditionHeld(this.db.send(new UpdateCommand(this.releaseUpdate(d, owner) as never)));
    }
  }

  /** The check, beside a claim, that a delivery's outcome is not recorded (a replay may claim a failed one). */
  private unrecordedCheck(delivery: DeliveryRef, replay: boolean) {
    return {
      TableName: this.tableName,
      Key: deliveryKey(delivery.incidentId, delivery.seq, delivery.orgId),
      ConditionExpression: replay ? 'attribute_not_exists(PK) OR #status = :failed' : 'attribute_not_exists(PK)',
      ...(replay ? { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':failed': 'failed' } } : {}),
    };
  }

  /**
   * Each delivery is two items of one transaction: the check that it is not recorded, and the
   * claim. Up to 50 deliveries a transaction; one cancelled for some conditions is sent again
   * without those deliveries (a failed check: done; a failed claim: held), ROUNDS times; what a
   * conflict keeps refusing after that is held (the stream tries the record again).
   */
  async claimAll(deliveries: readonly DeliveryRef[], owner: string, now: Date, leaseMs: number, replay = false): Promise<Map<string, ClaimOutcome>> {
    const found = new Map<string, ClaimOutcome>();
    try {
      await this.claimChunks(deliveries, owner, now, leaseMs, replay, found);
    } catch (err) {
      // The caller gets no answer, so it neither publishes nor lets go what earlier chunks claimed:
      // let those go here, or they would wait out their lease with nothing sent.
      const taken = deliveries.filter((d) => found.get(d.orgId) === 'claimed');
      if (taken.length) await this.releaseAll(taken, owner).catch(() => undefined);
      throw err;
    }
    return found;
  }

  private async claimChunks(deliveries: readonly DeliveryRef[], owner: string, now: Date, leaseMs: number, replay: boolean, found: Map<string, ClaimOutcome>): Promise<void> {
    for (const chunk of chunks(deliveries, TRANSACTION_ITEMS / 2)) {
      let pending = chunk;
      for (let round = 1; round <= ROUNDS && pending.length; round++) {
        try {
          await this.db.send(new TransactWriteCommand({
            TransactItems: pending.flatMap((d) => [{ ConditionCheck: this.unrecordedCheck(d, replay) }, { Put: this.claimPut(d, owner, now, leaseMs) }]),
          }));
          for (const d of pending) found.set(d.orgId, 'claimed');
          pending = [];
        } catch (err) {
          // The reasons are read from the cancellation itself: translated (guarded), a conflict with
          // another run would already be a BusyError, and the rounds below would never see it.
          const reasons = cancellationReasons(err);
          if (!reasons) throw translate(err);
          const refused = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
          pending = pending.filter((d, i) => {
            if (refused(2 * i)) found.set(d.orgId, 'done');
            else if (refused(2 * i + 1)) found.set(d.orgId, 'held');
            else return true;
            return false;
          });
        }
      }
      for (const d of pending) found.set(d.orgId, 'held');
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
