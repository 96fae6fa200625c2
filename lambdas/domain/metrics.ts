/**
 * Response-time metrics, pre-aggregated as incidents change so a query costs what its window's
 * buckets cost, not what its incidents cost.
 *
 * Every change to an incident yields contributions — "reported", "acknowledged" (with the time to
 * acknowledge), "resolved" (with the time to resolve) — each to a group (`all`, its severity, its
 * category, and each participant organization) and to the bucket of the incident's `reportedAt`
 * (the window is of `reportedAt`), per visibility scope. Buckets are minutes, hours and days, and
 * each minute also keeps its contributions: a window reads whole days, whole hours and whole
 * minutes from buckets and its partial edge minutes from those two minutes' contributions, so
 * counts and means are exact for any window and the items read never depend on the number of
 * incidents. Percentiles are nearest-rank, read off mergeable DDSketch bins with 1 % relative
 * accuracy.
 */
import { DDSketch } from '@datadog/sketches-js';
import { CATEGORIES, SEVERITIES, canSee, isRestricted, type Caller, type Incident } from './incident';
import { ForbiddenError } from './errors';
import { inPool } from './pool';

export const RELATIVE_ACCURACY = 0.009;
export type MetricKind = 'reported' | 'acknowledged' | 'resolved';
export { GROUP_BYS, type GroupBy } from './incident';
import type { GroupBy } from './incident';

export interface Contribution {
  incidentId: string;
  kind: MetricKind;
  group: string;
  reportedAt: string;
  /** Seconds from report to acknowledgement or resolution. */
  seconds?: number;
}

const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * Visibility scopes. Buckets are kept per scope so that a manager's figures merge only what that
 * manager may see (`canSee`): every incident whose TLP is not restricted goes to the shared scope;
 * a RED or AMBER+STRICT incident goes to the restricted scope of each of its participants, never
 * to the shared one. A manager of X reads the shared scope and X's restricted scope: exactly the
 * non-restricted incidents plus the restricted ones X participates in, each counted once.
 */
export type Scope = { kind: 'shared' } | { kind: 'restricted'; orgId: string };
export const SHARED: Scope = { kind: 'shared' };
export const restrictedScope = (orgId: string): Scope => ({ kind: 'restricted', orgId });

/** The scopes an incident's figures go to. */
export const scopesOf = (i: Pick<Incident, 'tlp' | 'participants'>): Scope[] =>
  (isRestricted(i.tlp) ? i.participants.map(restrictedScope) : [SHARED]);

/** The scopes a manager's figures are merged from. Metrics are for managers only. */
export function scopesVisibleTo(viewer: Caller): Scope[] {
  if (viewer.role !== 'manager') throw new ForbiddenError('Metrics are for manager keys.');
  return [SHARED, restrictedScope(viewer.orgId)];
}

export interface ScopedContribution extends Contribution { scope: Scope }

export const groupsOf = (i: Pick<Incident, 'severity' | 'category'>) => ['all', `severity#${i.severity}`, `category#${i.category}`];

/**
 * What a change from `before` (null: just reported) to `after` adds to the figures. By
 * organization, the time to acknowledge is that organization's own acknowledgement.
 */
export function contributionsOf(before: Incident | null, after: Incident): Contribution[] {
  const base = { incidentId: after.id, reportedAt: after.reportedAt };
  const out: Contribution[] = [];
  const orgGroups = after.participants.map((p) => `org#${p}`);
  if (!before) for (const group of [...groupsOf(after), ...orgGroups]) out.push({ ...base, kind: 'reported', group });
  if (after.acknowledgedAt && !before?.acknowledgedAt) {
    for (const group of groupsOf(after)) out.push({ ...base, kind: 'acknowledged', group, seconds: seconds(after.reportedAt, after.acknowledgedAt) });
  }
  const ackedBefore = new Set(before?.acknowledgements.map((a) => a.orgId) ?? []);
  for (const ack of after.acknowledgements) {
    if (!ackedBefore.has(ack.orgId)) out.push({ ...base, kind: 'acknowledged', group: `org#${ack.orgId}`, seconds: seconds(after.reportedAt, ack.at) });
  }
  if (after.status === 'resolved' && after.resolvedAt && before?.status !== 'resolved') {
    for (const group of [...groupsOf(after), ...orgGroups]) out.push({ ...base, kind: 'resolved', group, seconds: seconds(after.reportedAt, after.resolvedAt) });
  }
  return out;
}

/** `contributionsOf`, once for each scope the incident's figures go to: what the buckets receive. */
export const scopedContributionsOf = (before: Incident | null, after: Incident): ScopedContribution[] => {
  const contributions = contributionsOf(before, after);
  return scopesOf(after).flatMap((scope) => contributions.map((c) => ({ ...c, scope })));
};

/** Everything an incident contributes in its current state (for the live part of a window). */
export const allContributionsOf = (incident: Incident) => contributionsOf(null, incident);

/** A sketch's counts, compactly: the zero count, the first key, and the count of each key from it. */
export interface SketchBins { z: number; k: number; b: number[] }

/** DDSketch's key mapping for our accuracy: value ↔ bin key, shared by every distribution. */
const MAPPING = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }).mapping;

/**
 * A distribution: exact count, sum, min and max; percentiles from DDSketch's bins. Buckets are
 * merged as bin counts (adding numbers per key), and percentiles are read off the merged bins.
 *
 * Percentiles are nearest-rank: pN is the smallest observation with at least N % of the
 * observations at or below it, i.e. the observation of rank ceil(N/100 · count). The bin holding
 * that rank gives its value within the sketch's relative accuracy; it is then clamped to the exact
 * [min, max], so p50 ≤ p90 ≤ p99 ≤ max always holds (DDSketch's own quantile convention, rank
 * q · (count − 1), picks the smaller of two observations for p90 and is not ours).
 */
export class Distribution {
  private zero = 0;
  private readonly bins = new Map<number, number>();

  constructor(public count = 0, public sum = 0, public max = 0, public min = Number.POSITIVE_INFINITY) {}

  add(value: number): void {
    this.count++;
    this.sum += value;
    this.max = Math.max(this.max, value);
    this.min = Math.min(this.min, value);
    if (value <= 0) this.zero++;
    else this.bump(MAPPING.key(value), 1);
  }

  merge(other: Distribution): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    this.min = Math.min(this.min, other.min);
    this.zero += other.zero;
    for (const [key, n] of other.bins) this.bump(key, n);
  }

  /** The bins, for storage. */
  toBins(): SketchBins {
    if (this.bins.size === 0) return { z: this.zero, k: 0, b: [] };
    const keys = [...this.bins.keys()];
    const k = Math.min(...keys);
    const b = new Array<number>(Math.max(...keys) - k + 1).fill(0);
    for (const [key, n] of this.bins) b[key - k] = n;
    return { z: this.zero, k, b };
  }

  /** `min` undefined: a bucket stored before min was kept; durations are never below 0. */
  static fromStored(count: number, sum: number, max: number, bins: SketchBins | null, min?: number): Distribution {
    const d = new Distribution(count, sum, max);
    if (bins) {
      d.zero = bins.z;
      bins.b.forEach((n, i) => { if (n > 0) d.bins.set(bins.k + i, n); });
    }
    if (count) d.min = min ?? 0;
    return d;
  }

  /** The nearest-rank pN (N in percent), within the sketch's accuracy and inside [min, max]. */
  percentile(n: number): number | null {
    if (!this.count) return null;
    const rank = Math.max(1, Math.ceil((n * this.count) / 100));
    let value = this.max;
    let seen = this.zero;
    if (seen >= rank) value = 0;
    else {
      for (const key of [...this.bins.keys()].sort((a, b) => a - b)) {
        seen += this.bins.get(key)!;
        if (seen >= rank) { value = MAPPING.value(key); break; }
      }
    }
    return Math.min(this.max, Math.max(this.min, value));
  }

  summary() {
    const q = (n: number) => { const v = this.percentile(n); return v === null ? null : round(v); };
    return {
      count: this.count,
      meanSeconds: this.count ? round(this.sum / this.count) : null,
      p50Seconds: q(50), p90Seconds: q(90), p99Seconds: q(99),
      maxSeconds: this.count ? round(this.max) : null,
    };
  }

  private bump(key: number, n: number): void {
    this.bins.set(key, (this.bins.get(key) ?? 0) + n);
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** One group's figures over some span: a bucket, or a whole window once merged. */
export class Aggregate {
  reported = 0;
  acknowledged = 0;
  resolved = 0;
  tta = new Distribution();
  ttr = new Distribution();

  add(c: Pick<Contribution, 'kind' | 'seconds'>): void {
    if (c.kind === 'reported') this.reported++;
    else if (c.kind === 'acknowledged') { this.acknowledged++; this.tta.add(c.seconds ?? 0); }
    else { this.resolved++; this.ttr.add(c.seconds ?? 0); }
  }

  merge(other: Aggregate): void {
    this.reported += other.reported;
    this.acknowledged += other.acknowledged;
    this.resolved += other.resolved;
    this.tta.merge(other.tta);
    this.ttr.merge(other.ttr);
  }

  summary() {
    return {
      incidents: { reported: this.reported, acknowledged: this.acknowledged, resolved: this.resolved, open: this.reported - this.resolved },
      timeToAcknowledge: this.tta.summary(),
      timeToResolve: this.ttr.summary(),
    };
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/**
 * The bucket sizes, finest first; each divides the next, and all are aligned to the Unix epoch
 * (weeks start on Thursdays 00:00 UTC: an internal unit, never shown). More sizes mean more items
 * written per contribution and fewer read per query: see planWindow.
 */
export const GRANULARITIES = ['minute', 'minute10', 'hour', 'hour6', 'day', 'week'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const UNIT: Record<Granularity, number> = { minute: MINUTE, minute10: 10 * MINUTE, hour: HOUR, hour6: 6 * HOUR, day: DAY, week: WEEK };

export const bucketStart = (iso: string, granularity: Granularity) => {
  const ms = Date.parse(iso);
  return new Date(ms - (ms % UNIT[granularity])).toISOString();
};

export interface Range { from: string; to: string }

/**
 * How a window is read. Per scope and group: whole buckets, each range from one Query, the partial
 * minutes at the edges from the stored contributions of those two minutes (one item each), and the
 * live part from incidents.
 */
export interface WindowPlan {
  /**
   * Whole buckets, coarsest first. Per granularity at most two ranges, one at each end, each of
   * fewer buckets than make one of the next size (at most 9 minutes, 5 ten-minutes, 5 hours,
   * 3 six-hours, 6 days); the coarsest, weeks, one range in the middle.
   */
  buckets: Array<Range & { granularity: Granularity }>;
  /** At most two ranges, each inside one minute. */
  partial: Range[];
  /** From the freshest minute on: read from the incidents themselves. */
  live: Range | null;
}

const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;
const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const iso = (ms: number) => new Date(ms).toISOString();

/** The sizes written before ten-minute, six-hour and week buckets existed. */
const FIRST_SIZES: readonly Granularity[] = ['minute', 'hour', 'day'];

/** Whole buckets of `sizes` covering [lo, hi) (minute-aligned), coarsest first: each size takes the ends up to the next size's edges. */
function wholeBuckets(lo: number, hi: number, sizes: readonly Granularity[]): WindowPlan['buckets'] {
  const levels: Array<WindowPlan['buckets']> = [];
  for (const [i, granularity] of sizes.entries()) {
    const next = sizes[i + 1];
    const [nlo, nhi] = next ? [ceilTo(lo, UNIT[next]), floorTo(hi, UNIT[next])] : [hi, hi];
    if (!next || nlo >= nhi) {
      levels.push(lo < hi ? [{ granularity, from: iso(lo), to: iso(hi) }] : []);
      break;
    }
    levels.push([...(lo < nlo ? [{ granularity, from: iso(lo), to: iso(nlo) }] : []), ...(nhi < hi ? [{ granularity, from: iso(nhi), to: iso(hi) }] : [])]);
    [lo, hi] = [nlo, nhi];
  }
  return levels.reverse().flat();
}

/**
 * Splits [from, to) into the partial minutes at its edges and, between them, the coarsest whole
 * buckets that fit. So a query reads at most 2 × (9 + 5 + 5 + 3 + 6) + 2 = 58 items per scope and
 * group, plus one per week of the window, whatever the number of incidents.
 *
 * Before `allSizesSince` (ms; see MetricsStore.allSizesSince) the window is read from minute, hour
 * and day buckets only, the sizes an earlier release wrote.
 */
export function planWindow(fromIso: string, toIso: string, allSizesSince = 0): WindowPlan {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const lo = ceilTo(from, MINUTE);
  const hi = floorTo(to, MINUTE);
  if (lo > hi) return { buckets: [], partial: [{ from: fromIso, to: toIso }], live: null };
  const partial = [...(from < lo ? [{ from: fromIso, to: iso(lo) }] : []), ...(hi < to ? [{ from: iso(hi), to: toIso }] : [])];
  const cut = Math.min(Math.max(ceilTo(allSizesSince, MINUTE), lo), hi);
  return { buckets: [...wholeBuckets(cut, hi, GRANULARITIES), ...wholeBuckets(lo, cut, FIRST_SIZES)], partial, live: null };
}

/** The groups a groupBy lists, in a stable order (every severity and category, even when empty). */
export function groupKeys(groupBy: GroupBy | undefined, organizations: readonly string[]): Array<{ key: string; group: string }> {
  switch (groupBy) {
    case 'severity': return SEVERITIES.map((s) => ({ key: s, group: `severity#${s}` }));
    case 'category': return CATEGORIES.map((c) => ({ key: c, group: `category#${c}` }));
    case 'org': return [...organizations].sort().map((o) => ({ key: o, group: `org#${o}` }));
    default: return [];
  }
}

/**
 * What a query reads: one bucket by key, a run of buckets [from, to) of one size (read as a range:
 * the weeks of a long window, or the days before the layout's cut-over), or the part of one minute's
 * contributions inside a window.
 */
export type MetricsRead =
  | { scope: Scope; group: string; granularity: Granularity; start: string }
  | { scope: Scope; group: string; granularity: Granularity; from: string; to: string }
  | { scope: Scope; group: string; minute: string; from: string; to: string };

/** A run of more buckets than this is read as one range rather than key by key. */
export const KEYS_PER_RANGE = 9;

export interface MetricsStore {
  /**
   * Adds each contribution to its scope's bucket of each size (GRANULARITIES) and to its minute's stored
   * contributions, all at once; applying the same one twice changes nothing. The contributions of
   * one call are of distinct scopes and groups (so they touch distinct items), at most
   * APPLY_BATCH of them.
   */
  applyMany(contributions: ScopedContribution[]): Promise<void>;
  /**
   * What each read names, in order: a bucket (empty when it was never written), the merged
   * buckets of a range, or the part [from, to) of one minute's stored contributions.
   */
  readMany(reads: readonly MetricsRead[]): Promise<Aggregate[]>;
  /**
   * From when buckets of every size hold every contribution (ms since the epoch); before it, only
   * minute, hour and day buckets may be relied on (a table that an earlier release aggregated).
   * Infinity while nothing was written by this layout.
   */
  allSizesSince(): Promise<number>;
}

export interface MetricsDeps {
  store: MetricsStore;
  incidents: { reportedBetween(from: string, to: string): Promise<Incident[]> };
  organizations: () => Promise<string[]>;
  /** Without a clock, every window is read from its buckets. */
  clock?: { now(): Date };
}

/**
 * How far the aggregator (a stream consumer) may be behind: during the first seconds of a minute,
 * the previous minute is still read live.
 */
export const AGGREGATION_LAG = 10_000;

/**
 * The part of a window from the start of the current minute on (and of the previous one during
 * AGGREGATION_LAG) is read from its incidents, never from buckets the aggregator may not have
 * reached yet: an incident reported and handled within the minute is in the figures the moment its
 * commands return. Everything before is read from buckets.
 */
export function planWithNow(from: string, to: string, now: Date | null, allSizesSince = 0): WindowPlan {
  if (!now) return planWindow(from, to, allSizesSince);
  const fresh = iso(floorTo(now.getTime() - AGGREGATION_LAG, MINUTE));
  if (to <= fresh) return planWindow(from, to, allSizesSince);
  if (from >= fresh) return { buckets: [], partial: [], live: { from, to } };
  return { ...planWindow(from, fresh, allSizesSince), live: { from: fresh, to } };
}

/** How many batches of one change are applied at once. */
const APPLY_CONCURRENCY = 4;
/** Contributions in one batch: each writes eight items (its marker, a bucket of each size, its minute's contributions), and a transaction takes at most 100. */
export const APPLY_BATCH = 12;

export interface MetricsQuery { from: string; to: string; groupBy?: GroupBy }

export function makeMetrics({ store, incidents, organizations, clock }: MetricsDeps) {
  /** The items a plan reads for one group: each whole bucket, and each partial minute's contributions, per scope. */
  function readsFor(scopes: Scope[], group: string, plan: WindowPlan): MetricsRead[] {
    const reads: MetricsRead[] = [];
    for (const scope of scopes) {
      for (const b of plan.buckets) {
        // The short runs at a window's ends by key; a long run (weeks, or days before the cut-over) as one range.
        if ((Date.parse(b.to) - Date.parse(b.from)) / UNIT[b.granularity] > KEYS_PER_RANGE) reads.push({ scope, group, ...b });
        else for (let t = Date.parse(b.from); t < Date.parse(b.to); t += UNIT[b.granularity]) reads.push({ scope, group, granularity: b.granularity, start: iso(t) });
      }
      for (const p of plan.partial) reads.push({ scope, group, minute: iso(floorTo(Date.parse(p.from), MINUTE)), from: p.from, to: p.to });
    }
    return reads;
  }

  /**
   * Applies contributions in batches of distinct scopes and groups (distinct buckets), several
   * batches at a time: a restricted incident's p × (3 + p) contributions take about
   * p × (3 + p) / APPLY_BATCH transactions. Contributions of one scope and group (the same buckets,
   * as re-aggregation gives: reported, acknowledged and resolved together) go in successive rounds,
   * so no two writes of one round contend.
   */
  async function applyAll(contributions: ScopedContribution[]): Promise<void> {
    const lanes = new Map<string, ScopedContribution[]>();
    for (const c of contributions) {
      const lane = JSON.stringify([c.scope, c.group]);
      lanes.set(lane, [...(lanes.get(lane) ?? []), c]);
    }
    for (let round = 0; ; round++) {
      const batch = [...lanes.values()].flatMap((lane) => (lane[round] ? [lane[round]!] : []));
      if (batch.length === 0) return;
      const chunks: ScopedContribution[][] = [];
      for (let i = 0; i < batch.length; i += APPLY_BATCH) chunks.push(batch.slice(i, i + APPLY_BATCH));
      await inPool(chunks, APPLY_CONCURRENCY, (chunk) => store.applyMany(chunk));
    }
  }

  return {
    /**
     * Folds one change of an incident into the figures of each of its scopes, idempotently;
     * returns what the change added (once, whatever the number of scopes).
     */
    async record(before: Incident | null, after: Incident): Promise<Contribution[]> {
      await applyAll(scopedContributionsOf(before, after));
      return contributionsOf(before, after);
    },

    /**
     * Folds every incident reported in [from, to) into the buckets of its scopes in its current
     * state, as the aggregator would have, a day of incidents at a time: for buckets that start
     * empty (after a change of bucket keys) or were lost. Safe alongside the aggregator and when
     * run again, as long as the "applied" markers live (a week): a contribution already applied is
     * skipped. Returns the number of incidents folded.
     */
    async reaggregate(from: string, to: string, onDay: (day: string, incidents: number) => void = () => {}): Promise<number> {
      let total = 0;
      for (let t = Date.parse(from); t < Date.parse(to); t += DAY) {
        const [dayFrom, dayTo] = [iso(t), iso(Math.min(t + DAY, Date.parse(to)))];
        const day = await incidents.reportedBetween(dayFrom, dayTo);
        for (const incident of day) await applyAll(scopedContributionsOf(null, incident));
        total += day.length;
        onDay(dayFrom, day.length);
      }
      return total;
    },

    /**
     * `viewer`'s figures: only incidents `canSee` lets that manager see, from the buckets of the
     * scopes visible to them and, for the parts read live, from the incidents `canSee` passes.
     */
    async query({ from, to, groupBy }: MetricsQuery, viewer: Caller) {
      const scopes = scopesVisibleTo(viewer);
      const plan = planWithNow(from, to, clock?.now() ?? null, await store.allSizesSince());
      const live: Contribution[] = [];
      if (plan.live) {
        for (const incident of await incidents.reportedBetween(plan.live.from, plan.live.to)) {
          if (canSee(viewer, incident)) live.push(...allContributionsOf(incident));
        }
      }
      const groups = groupKeys(groupBy, groupBy === 'org' ? await organizations() : []);
      // Every item of every group in one call: a set of keys and ranges fixed by the window, so a
      // query makes the same requests whatever the number of incidents.
      const perGroup = ['all', ...groups.map((g) => g.group)].map((group) => readsFor(scopes, group, plan));
      const found = await store.readMany(perGroup.flat());
      let next = 0;
      const [all, ...byGroup] = perGroup.map((reads, i) => {
        const total = new Aggregate();
        for (let k = 0; k < reads.length; k++) total.merge(found[next++]!);
        const group = i === 0 ? 'all' : groups[i - 1]!.group;
        for (const c of live) if (c.group === group) total.add(c);
        return total;
      });
      return {
        from, to,
        ...all!.summary(),
        groups: groups.map(({ key }, i) => ({ key, ...byGroup[i]!.summary() })),
      };
    },
  };
}

export type Metrics = ReturnType<typeof makeMetrics>;
export type MetricsAnswer = Awaited<ReturnType<Metrics['query']>>;
