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
import { canSee, type GroupBy, type Incident } from '../incident';
import type { Caller } from '../actor';
import type { MetricsRead, MetricsStore } from '../ports';
import { allContributionsOf, contributionsOf, groupKeys, scopedChangesOf, scopedContributionsOf, scopesVisibleTo, type Contribution, type Scope } from './contributions';
import { Aggregate } from './sketch';
import { DAY, MINUTE, UNIT, floorTo, iso, planWithNow, type WindowPlan } from './calendar';

/** A run of more buckets than this is read as one range rather than key by key. */
export const KEYS_PER_RANGE = 9;

export interface MetricsDeps {
  store: MetricsStore;
  incidents: { reportedBetween(from: string, to: string): Promise<Incident[]> };
  organizations: () => Promise<string[]>;
  /** Without a clock, every window is read from its buckets. */
  clock?: { now(): Date };
}

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

  return {
    /**
     * Folds changes of incidents, in their order (a stream batch), into the figures of each of
     * their scopes, idempotently, and un-folds what a previous state contributed and the next does
     * not (scopedChangesOf); returns the acknowledgements and resolves the changes added (once,
     * whatever the number of scopes). Written together: a bucket the changes share is written
     * once, not once per change.
     */
    async recordAll(changes: ReadonlyArray<{ before: Incident | null; after: Incident }>): Promise<Contribution[]> {
      await store.applyMany(changes.flatMap(({ before, after }) => scopedChangesOf(before, after)));
      return changes.flatMap(({ before, after }) => contributionsOf(before, after));
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
        await store.applyMany(day.flatMap((incident) => scopedContributionsOf(null, incident).map((c) => ({ ...c, version: incident.version }))));
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
