/**
 * Schedules (issue #24): who is on call and the final shifts, against a slow reference written
 * another way — Temporal (temporal-polyfill) for the zones instead of Intl, every handoff walked
 * from the layer's start, the window walked minute by minute — over random schedules in zones with
 * daylight saving both ways, Lord Howe's half hour and India's none, at random instants over two years.
 */
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { DAYS, onCallAt, scheduleIssues, shiftsBetween, type Layer, type Override, type ScheduleSpec, type Weekday } from '../../lambdas/domain/oncall/schedule';
import { isTimeZone } from '../../lambdas/domain/contact-ids';

const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata'] as const;
const MEMBERS = ['ana', 'bo', 'cy', 'di'];
const CONTACTS = new Set(MEMBERS);
const T0 = Date.UTC(2025, 0, 1);
const T1 = Date.UTC(2027, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// ---- the reference: slow on purpose, and sharing nothing with the code under test ----

/** Every handoff of a layer up to `until`, walked one by one from its start. */
function referenceHandoffs(spec: ScheduleSpec, layer: Layer, until: number): number[] {
  const start = Temporal.PlainDateTime.from(layer.start);
  const first = start.toZonedDateTime(spec.timeZone, { disambiguation: 'compatible' }).epochMilliseconds;
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const t = typeof layer.rotation === 'object'
      ? first + k * layer.rotation.hours * HOUR
      : start.add({ days: k * (layer.rotation === 'daily' ? 1 : 7) }).toZonedDateTime(spec.timeZone, { disambiguation: 'compatible' }).epochMilliseconds;
    if (t > until) return out;
    out.push(t);
  }
}

function referenceWho(spec: ScheduleSpec, handoffs: number[][], t: number): string | null {
  const overrides = spec.overrides ?? [];
  for (let i = overrides.length - 1; i >= 0; i--) {
    if (Date.parse(overrides[i]!.from) <= t && t < Date.parse(overrides[i]!.to)) return overrides[i]!.contact;
  }
  const local = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(spec.timeZone);
  const day = DAYS[local.dayOfWeek % 7]!;
  const minute = local.hour * 60 + local.minute;
  for (let i = spec.layers.length - 1; i >= 0; i--) {
    const layer = spec.layers[i]!;
    const inWindow = !layer.restrictions?.length || layer.restrictions.some((r) => {
      const [fh, fm] = r.from.split(':').map(Number);
      const [th, tm] = r.to.split(':').map(Number);
      return r.days.includes(day) && fh! * 60 + fm! <= minute && minute < th! * 60 + tm!;
    });
    if (!inWindow) continue;
    const k = handoffs[i]!.filter((h) => h <= t).length - 1;
    if (k >= 0) return layer.members[k % layer.members.length]!;
  }
  return null;
}

// ---- random schedules ----

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const restriction = fc.record({
  days: fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 7 }),
  from: fc.integer({ min: 0, max: 46 }).map((h) => h * 30),
  length: fc.integer({ min: 1, max: 20 }).map((h) => h * 30),
}).map((r) => ({ days: r.days as Weekday[], from: hhmm(r.from), to: hhmm(Math.min(1440, r.from + r.length)) }));

const layerOf = (lastDay: number) => fc.record({
  day: fc.integer({ min: 0, max: lastDay }),
  // 01:00–03:00, where the clocks of these zones change (a handoff in the gap, or twice in the overlap), as often as the rest.
  minute: fc.oneof(fc.integer({ min: 60, max: 179 }), fc.integer({ min: 0, max: 1439 })).map((m) => m - (m % 15)),
  rotation: fc.oneof(fc.constant('daily' as const), fc.constant('weekly' as const), fc.integer({ min: 1, max: 744 }).map((hours) => ({ hours }))),
  members: fc.uniqueArray(fc.constantFrom(...MEMBERS), { minLength: 1, maxLength: 4 }),
  restrictions: fc.option(fc.array(restriction, { minLength: 1, maxLength: 2 }), { nil: undefined }),
}).map(({ day, minute, rotation, members, restrictions }): Layer => ({
  start: `${new Date(T0 - 60 * 86400_000 + day * 86400_000).toISOString().slice(0, 10)}T${hhmm(minute)}`,
  rotation, members, ...(restrictions ? { restrictions } : {}),
}));

const override = fc.record({
  contact: fc.constantFrom(...MEMBERS),
  from: fc.integer({ min: T0 / MINUTE, max: T1 / MINUTE }),
  minutes: fc.integer({ min: 1, max: 5 * 24 * 60 }),
}).map((o): Override => ({ contact: o.contact, from: new Date(o.from * MINUTE).toISOString(), to: new Date((o.from + o.minutes) * MINUTE).toISOString() }));

const scheduleOf = (lastDay: number) => fc.record({
  timeZone: fc.constantFrom(...ZONES),
  layers: fc.array(layerOf(lastDay), { minLength: 1, maxLength: 3 }),
  overrides: fc.array(override, { maxLength: 3 }),
}).map((s): ScheduleSpec => {
  const members = new Set(s.layers.flatMap((l) => l.members));
  return { name: 'Duty', timeZone: s.timeZone, layers: s.layers, overrides: s.overrides.filter((o) => members.has(o.contact)) };
}).filter((s) => scheduleIssues(s, CONTACTS, isTimeZone).length === 0);
/** Layers starting any time over the two years; or before 2025, so that they run through the first changes of clocks. */
const schedule = scheduleOf(729);
const earlySchedule = scheduleOf(59);

describe('who is on call', () => {
  it('agrees with the walking reference at random instants over two years', () => {
    fc.assert(fc.property(schedule, fc.array(fc.integer({ min: T0 / MINUTE, max: T1 / MINUTE }), { minLength: 5, maxLength: 5 }), (spec, minutes) => {
      const handoffs = spec.layers.map((l) => referenceHandoffs(spec, l, T1 + 40 * 86400_000));
      for (const m of minutes) {
        const t = m * MINUTE;
        const expected = referenceWho(spec, handoffs, t);
        expect(onCallAt(spec, new Date(t)).contacts).toEqual(expected ? [expected] : []);
      }
    }), { numRuns: 60, seed: 24 });
  });

  it('agrees minute by minute over two days around every change of clocks, and the shifts cover exactly those minutes', () => {
    fc.assert(fc.property(earlySchedule, fc.integer({ min: 0, max: 3 }), (spec, which) => {
      // The `which`-th change of offset in the schedule's zone from 2025 on, and the days around it.
      let at = Temporal.Instant.fromEpochMilliseconds(T0).toZonedDateTimeISO(spec.timeZone);
      for (let i = 0; i <= which; i++) at = at.getTimeZoneTransition('next') ?? at;
      const center = at.epochMilliseconds === T0 ? T0 + 100 * 86400_000 : at.epochMilliseconds;
      const from = center - 36 * HOUR;
      const to = center + 12 * HOUR;
      const handoffs = spec.layers.map((l) => referenceHandoffs(spec, l, to));
      const shifts = shiftsBetween(spec, new Date(from), new Date(to));
      for (let t = from; t < to; t += MINUTE) {
        const expected = referenceWho(spec, handoffs, t);
        const shift = shifts.find((s) => Date.parse(s.from) <= t && t < Date.parse(s.to));
        expect([new Date(t).toISOString(), shift?.contact ?? null]).toEqual([new Date(t).toISOString(), expected]);
      }
      // Shifts are maximal: no two in a row for the same contact without a gap.
      shifts.slice(1).forEach((s, i) => expect(s.contact === shifts[i]!.contact && s.from === shifts[i]!.to).toBe(false));
    }), { numRuns: 16, seed: 2024 });
  });
});

describe('handoffs at wall times the clocks skip or repeat', () => {
  it('agrees minute by minute with the reference when a daily or weekly handoff falls in a gap or an overlap', () => {
    fc.assert(fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 3 }), fc.integer({ min: -4, max: 5 }), fc.constantFrom('daily' as const, 'weekly' as const), (zone, which, quarter, rotation) => {
      let at = Temporal.Instant.fromEpochMilliseconds(T0).toZonedDateTimeISO(zone);
      for (let i = 0; i <= which; i++) at = at.getTimeZoneTransition('next') ?? at;
      if (at.epochMilliseconds === T0) return; // Kolkata: no change of clocks
      // The wall time the clock showed just before the change, give or take a few quarter hours, two weeks before.
      const before = at.subtract({ minutes: 1 }).toPlainDateTime().add({ minutes: 1 + quarter * 15 });
      const start = before.subtract({ days: 14 }).toString().slice(0, 16);
      const spec: ScheduleSpec = { name: 'x', timeZone: zone, layers: [{ start, rotation, members: ['ana', 'bo'] }] };
      if (scheduleIssues(spec, CONTACTS, isTimeZone).length) return;
      const from = at.epochMilliseconds - 4 * HOUR;
      const to = at.epochMilliseconds + 4 * HOUR;
      const handoffs = referenceHandoffs(spec, spec.layers[0]!, to);
      const shifts = shiftsBetween(spec, new Date(from), new Date(to));
      for (let t = from; t < to; t += MINUTE) {
        const shift = shifts.find((s) => Date.parse(s.from) <= t && t < Date.parse(s.to));
        expect([new Date(t).toISOString(), shift?.contact ?? null]).toEqual([new Date(t).toISOString(), referenceWho(spec, [handoffs], t)]);
      }
    }), { numRuns: 40, seed: 5545 });
  });
});

describe('daylight saving and examples', () => {
  const ny: ScheduleSpec = { name: 'FBI duty', timeZone: 'America/New_York', layers: [{ start: '2026-10-26T09:00', rotation: 'daily', members: ['ana', 'bo'] }] };

  it('hands off at 09:00 New York: 13:00Z in October, 14:00Z in November', () => {
    const shifts = shiftsBetween(ny, new Date('2026-10-30T00:00:00Z'), new Date('2026-11-03T00:00:00Z'));
    expect(shifts.map((s) => s.from)).toEqual(['2026-10-29T13:00:00.000Z', '2026-10-30T13:00:00.000Z', '2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z', '2026-11-02T14:00:00.000Z']);
    expect(shifts.map((s) => s.contact)).toEqual(['bo', 'ana', 'bo', 'ana', 'bo']);
  });

  it('hands off every N elapsed hours across a change of clocks', () => {
    const spec: ScheduleSpec = { name: 'x', timeZone: 'America/New_York', layers: [{ start: '2026-10-31T12:00', rotation: { hours: 12 }, members: ['ana', 'bo'] }] };
    expect(shiftsBetween(spec, new Date('2026-11-01T00:00:00Z'), new Date('2026-11-02T00:00:00Z')).map((s) => s.from))
      .toEqual(['2026-10-31T16:00:00.000Z', '2026-11-01T04:00:00.000Z', '2026-11-01T16:00:00.000Z']);
  });

  it('answers who is on call and until when, overrides winning and later layers winning where they have someone', () => {
    const spec: ScheduleSpec = {
      ...ny,
      layers: [...ny.layers, { start: '2026-10-26T00:00', rotation: 'weekly', members: ['cy'], restrictions: [{ days: ['sat', 'sun'], from: '10:00', to: '18:00' }] }],
      overrides: [{ contact: 'ana', from: '2026-11-04T15:00:00Z', to: '2026-11-04T16:00:00Z' }],
    };
    expect(onCallAt(spec, new Date('2026-10-31T15:00:00Z'))).toEqual({ at: '2026-10-31T15:00:00.000Z', contacts: ['cy'], until: '2026-10-31T22:00:00.000Z' });
    expect(onCallAt(spec, new Date('2026-11-04T15:30:00Z'))).toEqual({ at: '2026-11-04T15:30:00.000Z', contacts: ['ana'], until: '2026-11-04T16:00:00.000Z' });
    // bo's day (the ninth handoff from 26 October) resumes when the override ends.
    expect(onCallAt(spec, new Date('2026-11-04T16:00:00Z'))).toEqual({ at: '2026-11-04T16:00:00.000Z', contacts: ['bo'], until: '2026-11-05T14:00:00.000Z' });
    expect(onCallAt(spec, new Date('2026-01-01T00:00:00Z'))).toEqual({ at: '2026-01-01T00:00:00.000Z', contacts: [], until: null });
  });

  it('finds who is on call on a schedule started years ago without walking its past (same answer as the reference)', () => {
    const old: ScheduleSpec = { name: 'x', timeZone: 'Asia/Kolkata', layers: [{ start: '2006-01-01T08:00', rotation: { hours: 7 }, members: MEMBERS }] };
    const t = Date.parse('2026-12-01T00:00:00Z');
    const k = Math.floor((t - Date.parse('2006-01-01T02:30:00Z')) / (7 * HOUR));
    expect(onCallAt(old, new Date(t)).contacts).toEqual([MEMBERS[k % 4]]);
  });
});

describe('validation', () => {
  const base: ScheduleSpec = { name: 'x', timeZone: 'America/New_York', layers: [{ start: '2026-10-26T09:00', rotation: 'daily', members: ['ana'] }] };
  const paths = (spec: ScheduleSpec) => scheduleIssues(spec, CONTACTS, isTimeZone).map((i) => i.path);

  it('names each bad field: unknown zone, a start in the spring-forward gap, a member who is not a contact, restrictions, overrides', () => {
    expect(paths({ ...base, timeZone: 'America/Gotham' })).toEqual(['timeZone']);
    expect(paths({ ...base, layers: [{ ...base.layers[0]!, start: '2026-03-08T02:30' }] })).toEqual(['layers.0.start']);
    expect(paths({ ...base, layers: [{ ...base.layers[0]!, start: '2026-02-30T09:00' }] })).toEqual(['layers.0.start']);
    expect(paths({ ...base, layers: [{ ...base.layers[0]!, members: ['ana', 'zed'] }] })).toEqual(['layers.0.members.1']);
    expect(paths({ ...base, layers: [{ ...base.layers[0]!, restrictions: [{ days: ['mon'], from: '17:00', to: '09:00' }] }] })).toEqual(['layers.0.restrictions.0.to']);
    expect(paths({ ...base, layers: [{ ...base.layers[0]!, restrictions: [{ days: ['mon', 'tue'], from: '09:00', to: '17:00' }, { days: ['tue'], from: '16:00', to: '20:00' }] }] })).toEqual(['layers.0.restrictions.1']);
    expect(paths({ ...base, overrides: [{ contact: 'bo', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }, { contact: 'ana', from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }] }))
      .toEqual(['overrides.0.contact', 'overrides.1.to']);
  });

  it('accepts the fall-back hour that happens twice, and back-to-back restrictions', () => {
    expect(paths({ ...base, layers: [{ ...base.layers[0]!, start: '2026-11-01T01:30', restrictions: [{ days: ['mon'], from: '09:00', to: '17:00' }, { days: ['mon'], from: '17:00', to: '24:00' }] }] })).toEqual([]);
  });
});
