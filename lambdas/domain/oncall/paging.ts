/**
 * Paging an organization by its escalation policy, as a state machine on an injected clock: what
 * is paged when the organization is notified, and what the escalation timer pages after.
 *
 * - Notified at T: level 1's targets, as resolved at T (a schedule's target is whoever is on call
 *   then), are paged. Level n+1 falls due `afterMinutes` after level n while the organization has
 *   not acknowledged. After the last level the policy starts again from level 1, `repeat` times;
 *   a repeat falls due as long after the last level as the last level came after the one before
 *   it (one-level policies: REPEAT_FALLBACK_MINUTES). Then paging ends, and the service-wide
 *   escalation to managers applies as before.
 * - Due times follow the plan, not the timer: a timer that runs late pages every level whose time
 *   has come, once each, and the next one stays where the plan put it. Targets are resolved when
 *   the level is paged (a schedule changed between two levels pages whoever it now names).
 * - RED pages only contacts cleared for it: a level without one is skipped (it takes no time of
 *   its own: the next level with one is paged in its place); a policy with none at all fails.
 * - Acknowledging, by anyone of the organization, ends it.
 */
import type { Contact, EscalationPolicySpec } from '../ports';
import { onCallAt, type ScheduleSpec } from './schedule';

export const REPEAT_FALLBACK_MINUTES = 5;

/** Where an organization's paging stands: the position last paged (round × levels + level, 0-based) and when the next falls due. */
export interface PagingState { position: number; dueAt: string }

/** One page: its level (1-based), its round (0: the first pass), and the contact ids it reaches. */
export interface Page { level: number; round: number; contacts: string[]; at: string }

export interface PagingContext {
  policy: EscalationPolicySpec;
  /** The organization's schedules, as they are now. */
  schedules: ReadonlyMap<string, ScheduleSpec>;
  contacts: readonly Contact[];
  /** A RED incident: only cleared contacts are paged. */
  red: boolean;
}

const MINUTE = 60_000;

const positions = (p: EscalationPolicySpec) => p.levels.length * ((p.repeat ?? 0) + 1);

/** Minutes between position p − 1 and position p. */
function gapBefore(p: EscalationPolicySpec, position: number): number {
  const n = p.levels.length;
  const level = position % n;
  if (level > 0) return p.levels[level]!.afterMinutes;
  return n > 1 ? p.levels[n - 1]!.afterMinutes : REPEAT_FALLBACK_MINUTES;
}

/** The contact ids a level pages at `at`: its contacts and whoever its schedules have on call, once each; RED: cleared ones only. */
export function targetsOf(ctx: PagingContext, level: number, at: Date): string[] {
  const known = new Map(ctx.contacts.map((c) => [c.id, c]));
  const ids: string[] = [];
  for (const t of ctx.policy.levels[level]?.targets ?? []) {
    const found = 'contact' in t ? [t.contact] : (() => { const s = ctx.schedules.get(t.schedule); return s ? onCallAt(s, at).contacts : []; })();
    for (const id of found) if (!ids.includes(id) && known.has(id)) ids.push(id);
  }
  return ctx.red ? ids.filter((id) => known.get(id)?.red) : ids;
}

/**
 * Pages position `from` or, when it has nobody (RED without a cleared target), the next one that
 * has someone, at `at`; null when none up to the end does.
 */
function pageFrom(ctx: PagingContext, from: number, at: Date): { position: number; page: Page } | null {
  const n = ctx.policy.levels.length;
  for (let p = from; p < positions(ctx.policy); p++) {
    const contacts = targetsOf(ctx, p % n, at);
    if (contacts.length) return { position: p, page: { level: (p % n) + 1, round: Math.floor(p / n), contacts, at: at.toISOString() } };
  }
  return null;
}

const next = (ctx: PagingContext, position: number, pagedAt: number): PagingState | null =>
  position + 1 < positions(ctx.policy) ? { position, dueAt: new Date(pagedAt + gapBefore(ctx.policy, position + 1) * MINUTE).toISOString() } : null;

/**
 * The organization is notified at `at`: level 1 (or, RED, the first level with a cleared target)
 * is paged. `failed` when no level of the policy has anyone to page.
 */
export function startPaging(ctx: PagingContext, at: Date): { pages: Page[]; state: PagingState | null; failed: string | null } {
  const first = pageFrom(ctx, 0, at);
  if (!first) {
    return { pages: [], state: null, failed: ctx.red ? 'no level of the escalation policy has a contact cleared for TLP:RED' : 'no level of the escalation policy has anyone to page' };
  }
  return { pages: [first.page], state: next(ctx, first.position, at.getTime()), failed: null };
}

/**
 * What the timer does at `now`: nothing before the due time; once acknowledged, the end; else
 * every position whose time has come, paged once each in order, and the state after them.
 */
export function advancePaging(ctx: PagingContext, state: PagingState, now: Date, acknowledged: boolean): { pages: Page[]; state: PagingState | null } {
  if (acknowledged) return { pages: [], state: null };
  const pages: Page[] = [];
  let current: PagingState | null = state;
  while (current && Date.parse(current.dueAt) <= now.getTime()) {
    const due = Date.parse(current.dueAt);
    const paged = pageFrom(ctx, current.position + 1, now);
    if (!paged) return { pages, state: null };
    pages.push(paged.page);
    current = next(ctx, paged.position, due);
  }
  return { pages, state: current };
}
