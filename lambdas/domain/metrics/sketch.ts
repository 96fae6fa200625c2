/**
 * The figures of one group over a span: counts, and distributions whose percentiles are
 * nearest-rank, read off mergeable DDSketch bins with 1 % relative accuracy.
 */
import { DDSketch } from '@datadog/sketches-js';
import type { Contribution } from './contributions';

export const RELATIVE_ACCURACY = 0.009;

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

  /**
   * Takes one observation of `value` out. Count, sum and bins are exact; when it was the largest
   * (or smallest) observation, `extremes` must give the remaining max and min (the store reads
   * them from the stored contributions), since a bucket does not keep its observations.
   */
  remove(value: number, extremes?: { max: number; min: number }): void {
    if (this.count === 0) return;
    this.count--;
    this.sum -= value;
    if (value <= 0) this.zero = Math.max(0, this.zero - 1);
    else {
      const key = MAPPING.key(value);
      const n = (this.bins.get(key) ?? 0) - 1;
      if (n > 0) this.bins.set(key, n);
      else this.bins.delete(key);
    }
    if (this.count === 0) {
      this.sum = 0; this.max = 0; this.min = Number.POSITIVE_INFINITY; this.zero = 0; this.bins.clear();
    } else if (extremes) {
      this.max = extremes.max;
      this.min = extremes.min;
    }
  }

  /** Whether taking `value` out needs the remaining extremes (it is the max or the min). */
  isExtreme(value: number): boolean {
    return this.count > 1 && (value >= this.max || value <= this.min);
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

  /** The non-empty bins, by key in ascending order: [key, count]. */
  entries(): Array<[number, number]> {
    return [...this.bins].sort(([a], [b]) => a - b);
  }

  /** A distribution from its parts, as `entries` gives its bins. */
  static fromEntries(count: number, sum: number, max: number, min: number, zero: number, entries: Iterable<readonly [number, number]>): Distribution {
    const d = new Distribution(count, sum, max, count ? min : Number.POSITIVE_INFINITY);
    d.zero = zero;
    for (const [key, n] of entries) if (n > 0) d.bins.set(key, n);
    return d;
  }

  /** The zero count (observations of 0 s: no bin). */
  get zeros(): number { return this.zero; }

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

  /** Takes one contribution out (see Distribution.remove). */
  remove(c: Pick<Contribution, 'kind' | 'seconds'>, extremes?: { max: number; min: number }): void {
    if (c.kind === 'reported') this.reported = Math.max(0, this.reported - 1);
    else if (c.kind === 'acknowledged') { this.acknowledged = Math.max(0, this.acknowledged - 1); this.tta.remove(c.seconds ?? 0, extremes); }
    else { this.resolved = Math.max(0, this.resolved - 1); this.ttr.remove(c.seconds ?? 0, extremes); }
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
