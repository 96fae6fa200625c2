/**
 * MetricsStore on DynamoDB.
 *
 *   bucket         PK METRICS#<scope>#<group>#<granularity>[#<shard>]  SK <bucket start, ISO>
 *                  (granularity: minute, minute10, hour, hour6, day, week — GRANULARITIES)
 *   contributions  PK METRICS#<scope>#<group>#contributions[#<shard>]   SK <minute start, ISO>
 *   applied        PK MAPPLIED#<incidentId>                        SK <kind>#<scope>#<group>   (expires after a week)
 *
 * `<scope>` is `shared` (incidents not RED or AMBER+STRICT) or `restricted#<orgId>` (the restricted
 * incidents that organization participates in): see `scopesOf` in the domain. A minute's
 * contributions item lists each contribution of that minute (its millisecond in the minute, kind
 * and seconds), so the partial minutes at a window's edges are exact with one GetItem each.
 *
 * Contributions are written in transactions of up to 100 items (planTransactions): each
 * contribution's "applied" marker (see markerPut: a redelivered stream record adds nothing), then
 * each bucket and minute's contributions they change, once however many of them it takes (a
 * stream batch's reports of one hour share most of theirs), each guarded by its version so
 * concurrent writers never lose an update. A marker found already there drops that contribution
 * from the transaction.
 *
 * Write shards (`shards`): a stream batch's folds go to the buckets and minutes of one shard, its
 * first incident's (writeShard), so concurrent batches of a busy hour meet on one item in `shards`
 * as often; an un-fold comes out of a shard that holds its contribution. A read merges the same
 * bucket of every shard (its plan's items, once per shard).
 */
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type MetricsRead, type MetricsStore } from '../../domain/ports';
import { GRANULARITIES, UNIT, bucketStart, type Granularity } from '../../domain/metrics/calendar';
import { Aggregate, Distribution } from '../../domain/metrics/sketch';
import { type MetricKind, type Scope, type ScopedContribution } from '../../domain/metrics/contributions';
import type { Clock } from '../../domain/ports';
import { allInOrder, inPool } from '../../shared/pool';
import { cancellationReasons, guarded, translate } from './errors';
import { batchGetAll, queryAll } from './query';
import { LAYOUT_KEY, appliedMarkerKey, bucketKey, bucketPartition, scopeKey, writeShard } from './keys';

type Item = Record<string, unknown>;
const WEEK = 7 * 24 * 3600;
const ATTEMPTS = 30;
/** Transactions of one round in flight at once. */
const APPLY_CONCURRENCY = 4;

/** One stored contribution: its millisecond within the minute, its kind and its seconds. */
type Entry = [number, MetricKind, number | null];

/**
 * A distribution as `figures` stores it: `[]` when empty, else its count, sum, max, min and zero
 * count, then (when any duration is above 0) the first bin's key and the bins' counts from it on,
 * each run of two or more empty bins written as one negative number, minus its length. A bucket's durations
 * fill few of the bins their span covers (a week of an election's incidents about one in five), so
 * this is about half the bytes of the dense list stored before, and never more.
 */
export function distributionToFigures(d: Distribution): number[] {
  if (d.count === 0) return [];
  const out = [d.count, d.sum, d.max, d.min, d.zeros];
  let previous: number | undefined;
  for (const [key, n] of d.entries()) {
    if (previous === undefined) out.push(key);
    else if (key === previous + 2) out.push(0);
    else if (key > previous + 2) out.push(previous + 1 - key);
    out.push(n);
    previous = key;
  }
  return out;
}

function distributionFromFigures(f: unknown): Distribution {
  if (!Array.isArray(f) || f.length < 5) return new Distribution();
  const [count, sum, max, min, zero] = f.slice(0, 5).map(Number) as [number, number, number, number, number];
  const entries: Array<[number, number]> = [];
  for (let i = 6, key = Number(f[5]); i < f.length; i++) {
    const n = Number(f[i]);
    if (n < 0) key -= n;
    else entries.push([key++, n]);
  }
  return Distribution.fromEntries(count, sum, max, min, zero, entries);
}

/** The layout written before `figures`: an attribute per number, the bins as a dense JSON list. */
function legacyDistributionFromItem(prefix: string, item: Item): Distribution {
  const sketch = item[`${prefix}Sketch`];
  return Distribution.fromStored(
    Number(item[`${prefix}Count`] ?? 0), Number(item[`${prefix}Sum`] ?? 0), Number(item[`${prefix}Max`] ?? 0),
    typeof sketch === 'string' ? JSON.parse(sketch) : null,
    item[`${prefix}Min`] === undefined ? undefined : Number(item[`${prefix}Min`]),
  );
}

/**
 * A bucket as stored: its figures in one string attribute, `figures`, the JSON of
 * `[reported, acknowledged, resolved, tta, ttr]` (each distribution as distributionToFigures
 * writes it). One attribute rather than sixteen, and empty bins skipped: a busy week's bucket is
 * half the size it was (about 550 bytes instead of 1,200), which is what a read returns and a
 * transactional write pays for (2 write units per KB).
 *
 * Its write guard is `revision`, not `version` (guardOf): the release before knows no `figures`,
 * reads such a bucket as empty, and would put back its one contribution guarded by
 * `version = :v`; with no `version` there, that write is refused and its batch retried (by this
 * release, once deployed; after a rollback, to the dead-letter queue, nothing written), never
 * overwriting the bucket.
 */
export function aggregateToItem(scope: Scope, group: string, granularity: Granularity, start: string, aggregate: Aggregate, version: number, shard = 0): Item {
  return {
    ...bucketKey(scope, group, granularity, start, shard), entity: 'metrics', revision: version,
    figures: JSON.stringify([aggregate.reported, aggregate.acknowledged, aggregate.resolved, distributionToFigures(aggregate.tta), distributionToFigures(aggregate.ttr)]),
  };
}

/** A bucket's figures, in either layout: `figures`, or the attributes written before it (rewritten as `figures` at its next change). */
export function aggregateFromItem(item: Item | undefined): Aggregate {
  const a = new Aggregate();
  if (!item) return a;
  if (typeof item.figures === 'string') {
    const [reported, acknowledged, resolved, tta, ttr] = JSON.parse(item.figures) as unknown[];
    a.reported = Number(reported ?? 0);
    a.acknowledged = Number(acknowledged ?? 0);
    a.resolved = Number(resolved ?? 0);
    a.tta = distributionFromFigures(tta);
    a.ttr = distributionFromFigures(ttr);
    return a;
  }
  a.reported = Number(item.reported ?? 0);
  a.acknowledged = Number(item.acknowledged ?? 0);
  a.resolved = Number(item.resolved ?? 0);
  a.tta = legacyDistributionFromItem('tta', item);
  a.ttr = legacyDistributionFromItem('ttr', item);
  return a;
}

/** A minute's contributions as stored. */
export function contributionsToItem(scope: Scope, group: string, minute: string, entries: Entry[], version: number, shard = 0): Item {
  return { ...bucketKey(scope, group, 'contributions', minute, shard), entity: 'metricsContributions', version, entries: JSON.stringify(entries) };
}

/**
 * The attribute that guards an item's writes and its value: a `figures` bucket's `revision`
 * (aggregateToItem says why), else `version` (minute contributions, and buckets of the layout
 * before). An absent item is version 0.
 */
function guardOf(item: Item | undefined): { name: 'revision' | 'version'; value: number } {
  if (typeof item?.figures === 'string') return { name: 'revision', value: Number(item.revision ?? 0) };
  return { name: 'version', value: Number(item?.version ?? 0) };
}

const entriesFromItem = (item: Item | undefined): Entry[] => (typeof item?.entries === 'string' ? JSON.parse(item.entries) : []);
const entryOf = (c: ScopedContribution): Entry => [Date.parse(c.reportedAt) % 60_000, c.kind, c.seconds ?? null];
/** A contribution's entry as compared with stored ones (equal entries are interchangeable). */
const entryKeyOf = (c: ScopedContribution): string => JSON.stringify(entryOf(c));

/** Every item the store would hold for these contributions (for loading a history at once, as the benchmark does). */
export function itemsFor(contributions: ScopedContribution[], shards = 1): Item[] {
  const buckets = new Map<string, { scope: Scope; group: string; granularity: Granularity; start: number; aggregate: Aggregate; shard: number }>();
  const minutes = new Map<string, { scope: Scope; group: string; start: number; entries: Entry[]; shard: number }>();
  for (const c of contributions) {
    const at = Date.parse(c.reportedAt);
    const shard = writeShard(c.incidentId, shards);
    const pk = `${scopeKey(c.scope)}#${c.group}#${shard}`;
    for (const granularity of GRANULARITIES) {
      const start = at - (at % UNIT[granularity]);
      const k = `${pk}#${granularity}#${start}`;
      let b = buckets.get(k);
      if (!b) buckets.set(k, (b = { scope: c.scope, group: c.group, granularity, start, aggregate: new Aggregate(), shard }));
      b.aggregate.add(c);
    }
    const start = at - (at % UNIT.minute);
    const k = `${pk}#${start}`;
    let m = minutes.get(k);
    if (!m) minutes.set(k, (m = { scope: c.scope, group: c.group, start, entries: [], shard }));
    m.entries.push(entryOf(c));
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  return [
    ...[...buckets.values()].map((b) => aggregateToItem(b.scope, b.group, b.granularity, iso(b.start), b.aggregate, 1, b.shard)),
    ...[...minutes.values()].map((m) => contributionsToItem(m.scope, m.group, iso(m.start), m.entries, 1, m.shard)),
  ];
}

/** The remaining max and min of a bucket's distribution after an un-fold, by the bucket's key ("PK|SK"). */
type Extremes = Map<string, { max: number; min: number }>;

type Key = { PK: string; SK: string };
type Change = { Key: Key; next(item: Item | undefined, version: number, extremes: Extremes): Item };
const keyString = (k: Key) => `${k.PK}|${k.SK}`;

/** The item that lists the contributions of `c`'s minute, in write shard `shard`. */
const minuteKeyOf = (c: ScopedContribution, shard: number): Key => bucketKey(c.scope, c.group, 'contributions', bucketStart(c.reportedAt, 'minute'), shard);

/** The items a contribution changes: its bucket of each size, then its minute's contributions. */
function itemsOf(c: ScopedContribution, shard: number): Array<{ Key: Key; granularity: Granularity | null }> {
  return [
    ...GRANULARITIES.map((g) => ({ Key: bucketKey(c.scope, c.group, g, bucketStart(c.reportedAt, g), shard), granularity: g })),
    { Key: minuteKeyOf(c, shard), granularity: null },
  ];
}

/**
 * The items a transaction's contributions change, each once, and how: every contribution to a
 * bucket added to (or, `sign` -1, taken out of) it in their order, and its entry added to or
 * taken out of its minute's list. An un-fold is the only contribution to its items
 * (planTransactions), so the extremes read for it are the bucket's own.
 */
function changesOf(contributions: readonly ScopedContribution[], shardOf: (c: ScopedContribution) => number): Change[] {
  const byItem = new Map<string, { Key: Key; granularity: Granularity | null; shard: number; scope: Scope; group: string; contributions: ScopedContribution[] }>();
  for (const c of contributions) {
    const shard = shardOf(c);
    for (const { Key, granularity } of itemsOf(c, shard)) {
      const k = keyString(Key);
      const found = byItem.get(k);
      if (found) found.contributions.push(c);
      else byItem.set(k, { Key, granularity, shard, scope: c.scope, group: c.group, contributions: [c] });
    }
  }
  return [...byItem.values()].map(({ Key, granularity, shard, scope, group, contributions: cs }) => ({
    Key,
    next: (item, version, extremes) => {
      if (granularity !== null) {
        const aggregate = aggregateFromItem(item);
        for (const c of cs) {
          if (c.sign === -1) aggregate.remove(c, extremes.get(keyString(Key)));
          else aggregate.add(c);
        }
        return aggregateToItem(scope, group, granularity, Key.SK, aggregate, version, shard);
      }
      const entries = entriesFromItem(item);
      for (const c of cs) {
        if (c.sign === -1) {
          const gone = entryKeyOf(c);
          const at = entries.findIndex((e) => JSON.stringify(e) === gone);
          if (at >= 0) entries.splice(at, 1);
        } else entries.push(entryOf(c));
      }
      return contributionsToItem(scope, group, Key.SK, entries, version, shard);
    },
  }));
}

/** The most items one TransactWriteItems writes. */
export const TRANSACTION_ITEMS = 100;

/**
 * How contributions are written: in rounds, one after another, each a list of transactions that
 * may run at once. A lane (a scope and group) is cut into pieces of consecutive
 * contributions that share its buckets, each piece one write per item plus a marker per
 * contribution; the n-th pieces of every lane make round n, packed into transactions of at most
 * `limit` items. So no item is written twice in a round, and a lane's contributions apply in their
 * order. A piece starts anew at an un-fold (it needs its buckets' remaining extremes, so it is
 * alone in them), after one, and at a contribution whose marker the piece already writes (an
 * incident's fold and later un-fold of one group: one marker, two states, in order).
 */
export function planTransactions<C extends { sign?: -1 }>(
  contributions: readonly C[],
  { lane, marker, items }: { lane(c: C): string; marker(c: C): string; items(c: C): string[] },
  limit = TRANSACTION_ITEMS,
): C[][][] {
  type Piece = { contributions: C[]; items: Set<string>; markers: Set<string>; unfold: boolean };
  const lanes = new Map<string, Piece[]>();
  for (const c of contributions) {
    const key = lane(c);
    let pieces = lanes.get(key);
    if (!pieces) lanes.set(key, (pieces = []));
    const last = pieces.at(-1);
    const mine = items(c);
    const joins = last !== undefined && !last.unfold && c.sign !== -1 && !last.markers.has(marker(c))
      && last.contributions.length + 1 + last.items.size + mine.filter((k) => !last.items.has(k)).length <= limit;
    if (joins) {
      last.contributions.push(c);
      last.markers.add(marker(c));
      for (const k of mine) last.items.add(k);
    } else pieces.push({ contributions: [c], items: new Set(mine), markers: new Set([marker(c)]), unfold: c.sign === -1 });
  }
  const rounds: C[][][] = [];
  for (let n = 0; ; n++) {
    const pieces = [...lanes.values()].flatMap((p) => (p[n] ? [p[n]!] : []));
    if (pieces.length === 0) return rounds;
    const transactions: Array<{ contributions: C[]; size: number }> = [];
    for (const piece of pieces) {
      const size = piece.contributions.length + piece.items.size;
      const fits = transactions.find((t) => t.size + size <= limit);
      if (fits) { fits.contributions.push(...piece.contributions); fits.size += size; } else transactions.push({ contributions: [...piece.contributions], size });
    }
    rounds.push(transactions.map((t) => t.contributions));
  }
}

/**
 * The "applied" marker of a contribution. A first report's contributions (no `version`) are
 * applied once: the marker must not exist. A change's carry the state: `folded` and the version
 * `v` that set it. A fold applies when the marker is absent or un-folded at an older version; an
 * un-fold when it is folded (markers written before versions were kept are folded) at an older
 * version, or absent (its marker expired: folded long ago; the stream delivers an incident's
 * changes in order, so its fold was applied first). A redelivered change fails its condition and
 * is dropped, as before.
 */
function markerPut(tableName: string, c: ScopedContribution, expiresAt: number) {
  const Key = appliedMarkerKey(c);
  if (c.version === undefined) {
    return { Put: { TableName: tableName, Item: { ...Key, entity: 'metricsApplied', expiresAt }, ConditionExpression: 'attribute_not_exists(PK)' } };
  }
  const folding = c.sign !== -1;
  return {
    Put: {
      TableName: tableName,
      Item: { ...Key, entity: 'metricsApplied', expiresAt, folded: folding, v: c.version },
      ConditionExpression: folding
        ? 'attribute_not_exists(PK) OR (folded = :false AND v < :v)'
        : 'attribute_not_exists(PK) OR ((attribute_not_exists(folded) OR folded = :true) AND (attribute_not_exists(v) OR v < :v))',
      ExpressionAttributeValues: folding ? { ':false': false, ':v': c.version } : { ':true': true, ':v': c.version },
    },
  };
}

/**
 * Contributions cut where an un-fold's marker was already written earlier in the wave: its fold
 * (an incident moved out of a group and back in one batch) is then written before the un-fold
 * looks for the shard that holds it.
 */
function waves(contributions: readonly ScopedContribution[]): ScopedContribution[][] {
  const out: ScopedContribution[][] = [];
  let wave: ScopedContribution[] = [];
  let markers = new Set<string>();
  for (const c of contributions) {
    const marker = keyString(appliedMarkerKey(c));
    if (c.sign === -1 && markers.has(marker)) {
      out.push(wave);
      wave = [];
      markers = new Set();
    }
    wave.push(c);
    markers.add(marker);
  }
  if (wave.length > 0) out.push(wave);
  return out;
}

/**
 * Written once, by the first aggregator of this layout: when buckets of every size began to be
 * written. An earlier release wrote minute, hour and day buckets only, so queries read windows
 * before this time (plus LAYOUT_MARGIN, for an earlier aggregator still finishing a batch during a
 * deployment) from those three sizes. A new table gets it with its first contribution.
 */
const LAYOUT_MARGIN = 15 * 60_000;

/** Range Queries of one metrics query in flight at once. */
const RANGE_CONCURRENCY = 8;

export class DynamoMetricsStore implements MetricsStore {
  private layoutRecorded = false;
  private since: number | undefined;

  /** `shards`: the write shards of every bucket (see writeShard); 1 is the unsharded layout. */
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string, private readonly clock: Clock, private readonly shards = 1) {}

  private allShards(): number[] { return Array.from({ length: Math.max(1, this.shards) }, (_, i) => i); }

  async allSizesSince(): Promise<number> {
    if (this.since !== undefined) return this.since;
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: LAYOUT_KEY })));
    if (!Item) return Number.POSITIVE_INFINITY;
    // Written once and never changed: kept for the container's life.
    return (this.since = Date.parse(String(Item.since)) + LAYOUT_MARGIN);
  }

  /** Records when this layout began (once per table; a condition keeps the first). */
  private async recordLayout(): Promise<void> {
    if (this.layoutRecorded) return;
    await guarded(this.db.send(new PutCommand({
      TableName: this.tableName, Item: { ...LAYOUT_KEY, entity: 'metricsLayout', since: this.clock.now().toISOString() }, ConditionExpression: 'attribute_not_exists(PK)',
    }))).catch((err) => { if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err; });
    this.layoutRecorded = true;
  }

  /**
   * Writes contributions in waves (see waves). A wave's folds all go to one write shard, its first
   * contribution's, so a stream batch's contributions to a group share that shard's buckets and
   * are one write each (folding), while concurrent batches most often write other shards. An
   * un-fold goes to a shard that holds its contribution (shardsHolding).
   */
  async applyMany(contributions: readonly ScopedContribution[]): Promise<void> {
    await this.recordLayout();
    for (const wave of waves(contributions)) {
      const foldShard = writeShard(wave[0]!.incidentId, this.shards);
      const held = await this.shardsHolding(wave.filter((c) => c.sign === -1));
      const shardOf = (c: ScopedContribution) => held.get(c)?.shard ?? foldShard;
      const rounds = planTransactions(wave, {
        // A scope and group, whatever the shard: an incident's un-fold and fold of one group (one
        // marker) may be in two shards, and must still go in order, never in one transaction.
        lane: (c) => bucketPartition(c.scope, c.group, 'contributions'),
        marker: (c) => keyString(appliedMarkerKey(c)),
        items: (c) => itemsOf(c, shardOf(c)).map(({ Key }) => keyString(Key)),
      });
      for (const transactions of rounds) await inPool(transactions, APPLY_CONCURRENCY, (t) => this.applyTogether(t, shardOf, held));
    }
  }

  /**
   * For each un-fold, a write shard whose buckets hold its contribution: one whose minute's
   * contributions list its entry (equal entries add the same to every bucket, so any one of them
   * may be taken out), the shard of the incident's id first (where every fold went before folds
   * followed their batch). `found` is false where no shard lists it: the incident's shard, as then.
   */
  private async shardsHolding(unfolds: ScopedContribution[]): Promise<Map<ScopedContribution, { shard: number; found: boolean }>> {
    const out = new Map<ScopedContribution, { shard: number; found: boolean }>();
    if (unfolds.length === 0) return out;
    const stored = await this.getAll([...new Map(unfolds.flatMap((c) => this.allShards().map((shard) => {
      const k = minuteKeyOf(c, shard);
      return [keyString(k), k] as const;
    }))).values()]);
    // Entries still to take, per item: two equal un-folds of one call take two entries.
    const left = new Map<string, string[]>();
    for (const c of unfolds) {
      const own = writeShard(c.incidentId, this.shards);
      const gone = entryKeyOf(c);
      const shard = [own, ...this.allShards().filter((s) => s !== own)].find((candidate) => {
        const k = keyString(minuteKeyOf(c, candidate));
        if (!left.has(k)) left.set(k, entriesFromItem(stored.get(k)).map((e) => JSON.stringify(e)));
        const entries = left.get(k)!;
        const at = entries.indexOf(gone);
        if (at < 0) return false;
        entries.splice(at, 1);
        return true;
      });
      out.set(c, shard === undefined ? { shard: own, found: false } : { shard, found: true });
    }
    return out;
  }

  /**
   * One transaction (retried while its buckets change under it): each contribution's marker, then
   * each item they change, written once and guarded by its version.
   */
  private async applyTogether(contributions: ScopedContribution[], shardOf: (c: ScopedContribution) => number, held: ReadonlyMap<ScopedContribution, { found: boolean }>): Promise<void> {
    let pending = contributions;
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      const changes = changesOf(pending, shardOf);
      const stored = await this.getAll(changes.map((ch) => ch.Key));
      // An un-fold's entry found in its shard and gone since (an equal entry of another incident,
      // taken out at the same time by another batch): the batch is delivered again and looks anew.
      for (const c of pending) {
        if (c.sign !== -1 || !held.get(c)?.found) continue;
        const gone = entryKeyOf(c);
        const minute = stored.get(keyString(minuteKeyOf(c, shardOf(c))));
        if (!entriesFromItem(minute).some((e) => JSON.stringify(e) === gone)) throw new Error('an un-folded contribution left its write shard meanwhile');
      }
      const extremes = await this.extremesAfterRemoval(pending, stored, shardOf);
      const puts = changes.map(({ Key, next }) => {
        const item = stored.get(keyString(Key));
        const guard = guardOf(item);
        return {
          Put: {
            TableName: this.tableName,
            Item: next(item, guard.value + 1, extremes),
            // Guarded by what the item read has: a bucket of the layout before by its `version`.
            ConditionExpression: item ? `${guard.name} = :v` : 'attribute_not_exists(PK)',
            ...(item ? { ExpressionAttributeValues: { ':v': guard.value } } : {}),
          },
        };
      });
      const expiresAt = Math.floor(this.clock.now().getTime() / 1000) + WEEK;
      const markers = pending.map((c) => markerPut(this.tableName, c, expiresAt));
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: [...markers, ...puts] }));
        return;
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw translate(err);
        // A marker that exists: that contribution was applied before (a redelivery); drop it.
        const appliedBefore = new Set(pending.flatMap((_, i) => (reasons[i]?.Code === 'ConditionalCheckFailed' ? [i] : [])));
        if (appliedBefore.size > 0) pending = pending.filter((_, i) => !appliedBefore.has(i));
        else await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
    if (pending.length > 0) throw new Error(`metrics buckets for ${pending.length} contributions kept changing`);
  }

  /**
   * For each un-fold that takes out a bucket's largest or smallest duration: the bucket's remaining
   * max and min, from the stored contributions of its minutes (one Query over the week that holds
   * every bucket of the contribution; the bucket's version guard keeps it consistent). Maxima stay
   * exact; other un-folds read nothing more.
   */
  private async extremesAfterRemoval(pending: ScopedContribution[], stored: Map<string, Item>, shardOf: (c: ScopedContribution) => number): Promise<Extremes> {
    const out: Extremes = new Map();
    for (const c of pending) {
      if (c.sign !== -1 || c.kind === 'reported') continue;
      const prefix = c.kind === 'acknowledged' ? 'tta' : 'ttr';
      const value = c.seconds ?? 0;
      const needs = GRANULARITIES.flatMap((g) => {
        const Key = bucketKey(c.scope, c.group, g, bucketStart(c.reportedAt, g), shardOf(c));
        const item = stored.get(`${Key.PK}|${Key.SK}`);
        return item && aggregateFromItem(item)[prefix].isExtreme(value) ? [{ g, key: `${Key.PK}|${Key.SK}`, start: Key.SK }] : [];
      });
      if (needs.length === 0) continue;
      const weekStart = bucketStart(c.reportedAt, 'week');
      const minutes = await queryAll(this.db, {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :last',
        ExpressionAttributeValues: { ':pk': bucketPartition(c.scope, c.group, 'contributions', shardOf(c)), ':from': weekStart, ':last': new Date(Date.parse(weekStart) + UNIT.week - 1).toISOString() },
        ConsistentRead: true,
      });
      const gone = entryKeyOf(c);
      for (const { g, key, start } of needs) {
        const [from, to] = [Date.parse(start), Date.parse(start) + UNIT[g]];
        const values: number[] = [];
        let removed = false;
        for (const item of minutes) {
          const minute = Date.parse(String(item.SK));
          if (minute < from || minute >= to) continue;
          for (const e of entriesFromItem(item)) {
            if (e[1] !== c.kind) continue;
            if (!removed && String(item.SK) === bucketStart(c.reportedAt, 'minute') && JSON.stringify(e) === gone) { removed = true; continue; }
            values.push(e[2] ?? 0);
          }
        }
        if (values.length) out.set(key, { max: Math.max(...values), min: Math.min(...values) });
      }
    }
    return out;
  }

  /** Reads by key, by "PK|SK"; consistent unless asked otherwise. */
  private async getAll(keys: Array<{ PK: string; SK: string }>, consistent = true): Promise<Map<string, Item>> {
    return new Map((await batchGetAll(this.db, this.tableName, keys, { consistent })).map((item) => [`${item.PK}|${item.SK}`, item]));
  }

  /**
   * Keys in BatchGetItem requests of up to 100, ranges by one Query each, at most eight of each at
   * once (eventually consistent, as bucket reads always were), every one in each write shard. A
   * window's keys and ranges are fixed by the window, so the requests are too, whatever the number
   * of incidents.
   */
  async readMany(reads: readonly MetricsRead[]): Promise<Aggregate[]> {
    type Keyed = Exclude<MetricsRead, { granularity: Granularity; from: string }>;
    const keyOf = (r: Keyed, shard: number) => ('minute' in r ? bucketKey(r.scope, r.group, 'contributions', r.minute, shard) : bucketKey(r.scope, r.group, r.granularity, r.start, shard));
    const isRange = (r: MetricsRead): r is Extract<MetricsRead, { granularity: Granularity; from: string }> => 'granularity' in r && 'from' in r;
    const shards = this.allShards();
    const keyed = reads.filter((r) => !isRange(r)) as Keyed[];
    const keys = new Map(keyed.flatMap((r) => shards.map((shard) => { const k = keyOf(r, shard); return [`${k.PK}|${k.SK}`, k] as const; })));
    const ranges = reads.filter(isRange).flatMap((r) => shards.map((shard) => ({ ...r, shard })));
    // Settled together: a failure answers once nothing of the query is still reading.
    const [items, merged] = await allInOrder<[Map<string, Item>, Aggregate[]]>([
      this.getAll([...keys.values()], false),
      inPool(ranges, RANGE_CONCURRENCY, (r) => this.readShard(r.scope, r.group, r.granularity, r.from, r.to, r.shard)),
    ]);
    let nextRange = 0;
    return reads.map((r) => {
      const total = new Aggregate();
      if (isRange(r)) {
        for (const _ of shards) total.merge(merged[nextRange++]!);
        return total;
      }
      for (const shard of shards) {
        const k = keyOf(r, shard);
        const item = items.get(`${k.PK}|${k.SK}`);
        if (!('minute' in r)) { total.merge(aggregateFromItem(item)); continue; }
        const [lo, hi] = [Date.parse(r.from) - Date.parse(r.minute), Date.parse(r.to) - Date.parse(r.minute)];
        for (const [ms, kind, seconds] of entriesFromItem(item)) {
          if (ms >= lo && ms < hi) total.add(seconds === null ? { kind } : { kind, seconds });
        }
      }
      return total;
    });
  }

  /** The merged buckets of `group` in `scope` in [from, to), by one Query per write shard, all settled before it answers. */
  async read(scope: Scope, group: string, granularity: Granularity, from: string, to: string): Promise<Aggregate> {
    const total = new Aggregate();
    for (const part of await allInOrder(this.allShards().map((shard) => this.readShard(scope, group, granularity, from, to, shard)))) total.merge(part);
    return total;
  }

  private async readShard(scope: Scope, group: string, granularity: Granularity, from: string, to: string, shard: number): Promise<Aggregate> {
    const total = new Aggregate();
    const last = new Date(Date.parse(to) - 1).toISOString();
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :last',
      ExpressionAttributeValues: { ':pk': bucketPartition(scope, group, granularity, shard), ':from': from, ':last': last },
    });
    for (const item of items) total.merge(aggregateFromItem(item));
    return total;
  }
}
