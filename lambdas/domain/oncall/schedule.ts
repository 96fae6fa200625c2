/**
 * On-call schedules: who is on call at an instant and the final shifts over a window, computed
 * from the schedule (never stored per shift), at a cost that does not grow with the time since a
 * layer's start: the rotation in force is found by arithmetic on the wall clock, not by walking
 * past handoffs.
 *
 * - A layer's `start` is a wall time in the schedule's zone. `daily` and `weekly` hand off at that
 *   same wall time (what a calendar means by "every day at 09:00", whatever daylight saving does);
 *   a handoff whose wall time falls in a spring-forward gap happens when the clock reads it with
 *   the offset before the gap (09:30 → 10:30 after the gap), one in a fall-back overlap at the
 *   first of the two (RFC 5545, Temporal's `compatible`). `{"hours": N}` hands off every N elapsed
 *   hours from the start's instant. Members take turns in order, the first from `start`.
 * - Restrictions limit a layer to wall-clock windows of given weekdays ([from, to) on each day).
 * - The last layer that has someone at an instant wins; an override wins over every layer (of
 *   overlapping overrides, the one listed last).
 */
import { DAY, ZoneWindow, parseClock, parseWall } from './zone';
import type { FieldError } from '../errors';

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof DAYS)[number];
export type Rotation = 'daily' | 'weekly' | { hours: number };
export interface Restriction { days: Weekday[]; from: string; to: string }
export interface Layer { start: string; rotation: Rotation; members: string[]; restrictions?: Restriction[] }
export interface Override { contact: string; from: string; to: string }
export interface ScheduleSpec { name: string; timeZone: string; layers: Layer[]; overrides?: Override[] }

export interface Shift { contact: string; from: string; to: string }
export interface OnCall { at: string; contacts: string[]; until: string | null }

/** The longest window a shifts query may ask for. */
export const MAX_WINDOW_DAYS = 93;
/**
 * How far past a window's ends a shift's real start and end are looked for: the longest rotation
 * (744 hours). A shift that runs on beyond that is cut there.
 */
export const SHIFT_REACH_MS = 31 * DAY;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface CompiledLayer {
  startWall: number;
  /** The instant of the first handoff. */
  startInstant: number;
  /** Days between handoffs (daily, weekly) or elapsed ms (hours). */
  everyDays: number | null;
  everyMs: number;
  members: string[];
  restrictions: Array<{ days: Set<number>; from: number; to: number }> | null;
}

interface Compiled {
  zone: string;
  layers: CompiledLayer[];
  overrides: Array<{ contact: string; from: number; to: number }>;
}

function compile(spec: ScheduleSpec, zw: ZoneWindow): Compiled {
  return {
    zone: spec.timeZone,
    layers: spec.layers.map((l) => {
      const startWall = parseWall(l.start)!;
      const everyDays = l.rotation === 'daily' ? 1 : l.rotation === 'weekly' ? 7 : null;
      return {
        startWall,
        startInstant: zw.resolve(startWall),
        everyDays,
        everyMs: typeof l.rotation === 'object' ? l.rotation.hours * HOUR : everyDays! * DAY,
        members: l.members,
        restrictions: l.restrictions?.length
          ? l.restrictions.map((r) => ({ days: new Set(r.days.map((d) => DAYS.indexOf(d))), from: parseClock(r.from)!, to: parseClock(r.to)! }))
          : null,
      };
    }),
    overrides: (spec.overrides ?? []).map((o) => ({ contact: o.contact, from: Date.parse(o.from), to: Date.parse(o.to) })),
  };
}

/** The instant of handoff k (k ≥ 0). */
const handoff = (layer: CompiledLayer, zw: ZoneWindow, k: number): number =>
  layer.everyDays === null ? layer.startInstant + k * layer.everyMs : zw.resolve(layer.startWall + k * layer.everyDays * DAY);

/** The index of the handoff in force at `t` (−1 before the first): arithmetic, then at most a step or two to settle DST's edge. */
function turnAt(layer: CompiledLayer, zw: ZoneWindow, t: number): number {
  if (t < layer.startInstant) return -1;
  let k = layer.everyDays === null
    ? Math.floor((t - layer.startInstant) / layer.everyMs)
    : Math.floor((zw.wallOf(t) - layer.startWall) / (layer.everyDays * DAY));
  k = Math.max(0, k);
  while (handoff(layer, zw, k + 1) <= t) k++;
  while (k > 0 && handoff(layer, zw, k) > t) k--;
  return k;
}

function withinRestrictions(layer: CompiledLayer, wall: number): boolean {
  if (!layer.restrictions) return true;
  const day = new Date(wall).getUTCDay();
  const minute = Math.floor((((wall % DAY) + DAY) % DAY) / MINUTE);
  return layer.restrictions.some((r) => r.days.has(day) && r.from <= minute && minute < r.to);
}

function whoAt(c: Compiled, zw: ZoneWindow, t: number): string | null {
  for (let i = c.overrides.length - 1; i >= 0; i--) {
    const o = c.overrides[i]!;
    if (o.from <= t && t < o.to) return o.contact;
  }
  const wall = zw.wallOf(t);
  for (let i = c.layers.length - 1; i >= 0; i--) {
    const layer = c.layers[i]!;
    if (!withinRestrictions(layer, wall)) continue;
    const k = turnAt(layer, zw, t);
    if (k >= 0) return layer.members[k % layer.members.length]!;
  }
  return null;
}

/** Every instant in (a, b) where who is on call may change: handoffs, restriction edges, offset changes, overrides. */
function breakpoints(c: Compiled, zw: ZoneWindow, a: number, b: number): number[] {
  const points = new Set<number>([a]);
  const add = (t: number) => { if (t > a && t < b) points.add(t); };
  for (const layer of c.layers) {
    for (let k = Math.max(0, turnAt(layer, zw, a)); ; k++) {
      const t = handoff(layer, zw, k);
      if (t >= b) break;
      add(t);
    }
    if (layer.restrictions) {
      const offsets = zw.offsets;
      const firstDay = Math.floor((a + Math.min(...offsets)) / DAY) - 1;
      const lastDay = Math.floor((b + Math.max(...offsets)) / DAY) + 1;
      for (let d = firstDay; d <= lastDay; d++) {
        const weekday = new Date(d * DAY).getUTCDay();
        for (const r of layer.restrictions) {
          if (!r.days.has(weekday)) continue;
          // Where the wall clock reads `from` or `to`, under each offset the window has.
          for (const m of [r.from, r.to]) for (const o of offsets) add(d * DAY + m * MINUTE - o);
        }
      }
    }
  }
  for (const t of zw.transitions) add(t);
  for (const o of c.overrides) { add(o.from); add(o.to); }
  return [...points].sort((x, y) => x - y);
}

/** Who is on call over [a, b), as runs of one contact (null: nobody), merged. */
function segments(spec: ScheduleSpec, a: number, b: number): Array<{ contact: string | null; from: number; to: number }> {
  const zw = new ZoneWindow(spec.timeZone, a - DAY, b + DAY);
  const c = compile(spec, zw);
  const points = breakpoints(c, zw, a, b);
  const runs: Array<{ contact: string | null; from: number; to: number }> = [];
  points.forEach((p, i) => {
    const to = points[i + 1] ?? b;
    const contact = whoAt(c, zw, p);
    const last = runs[runs.length - 1];
    if (last && last.contact === contact) last.to = to;
    else runs.push({ contact, from: p, to });
  });
  return runs;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * The final shifts overlapping [from, to), overrides applied, oldest first. A shift's `from` and
 * `to` are its real start and end when they lie within SHIFT_REACH_MS of the window (so a shift
 * reads the same, and a calendar keeps its UID, whatever window shows it).
 */
export function shiftsBetween(spec: ScheduleSpec, from: Date, to: Date): Shift[] {
  const a = from.getTime();
  const b = to.getTime();
  return segments(spec, a - SHIFT_REACH_MS, b + SHIFT_REACH_MS)
    .filter((s): s is { contact: string; from: number; to: number } => s.contact !== null && s.to > a && s.from < b)
    .map((s) => ({ contact: s.contact, from: iso(s.from), to: iso(s.to) }));
}

/** Who is on call at `at`, and until when that holds (null: beyond the longest window). */
export function onCallAt(spec: ScheduleSpec, at: Date): OnCall {
  const a = at.getTime();
  const first = segments(spec, a, a + MAX_WINDOW_DAYS * DAY)[0]!;
  return { at: iso(a), contacts: first.contact ? [first.contact] : [], until: first.to < a + MAX_WINDOW_DAYS * DAY ? iso(first.to) : null };
}

/**
 * What a schedule must satisfy beyond its shape (the schema checks that): a zone Intl knows,
 * starts that exist in it, members and overrides that are contacts of the organization
 * (overrides: members of a layer), restrictions that end after they start and do not overlap.
 */
export function scheduleIssues(spec: ScheduleSpec, contactIds: ReadonlySet<string>, isZone: (z: string) => boolean): FieldError[] {
  const issues: FieldError[] = [];
  if (!isZone(spec.timeZone)) {
    issues.push({ path: 'timeZone', message: `"${spec.timeZone}" is not an IANA time zone known here` });
    return issues;
  }
  const members = new Set<string>();
  spec.layers.forEach((layer, i) => {
    const wall = parseWall(layer.start);
    if (wall === null) issues.push({ path: `layers.${i}.start`, message: 'must be a local date and time YYYY-MM-DDTHH:MM, without offset' });
    else if (new ZoneWindow(spec.timeZone, wall - 2 * DAY, wall + 2 * DAY).toInstant(wall) === null) {
      issues.push({ path: `layers.${i}.start`, message: `${layer.start} does not exist in ${spec.timeZone} (the clocks skip it when daylight saving starts)` });
    }
    layer.members.forEach((m, j) => {
      members.add(m);
      if (!contactIds.has(m)) issues.push({ path: `layers.${i}.members.${j}`, message: `"${m}" is not a contact of this organization` });
    });
    const windows: Array<{ day: number; from: number; to: number; k: number }> = [];
    (layer.restrictions ?? []).forEach((r, k) => {
      const from = parseClock(r.from);
      const to = parseClock(r.to);
      if (from === null || from >= 1440) issues.push({ path: `layers.${i}.restrictions.${k}.from`, message: 'must be a time of day HH:MM' });
      if (to === null) issues.push({ path: `layers.${i}.restrictions.${k}.to`, message: 'must be a time of day HH:MM (24:00 for midnight at the end)' });
      else if (from !== null && to <= from) issues.push({ path: `layers.${i}.restrictions.${k}.to`, message: `must be after from (${r.from}); split a window across midnight in two` });
      else if (from !== null) {
        const clash = windows.find((w) => r.days.some((d) => DAYS.indexOf(d) === w.day) && w.from < to && from < w.to);
        if (clash) issues.push({ path: `layers.${i}.restrictions.${k}`, message: `overlaps layers.${i}.restrictions.${clash.k} on ${DAYS[clash.day]}` });
        for (const d of r.days) windows.push({ day: DAYS.indexOf(d), from, to, k });
      }
    });
  });
  (spec.overrides ?? []).forEach((o, i) => {
    if (!members.has(o.contact)) issues.push({ path: `overrides.${i}.contact`, message: `"${o.contact}" is not a member of any layer of this schedule` });
    if (!(Date.parse(o.to) > Date.parse(o.from))) issues.push({ path: `overrides.${i}.to`, message: 'must be after from' });
  });
  return issues;
}
