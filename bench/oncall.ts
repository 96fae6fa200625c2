/**
 * On call: who is on call and the shifts, for a schedule started two years ago against one started
 * yesterday (4 layers — daily, weekly, 8-hourly, a restricted business-hours layer — and 50
 * overrides over the window's months). The rotation in force is computed, not walked, so the
 * target is p50 within 1.2×. Pure computation (the endpoints add one GetItem, whatever the age).
 */
import { onCallAt, shiftsBetween, type ScheduleSpec } from '../lambdas/domain/oncall/schedule';
import { summarize } from './support';

const DAY = 86400_000;

function scheduleStarted(start: Date, now: Date): ScheduleSpec {
  const local = (d: Date, hhmm: string) => `${d.toISOString().slice(0, 10)}T${hhmm}`;
  const members = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
  return {
    name: 'bench', timeZone: 'America/New_York',
    layers: [
      { start: local(start, '09:00'), rotation: 'daily', members },
      { start: local(start, '00:00'), rotation: 'weekly', members: members.slice(0, 3) },
      { start: local(start, '06:00'), rotation: { hours: 8 }, members: members.slice(2) },
      { start: local(start, '08:00'), rotation: 'daily', members: ['b1', 'b2'], restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }] },
    ],
    // 50 overrides spread over the 93 days around now.
    overrides: Array.from({ length: 50 }, (_, i) => ({ contact: members[i % members.length]!, from: new Date(now.getTime() - 46 * DAY + i * 1.8 * DAY).toISOString(), to: new Date(now.getTime() - 46 * DAY + i * 1.8 * DAY + 3 * 3600_000).toISOString() })),
  };
}

/**
 * Times each of `fns` `runs` times, interleaved sample by sample after a warm-up of each, so the
 * JIT and the machine's drift treat them alike (timed one after the other, the first measured was
 * the least compiled: 2× in one full run for the same work).
 */
function timeTogether(fns: Array<() => unknown>, runs: number) {
  for (let i = 0; i < Math.min(50, runs); i++) for (const fn of fns) fn();
  const samples = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, k) => {
      const t = process.hrtime.bigint();
      fn();
      samples[k]!.push(Number(process.hrtime.bigint() - t) / 1e6);
    });
  }
  return samples.map(summarize);
}

export function benchOnCall(runs: number): Array<Record<string, unknown>> {
  const now = new Date('2026-12-06T15:00:00Z');
  const schedules = { 'two years old': scheduleStarted(new Date(now.getTime() - 730 * DAY), now), 'started yesterday': scheduleStarted(new Date(now.getTime() - DAY), now) };
  const ops = (spec: ScheduleSpec) => ({
    'oncall?at=now': () => onCallAt(spec, now),
    'shifts, 14 days': () => shiftsBetween(spec, now, new Date(now.getTime() + 14 * DAY)),
    'shifts, 93 days': () => shiftsBetween(spec, now, new Date(now.getTime() + 93 * DAY)),
  });
  const rows: Array<Record<string, unknown>> = [];
  const p50: Record<string, Record<string, number>> = {};
  const ages = Object.entries(schedules);
  for (const op of Object.keys(ops(schedules['two years old']))) {
    const fns = ages.map(([, spec]) => ops(spec)[op as keyof ReturnType<typeof ops>]);
    timeTogether(fns, runs).forEach((t, k) => {
      const age = ages[k]![0];
      (p50[op] ??= {})[age] = t.p50;
      rows.push({ operation: op, schedule: age, 'p50 ms': t.p50, 'p99 ms': t.p99, runs: t.n, shifts: op === 'oncall?at=now' ? '' : (fns[k]!() as unknown[]).length });
    });
  }
  for (const [op, byAge] of Object.entries(p50)) rows.push({ operation: op, schedule: 'two years / yesterday (p50)', 'p50 ms': `${(byAge['two years old']! / byAge['started yesterday']!).toFixed(2)}×`, 'p99 ms': 'target ≤ 1.2×' });
  return rows;
}
