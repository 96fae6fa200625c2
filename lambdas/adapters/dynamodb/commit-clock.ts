/**
 * The commit clock (keys.ts COMMIT_CLOCK_KEY): every write that makes a new version of an incident
 * takes the clock's next time in its own transaction, by a conditional Put that moves the clock
 * only forward, and stores that time as the incident's `addedAt` (TAXII's date_added). So a version
 * committed after another is always dated after it (incident-items.ts says why that matters).
 *
 * Group commit. Writes of one process that wait for the clock go together: one TransactWriteItems
 * carries several writes' items and ONE Put of the clock, which gives the group's writes
 * consecutive times (first … last) and takes the group's last time on the condition that it holds
 * an earlier time than the group's first. The group commits at once or not at all, so the rule
 * above holds for every write in it. A group is whatever queued while the one before was in flight
 * (no write waits to gather one), as many as fit in a transaction: at most 100 items, no item twice,
 * well under DynamoDB's 4 MB. Under a slow store groups grow; alone, a write's transaction is
 * exactly what it was without groups. (A Lambda instance serves one request at a time: there a
 * group is one write. It matters where one process serves many: npm start, the load bench.)
 *
 * A group cancelled for one write's own condition (a guard, a dedup claim) answers that write with
 * its own items' reasons and sends the others again at once; a group that lost the clock to a
 * write of another process (its condition failed: the cancellation returns the clock's time; or a
 * conflict: it is read after a short pause) sends them again with later times. A write tries at
 * least ATTEMPTS times and for PATIENCE_MS, then answers busy (503).
 *
 * One group is in flight at a time, so the process's writes never race each other for the clock;
 * a group in flight for STALLED_MS or more (a slow request) lets the next group go beside it, dated
 * after it, so one stalled request holds no other up (up to MAX_IN_FLIGHT groups).
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BusyError } from '../../domain/errors';
import { nextClockTime } from '../../shared/ids';
import { cancellationReasons, guarded, isUnavailable, type CancellationReason } from './errors';
import { COMMIT_CLOCK_KEY } from './keys';
import type { Transaction, WriteItem } from './transaction';

/** What sending a write came to: committed, or refused with the error its own transaction would have had. */
export type Sent = { ok: true } | { ok: false; err: unknown; tx: Transaction };
/** Builds a write's transaction for its time `addedAt`, with `clock` (the clock's Put) as the item named "clock". */
export type StampedWrite = (addedAt: string, clock: WriteItem) => Transaction;

const ATTEMPTS = 100;
const PATIENCE_MS = 5_000;
const STALLED_MS = 1_000;
const MAX_IN_FLIGHT = 4;
/** A write still queued this long (the store far behind) answers busy (503) rather than wait on. */
const QUEUE_PATIENCE_MS = 10_000;
/** DynamoDB's limits on one transaction: 100 items and 4 MB (counted here as JSON text, with room to spare). */
const TRANSACTION_ITEMS = 100;
const TRANSACTION_BYTES = 2_000_000;
const LOST_CLOCK = new Set(['ConditionalCheckFailed', 'TransactionConflict']);
const failed = (r: CancellationReason | undefined) => !!r?.Code && r.Code !== 'None';
const pause = (attempt: number) => new Promise<void>((r) => setTimeout(r, Math.random() * Math.min(25, 1 + attempt)));

interface Writer {
  floor: string;
  build: StampedWrite;
  attempts: number;
  started: number;
  /** Sent alone from now on: a group it was in failed in a way that names no write. */
  alone: boolean;
  settle: (sent: Sent) => void;
  reject: (err: unknown) => void;
}

/** A writer in a group: its transaction, and where its items are among the group's. */
interface Member { writer: Writer; tx: Transaction; positions: number[] }
/** A group's writers, its items, and where among them the one Put of the clock is (its first writer's). */
interface Group { members: Member[]; items: WriteItem[]; clockAt: number }

const keyOf = (item: WriteItem): string => {
  const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
  const key = (item.Put ? item.Put.Item : (op as { Key?: Record<string, unknown> }).Key) ?? {};
  return JSON.stringify([op?.TableName, key.PK, key.SK]);
};

export class CommitClock {
  private readonly queue: Writer[] = [];
  private readonly inFlight = new Set<{ since: number }>();
  /** The latest time this process knows the clock holds or has given out. */
  private latest: string | undefined;
  private wake: NodeJS.Timeout | undefined;
  private wakeAtTime: number | undefined;

  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  /** Sends the transaction `build` makes for the clock's next time (never before `floor`), with the clock's move to it. */
  send(floor: string, build: StampedWrite): Promise<Sent> {
    return new Promise<Sent>((settle, reject) => {
      this.queue.push({ floor, build, attempts: 0, started: Date.now(), alone: false, settle, reject });
      this.pump();
    });
  }

  /** Starts groups while the queue has writes and no group is in flight (or every one has stalled). */
  private pump(): void {
    while (this.queue.length) {
      const now = Date.now();
      this.shedStale(now);
      if (!this.queue.length) return;
      const full = this.inFlight.size >= MAX_IN_FLIGHT;
      const stalled = !full && [...this.inFlight].every((g) => now - g.since >= STALLED_MS);
      if (!stalled) {
        // Looked at again when the oldest in flight would count as stalled or, every slot taken
        // (nothing else would wake it if they all hang), when the oldest queued write runs out of patience.
        const oldest = Math.min(...[...this.inFlight].map((g) => g.since));
        const oldestQueued = Math.min(...this.queue.filter((w) => w.attempts === 0).map((w) => w.started));
        const at = Math.min(full ? Infinity : oldest + STALLED_MS, oldestQueued + QUEUE_PATIENCE_MS);
        if (Number.isFinite(at)) this.wakeAt(at, now);
        return;
      }
      const group = this.takeGroup();
      if (!group.members.length) continue;
      const flight = { since: now };
      this.inFlight.add(flight);
      void this.sendGroup(group)
        .catch((err: unknown) => { for (const m of group.members) m.writer.reject(err); })
        .finally(() => { this.inFlight.delete(flight); this.pump(); });
    }
  }

  /** Runs pump at `at` (or earlier, if a wake is already set for sooner). */
  private wakeAt(at: number, now: number): void {
    if (this.wake && this.wakeAtTime !== undefined && this.wakeAtTime <= at) return;
    if (this.wake) clearTimeout(this.wake);
    this.wakeAtTime = at;
    this.wake = setTimeout(() => { this.wake = undefined; this.wakeAtTime = undefined; this.pump(); }, Math.max(1, at - now)).unref();
  }

  /** Answers busy every write that has waited past its patience without a first try. */
  private shedStale(now: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const writer = this.queue[i]!;
      if (writer.attempts === 0 && now - writer.started >= QUEUE_PATIENCE_MS) {
        this.queue.splice(i, 1);
        writer.reject(new BusyError('Too many changes at once; try again.', 1));
      }
    }
  }

  /** The writes at the head of the queue that fit one transaction, each built for its time. */
  private takeGroup(): Group {
    const members: Member[] = [];
    const items: WriteItem[] = [];
    const keys = new Set<string>();
    let bytes = 0;
    let first = '';
    let clockAt = -1;
    let previous = this.latest;
    const clockPut = (from: string, to: string): WriteItem => ({
      Put: {
        TableName: this.tableName,
        Item: { ...COMMIT_CLOCK_KEY, entity: 'clock', at: to },
        // Only forward: the clock takes the group's last time if it holds a time before the
        // group's first, whoever wrote it. A process that last saw the clock before others moved
        // it still commits at once when its times are later, as they nearly always are.
        ConditionExpression: 'attribute_not_exists(PK) OR #at < :at',
        ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':at': from },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
    while (this.queue.length) {
      const writer = this.queue[0]!;
      if (members.length && (writer.alone || members[0]!.writer.alone)) break;
      const at = nextClockTime(previous, writer.floor);
      let tx: Transaction;
      try {
        tx = writer.build(at, clockPut(members.length ? first : at, at));
      } catch (err) {
        this.queue.shift();
        writer.reject(err);
        continue;
      }
      const own = tx.writes;
      const clock = tx.indexOf('clock');
      const others = own.filter((_, i) => i !== clock);
      const size = JSON.stringify(others).length;
      if (members.length && (items.length + others.length > TRANSACTION_ITEMS || bytes + size > TRANSACTION_BYTES || others.some((i) => keys.has(keyOf(i))))) break;
      this.queue.shift();
      if (!members.length) {
        first = at;
        clockAt = clock;
        items.push(...own);
        members.push({ writer, tx, positions: own.map((_, i) => i) });
      } else {
        // Its clock Put is the group's (the first member's, which now takes this later time).
        items[clockAt] = clockPut(first, at);
        members.push({ writer, tx, positions: own.map((_, i) => (i === clock ? clockAt : items.length + (i < clock ? i : i - 1))) });
        items.push(...others);
      }
      for (const i of others) keys.add(keyOf(i));
      bytes += size;
      previous = at;
    }
    this.latest = previous;
    return { members, items, clockAt };
  }

  private async sendGroup({ members, items, clockAt }: Group): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      for (const m of members) m.writer.settle({ ok: true });
      return;
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) {
        // Nothing names a write: alone, it is the write's own answer; in a group refused outright (a
        // request DynamoDB will not take, e.g. an item twice), each goes again alone. A failure that
        // may have been applied (a server error, a timeout, a reset connection, after the SDK's own
        // retries) is every write's own answer, as alone: sent again, a write already stored would
        // fail its own conditions and answer a conflict (or a 500) for what was done.
        if (members.length === 1 || isUnavailable(err)) {
          for (const m of members) m.writer.settle({ ok: false, err, tx: m.tx });
          return;
        }
        for (const m of members) m.writer.alone = true;
        return this.retry(members);
      }
      const clock = reasons[clockAt];
      const lostClock = LOST_CLOCK.has(clock?.Code ?? '');
      // Each write's own items' reasons, and whether one of its items (the clock aside) failed.
      const answers = members.map((m) => {
        const own = m.positions.map((p) => reasons[p] ?? {});
        return { m, own, ownFailed: own.some((r, i) => i !== m.tx.indexOf('clock') && failed(r)) };
      });
      const named = answers.some((a) => a.ownFailed);
      const again: Member[] = [];
      for (const { m, own, ownFailed } of answers) {
        // Its own item failed, or the clock failed for a reason other than another write, or the
        // cancellation names no item at all: the write's answer, as its own transaction would have
        // had it (sent again at once, a cancellation that names nothing could repeat without pause).
        if (ownFailed || (failed(clock) && !lostClock) || (!lostClock && !named)) m.writer.settle({ ok: false, err: members.length === 1 ? err : cancelledWith(err, own), tx: m.tx });
        else again.push(m);
      }
      if (lostClock) await this.reread(clock!, Math.max(...again.map((m) => m.writer.attempts), 0) + 1);
      this.retry(again);
    }
  }

  /** The clock's time after losing it: returned by a failed condition, else read after a pause. */
  private async reread(clock: CancellationReason, attempt: number): Promise<void> {
    let current: unknown;
    if (clock.Code === 'ConditionalCheckFailed' && clock.Item) {
      current = unmarshall(clock.Item as never).at;
    } else {
      await pause(attempt);
      try {
        current = (await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: COMMIT_CLOCK_KEY, ConsistentRead: true })))).Item?.at;
      } catch {
        // Unread: the next attempt's times are this process's, and a loss returns the clock.
      }
    }
    if (typeof current === 'string' && (this.latest === undefined || current > this.latest)) this.latest = current;
  }

  /** Puts writes back at the head of the queue, in their order; one out of patience answers busy. */
  private retry(members: Member[]): void {
    const now = Date.now();
    const back: Writer[] = [];
    for (const { writer } of members) {
      writer.attempts++;
      if (writer.attempts >= ATTEMPTS && now - writer.started >= PATIENCE_MS) writer.reject(new BusyError('Too many changes at once; try again.', 1));
      else back.push(writer);
    }
    this.queue.unshift(...back);
  }
}

/** A cancellation as one write's own transaction would have had it: its items' reasons. */
function cancelledWith(err: unknown, reasons: CancellationReason[]): Error {
  return Object.assign(new Error((err as Error).message, { cause: err }), { name: 'TransactionCanceledException', CancellationReasons: reasons });
}
