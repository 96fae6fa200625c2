/**
 * Correlation: incidents of different organizations that carry the same observable. It runs on the
 * table's stream (a report stays one write), after each change of an incident:
 *
 *   1. the observables it gained are listed in the index (ObservableIndex), idempotently;
 *   2. the incidents sharing an observable with it are found, one query per observable looked at
 *      (the new ones; all of them when its TLP or participants changed, since a new right to see
 *      may reveal a match);
 *   3. for each pair X, Y: X gets a `correlated` event naming Y and the shared observables only if
 *      EVERY participant of X may see Y (the visibility rule, `canSee`, for a partner of each) and
 *      so may everyone else who reads X's timeline (see `mayTell`), and Y one naming X on the same
 *      terms. Nothing else is written, sent or answered: a RED incident's observables never tell
 *      anyone outside it that a match exists. A timeline read later shows a `correlated` event only
 *      to a viewer who may see the incident it names at that moment (incident-service.ts), so an
 *      incident that widens its TLP, or one that narrows it, reveals nothing either.
 *
 * Each event is recorded with what it told (ObservableIndex.told), in the same guarded write, so a
 * redelivered stream record, or two runs at once, tell each pair each shared observable once. A
 * narrower TLP or fewer rights later never take an event back ("never the reverse"), and never
 * write one. The participants are notified of `correlated` events by the notifier (email, app and
 * pushes; never SMS).
 */
import { systemActor } from './actor';
import { canSee, recordSystemEvents, type Change, type Incident, type IncidentRecord } from './incident';
import { newObservables, observableKey, sharedObservables, type ObservableRef } from './observables';
import type { IncidentRepository, ObservableIndex } from './ports';
import { partnerOf } from './actor';
import { isCommunity, isRestricted } from './tlp';
import { inPool } from '../shared/pool';

/** How many incidents one observable's matches are read to, newest first (a bound on one run's and one answer's work). */
export const MAX_MATCHES_PER_OBSERVABLE = 1000;
/** Index reads are pages of this many incidents. */
const INDEX_PAGE = 500;
/**
 * Matches told to one incident in one guarded write: an event and a record of what it told each,
 * with the incident's own item, within DynamoDB's 100 items a transaction.
 */
export const TELL_BATCH = 45;
/** Other incidents told of a new match at once (each its own guarded write). */
const TELL_AT_ONCE = 8;

/** Whether every participant of `x` may see `y`. */
export const everyParticipantMaySee = (x: Pick<Incident, 'participants'>, y: Pick<Incident, 'participants' | 'tlp'>): boolean =>
  x.participants.every((orgId) => canSee(partnerOf(orgId), y));

/**
 * Whether `x` may be told of its match with `y`: every participant of X may see Y (the contract's
 * rule), and so may everyone else who reads X's timeline — for a GREEN or CLEAR X every
 * organization (so Y must be GREEN or CLEAR too), for an AMBER X every manager (so Y must not be
 * RED or AMBER+STRICT). Without the second half, a community incident's timeline would tell the whole
 * community of an AMBER match ("nobody learns that a match with an incident they may not see exists").
 */
export function mayTell(x: Pick<Incident, 'participants' | 'tlp'>, y: Pick<Incident, 'participants' | 'tlp'>): boolean {
  if (!everyParticipantMaySee(x, y)) return false;
  if (isCommunity(x.tlp)) return isCommunity(y.tlp);
  if (!isRestricted(x.tlp)) return !isRestricted(y.tlp);
  return true;
}

/** The incident fields an answer about another incident may show: its summary. */
export interface IncidentSummary { id: string; title: string; tlp: Incident['tlp']; severity: Incident['severity']; status: Incident['status']; reportedAt: string; participants: string[] }
export const summaryOf = (i: Incident): IncidentSummary => ({ id: i.id, title: i.title, tlp: i.tlp, severity: i.severity, status: i.status, reportedAt: i.reportedAt, participants: [...i.participants] });

/** The incidents (ids, newest first, at most `cap`) listed under `observable`. */
export async function matchesOf(index: ObservableIndex, observable: ObservableRef, cap = MAX_MATCHES_PER_OBSERVABLE): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  while (ids.length < cap) {
    const page = await index.incidentsWith(observable, { limit: Math.min(INDEX_PAGE, cap - ids.length), after });
    ids.push(...page.incidentIds);
    if (page.last === null || page.incidentIds.length === 0) break;
    after = page.last;
  }
  return ids;
}

export interface CorrelatorDeps {
  index: ObservableIndex;
  repository: Pick<IncidentRepository, 'getMany'>;
  /** Appends system events with the incident's guard, reading again on a lost race (IncidentService.recordSystemEvents). */
  recordSystemEvents(id: string, build: (record: IncidentRecord) => Change | null | Promise<Change | null>): Promise<void>;
  clock: { now(): Date };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function makeCorrelator(deps: CorrelatorDeps) {
  const { index, repository, clock } = deps;

  /**
   * Tells incident `xId` of its matches with `ys`: each one every participant of X (as X is now) and
   * everyone else who reads X may see, for the observables they share that were not told before.
   * Judged inside the guarded write, against X's current state and what was recorded, so it happens
   * at most once per observable and pair; up to TELL_BATCH matches a write. Returns those told.
   */
  async function tellAll(xId: string, ys: readonly Incident[]): Promise<string[]> {
    const told: string[] = [];
    for (let i = 0; i < ys.length; i += TELL_BATCH) {
      const batch = ys.slice(i, i + TELL_BATCH);
      let wrote: string[] = [];
      await deps.recordSystemEvents(xId, async (record) => {
        wrote = [];
        const x = record.incident;
        const candidates = batch.filter((y) => mayTell(x, y) && sharedObservables(x.observables, y.observables).length > 0);
        if (candidates.length === 0) return null;
        const before = await index.told(xId, candidates.map((y) => y.id));
        const fresh = candidates.flatMap((y) => {
          const previous = before.get(y.id) ?? [];
          const observables = sharedObservables(x.observables, y.observables).filter((o) => !previous.includes(observableKey(o)));
          return observables.length ? [{ y, previous, observables }] : [];
        });
        if (fresh.length === 0) return null;
        const at = clock.now().toISOString();
        const change = recordSystemEvents(record, fresh.map(({ y, observables }) => ({
          type: 'correlated' as const, at, actor: systemActor('correlation'),
          data: { incidentId: y.id, title: y.title, tlp: y.tlp, observables },
        })));
        wrote = fresh.map(({ y }) => y.id);
        return { ...change, correlations: fresh.map(({ y, previous, observables }) => ({ incidentId: xId, otherId: y.id, observables: [...previous, ...observables.map(observableKey)] })) };
      });
      told.push(...wrote);
    }
    return told;
  }

  /** Tells incident `xId` of its match with `y` (see tellAll); whether it did. */
  const tell = async (xId: string, y: Incident): Promise<boolean> => (await tellAll(xId, [y])).length > 0;

  return {
    tell,
    tellAll,

    /**
     * What a change of an incident (`before` null when created) means to the correlation. Returns
     * the events written, as [told incident, about incident] pairs.
     */
    async onChange(before: Incident | null, after: Incident): Promise<Array<[string, string]>> {
      const added = newObservables(before?.observables ?? [], after.observables);
      const rightsChanged = before !== null && (before.tlp !== after.tlp || !sameSet(before.participants, after.participants));
      if (added.length === 0 && !(rightsChanged && after.observables.length > 0)) return [];
      if (added.length) await index.add(after.id, added);
      const probe = rightsChanged ? after.observables : added;
      const others = new Set<string>();
      for (const o of probe) for (const id of await matchesOf(index, o)) if (id !== after.id) others.add(id);
      if (others.size === 0) return [];
      const matches = (await repository.getMany([...others])).filter((y) => sharedObservables(after.observables, y.observables).length > 0)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      // This incident's side in as few writes as it takes; each other incident's in its own.
      const told: Array<[string, string]> = (await tellAll(after.id, matches.filter((y) => mayTell(after, y)))).map((y) => [after.id, y]);
      // Each other incident's write guards its own item: a few at once, none racing another.
      const toTell = matches.filter((y) => mayTell(y, after));
      const toldOthers = await inPool(toTell, TELL_AT_ONCE, (y) => tell(y.id, after));
      toTell.forEach((y, i) => { if (toldOthers[i]) told.push([y.id, after.id]); });
      return told;
    },
  };
}

export type Correlator = ReturnType<typeof makeCorrelator>;
