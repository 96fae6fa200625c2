/**
 * What an incident's changes contribute to the response-time figures — "reported",
 * "acknowledged" (with the time to acknowledge), "resolved" (with the time to resolve) — to which
 * groups (`all`, its severity, its category, each participant organization) and to which
 * visibility scopes. Pure functions over incidents.
 */
import { CATEGORIES, SEVERITIES, type GroupBy, type Incident } from '../incident';
import { isRestricted } from '../tlp';
import type { Caller } from '../actor';
import { ForbiddenError } from '../errors';

export type MetricKind = 'reported' | 'acknowledged' | 'resolved';

export interface Contribution {
  incidentId: string;
  kind: MetricKind;
  group: string;
  reportedAt: string;
  /** Seconds from report to acknowledgement or resolution. */
  seconds?: number;
  /** -1: un-folds what an earlier state contributed (an edit, a reopen, a changed scope). */
  sign?: -1;
  /**
   * The incident version whose change this is. Present on contributions of changes to an existing
   * incident: the store keeps, per incident, kind, scope and group, whether it is folded in and at
   * which version, so a redelivered change counts once and a fold after an un-fold counts again.
   */
  version?: number;
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

/**
 * What the buckets receive for a change of an existing incident from `before` to `after`: what
 * the new state contributes and the old did not (folded in), and what the old state contributed
 * and the new does not (un-folded, `sign` -1), in every scope of each state. An acknowledgement
 * or a first resolve only adds; an edit of severity, category or TLP moves the incident's figures
 * between groups or scopes; an invite adds the new participants' groups (and, for a restricted
 * incident, their scopes); a reopen un-folds the resolve, so the next resolve is the one counted.
 */
export function scopedChangesOf(before: Incident | null, after: Incident): ScopedContribution[] {
  if (!before) return scopedContributionsOf(null, after);
  const keyOf = (c: ScopedContribution) => JSON.stringify([c.scope, c.group, c.kind, c.seconds ?? null]);
  const whole = (i: Incident) => {
    const all = allContributionsOf(i);
    return new Map(scopesOf(i).flatMap((scope) => all.map((c) => ({ ...c, scope }))).map((c) => [keyOf(c), c]));
  };
  const [was, now] = [whole(before), whole(after)];
  const out: ScopedContribution[] = [];
  for (const [k, c] of was) if (!now.has(k)) out.push({ ...c, sign: -1, version: after.version });
  for (const [k, c] of now) if (!was.has(k)) out.push({ ...c, version: after.version });
  return out;
}

/** Everything an incident contributes in its current state (for the live part of a window). */
export const allContributionsOf = (incident: Incident) => contributionsOf(null, incident);

/** The groups a groupBy lists, in a stable order (every severity and category, even when empty). */
export function groupKeys(groupBy: GroupBy | undefined, organizations: readonly string[]): Array<{ key: string; group: string }> {
  switch (groupBy) {
    case 'severity': return SEVERITIES.map((s) => ({ key: s, group: `severity#${s}` }));
    case 'category': return CATEGORIES.map((c) => ({ key: c, group: `category#${c}` }));
    case 'org': return [...organizations].sort().map((o) => ({ key: o, group: `org#${o}` }));
    default: return [];
  }
}
