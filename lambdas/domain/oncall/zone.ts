/**
 * Wall-clock time in an IANA zone, on the platform's own time-zone data (Intl): no library, no
 * offset table. A "wall" time is written as milliseconds as if the wall clock were UTC
 * (`Date.UTC(y, m, d, h, min)`), so a local date's arithmetic is plain arithmetic.
 *
 * Intl was measured against luxon and temporal-polyfill for a cold function's first conversion
 * (docs/on-call.md): it is the cheapest, and exact to the second.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterOf = (zone: string) => {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
    formatters.set(zone, f);
  }
  return f;
};

/** The zone's offset from UTC at an instant (ms; wall = instant + offset). */
export function offsetAt(zone: string, instant: number): number {
  const at = Math.floor(instant / 1000) * 1000;
  const parts: Record<string, string> = {};
  for (const p of formatterOf(zone).formatToParts(new Date(at))) parts[p.type] = p.value;
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year);
  const wall = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - at;
}

/**
 * Offsets of one zone over a window, found once (a probe a day, bisected to the minute where it
 * changes), then answered without Intl. Outside the window it asks Intl.
 */
export class ZoneWindow {
  /** Pieces of constant offset: from `start` (ms) on, `offset`; sorted. */
  readonly pieces: Array<{ start: number; offset: number }> = [];

  constructor(readonly zone: string, readonly from: number, readonly to: number) {
    let at = from;
    let offset = offsetAt(zone, at);
    this.pieces.push({ start: -Infinity, offset });
    // Changes are months apart in every zone: a probe every 12 hours finds each one.
    const STEP = 12 * HOUR;
    while (at < to) {
      const next = Math.min(at + STEP, to);
      const o = offsetAt(zone, next);
      if (o !== offset) {
        let lo = at;
        let hi = next;
        while (hi - lo > MINUTE) {
          const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
          if (offsetAt(zone, mid) === offset) lo = mid; else hi = mid;
        }
        this.pieces.push({ start: hi, offset: o });
        offset = o;
      }
      at = next;
    }
  }

  /** Instants where the offset changes within the window. */
  get transitions(): number[] { return this.pieces.slice(1).map((p) => p.start); }

  /** Every offset the zone has within the window. */
  get offsets(): number[] { return [...new Set(this.pieces.map((p) => p.offset))]; }

  offsetAt(instant: number): number {
    if (instant < this.from - DAY || instant > this.to + DAY) return offsetAt(this.zone, instant);
    let offset = this.pieces[0]!.offset;
    for (const p of this.pieces) {
      if (p.start <= instant) offset = p.offset;
      else break;
    }
    return offset;
  }

  wallOf(instant: number): number { return instant + this.offsetAt(instant); }

  /** See `toInstant`. */
  toInstant(wall: number): number | null { return toInstant((t) => this.offsetAt(t), wall); }
  /** See `resolve`. */
  resolve(wall: number): number { return resolve((t) => this.offsetAt(t), wall); }
}

/**
 * The instants whose wall time in the zone is `wall`: none in a spring-forward gap, two in a
 * fall-back overlap (earlier first). No zone is more than 14 hours from UTC, so they lie within
 * [wall − 14 h, wall + 12 h], where at most one change of offset falls.
 */
function candidates(offsetOf: (t: number) => number, wall: number): { early: number; late: number; valid: number[] } {
  const oEarly = offsetOf(wall - 14 * HOUR);
  const oLate = offsetOf(wall + 14 * HOUR);
  const early = wall - oEarly;
  const late = wall - oLate;
  const valid = [...new Set([early, late])].filter((t) => offsetOf(t) === wall - t).sort((a, b) => a - b);
  return { early, late, valid };
}

/** The first instant with this wall time, or null when the wall time does not exist (a spring-forward gap). */
export const toInstant = (offsetOf: (t: number) => number, wall: number): number | null => candidates(offsetOf, wall).valid[0] ?? null;

/**
 * The instant a handoff at this wall time happens, as RFC 5545 and Temporal's `compatible` read
 * wall times: in an overlap the earlier instant; in a gap the wall time read with the offset
 * before the gap (09:30 that does not exist happens at what is 10:30 after it).
 */
export function resolve(offsetOf: (t: number) => number, wall: number): number {
  const { early, valid } = candidates(offsetOf, wall);
  return valid[0] ?? early;
}

export const zoneOffsetAt = offsetAt;

/** `YYYY-MM-DDTHH:MM` (a layer's start) as wall ms; null when it is no calendar date. */
export function parseWall(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(wall);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) return null;
  return wall;
}

/** `HH:MM` as minutes of the day (`24:00` is 1440, for a `to`); null when malformed. */
export function parseClock(text: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (mi > 59 || h > 24 || (h === 24 && mi !== 0)) return null;
  return h * 60 + mi;
}
