/**
 * The bucket calendar: the six bucket sizes, where a bucket starts, and how a window [from, to) is
 * read — whole buckets, coarsest first, the partial minutes at its edges, and the live part the
 * aggregator may not have reached yet.
 */

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

export const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;
export const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
export const iso = (ms: number) => new Date(ms).toISOString();

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
