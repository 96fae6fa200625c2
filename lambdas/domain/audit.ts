/**
 * The audit trail: one append-only record of who did and who read what. Every change to an
 * incident (written in the change's own transaction), every admin action, every failed
 * authentication, and every read of a RED or AMBER+STRICT incident (written before the answer
 * leaves; if it cannot be written the read is refused).
 */
import { randomUUID } from 'node:crypto';
import { BusyError, ValidationError } from './errors';
import { actorOf, isRestricted, type Actor, type Caller, type Incident, type Tlp } from './incident';
import type { Clock } from './ports';

/** What an entry records. Changes and admin actions are named after their command. */
export const AUDIT_ACTIONS = [
  // incident changes
  'report', 'acknowledge', 'assign', 'resolve', 'note',
  // reads of restricted incidents (and denied reads of any incident)
  'read', 'timeline', 'list', 'export', 'taxii', 'audit',
  // admin actions
  'organization.put', 'key.create', 'key.revoke', 'notifications.replay',
  // failed sign-ins and unknown keys
  'authenticate',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The actions that read an incident. */
export type ReadAction = 'read' | 'timeline' | 'list' | 'export' | 'taxii' | 'audit';

export type AuditOutcome = 'allowed' | 'denied';

/** One entry, as the API shows it. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: Actor;
  action: AuditAction;
  incidentId?: string;
  tlp?: Tlp;
  requestId: string;
  outcome: AuditOutcome;
  /** Why it was denied (never a secret). */
  detail?: string;
}

/**
 * An entry as stored. `participants` is kept for entries about restricted incidents, so that an
 * admin outside them sees that something happened, never which incident or its label.
 */
export interface AuditRecord extends AuditEntry { participants?: string[] }

export interface AuditPageQuery { limit: number; after?: string }
export interface AuditPage { items: AuditRecord[]; last: string | null }

/**
 * A window's query. `viewerOrgId`: only entries that organization's admin may see one by one —
 * entries about no restricted incident, or about one it participates in.
 */
export interface AuditWindowQuery extends AuditPageQuery { from: string; to: string; orgId?: string; action?: AuditAction; viewerOrgId: string }

/** One UTC day's entries (`yyyy-mm-dd`) about restricted incidents `viewerOrgId` does not participate in. */
export interface HiddenDayQuery { day: string; viewerOrgId: string; orgId?: string; action?: AuditAction }

/**
 * What an admin sees of a day's activity on restricted incidents outside its organization's
 * participations: per acting organization and UTC day, how many requests touched such incidents
 * (a list or TAXII page carrying several of them is one), never which, when in the day, by which
 * key or person, nor how many incidents.
 */
export interface RestrictedSummary { kind: 'restricted-summary'; orgId: string; day: string; count: number }

/** A row of an admin's window: an entry, or a day's summary of what the admin may not see. */
export type AuditRow = AuditEntry | RestrictedSummary;

export interface AuditLog {
  /** Appends entries that are not part of an incident change (reads, admin actions, failed sign-ins). */
  append(entries: readonly AuditRecord[]): Promise<void>;
  /** One incident's entries, oldest first. */
  forIncident(incidentId: string, page: AuditPageQuery): Promise<AuditPage>;
  /** Every entry in [from, to) the viewer may see one by one, oldest first, optionally of one organization's actors or one action. */
  between(query: AuditWindowQuery): Promise<AuditPage>;
  /**
   * Per acting organization (in id order), the number of distinct requests of the day whose
   * entries are about restricted incidents the viewer does not participate in (entries with an
   * unknown request id count one each).
   */
  hiddenOn(query: HiddenDayQuery): Promise<Array<{ orgId: string; count: number }>>;
}

/** Whether the viewer's admins may see a stored entry one by one. */
export const visibleTo = (viewerOrgId: string, record: Pick<AuditRecord, 'participants'>) => !record.participants || record.participants.includes(viewerOrgId);

/** The requests counted in a summary: distinct request ids; entries without one count each. */
export function countRequests(entries: Iterable<{ orgId: string; requestId: string }>): Array<{ orgId: string; count: number }> {
  const seen = new Map<string, Set<string>>();
  let unknown = 0;
  for (const { orgId, requestId } of entries) {
    const ids = seen.get(orgId) ?? new Set<string>();
    ids.add(requestId === 'unknown' ? `unknown#${unknown++}` : requestId);
    seen.set(orgId, ids);
  }
  return [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([orgId, ids]) => ({ orgId, count: ids.size }));
}

/**
 * Where a day's summary of an acting organization sits among entry ids: after every entry of
 * that day (`~` sorts after an id's random tail), before the next day's, in organization order.
 * It is a paging position, and says nothing finer than the day.
 */
export const summaryPosition = (day: string, orgId: string) => `${day}T23:59:59.999Z#~${orgId}`;
/** After everything of a day, its summaries included: where a page cut short by its budget ends. */
export const dayEndPosition = (day: string) => `${day}T23:59:59.999Z#~~`;
export const SUMMARY_POSITION_PATTERN = /^\d{4}-\d\d-\d\dT23:59:59\.999Z#~([a-z0-9-]{2,40}|~)$/;

/**
 * A page sums up at most this many days (each a read of that day's entries): a page over a long
 * window ends after them, with a cursor at the end of the last day, so every page's work is bounded.
 */
export const MAX_SUMMARY_DAYS_PER_PAGE = 31;

/** Entry ids sort by time: the time, then a random tail that keeps same-millisecond entries apart. */
export const auditId = (at: string) => `${at}#${randomUUID().slice(0, 13)}`;

export interface AuditSubject { incidentId?: string; incident?: Pick<Incident, 'id' | 'tlp' | 'participants'> }

/** Who an entry names: the actor and the request. */
export interface Witness { actor: Actor; requestId: string }

/** The witness of an API caller (a system's key, or a person). */
export const witnessOf = (caller: Caller): Witness => ({ actor: actorOf(caller), requestId: caller.requestId ?? 'unknown' });

/** The entry for `who` doing `action`, about an incident when there is one. */
export function auditEntry(who: Witness, action: AuditAction, at: string, outcome: AuditOutcome, subject: AuditSubject = {}, detail?: string): AuditRecord {
  const { incident } = subject;
  const incidentId = incident?.id ?? subject.incidentId;
  return {
    id: auditId(at),
    at,
    actor: who.actor,
    action,
    ...(incidentId ? { incidentId } : {}),
    ...(incident ? { tlp: incident.tlp } : {}),
    requestId: who.requestId,
    outcome,
    ...(detail ? { detail } : {}),
    ...(incident && isRestricted(incident.tlp) ? { participants: [...incident.participants] } : {}),
  };
}

/** What a reader may see of an entry: an admin outside a restricted incident's participants sees neither its id nor its TLP. */
export function redactFor(viewerOrgId: string, record: AuditRecord): AuditEntry {
  const { participants, ...entry } = record;
  if (!participants || participants.includes(viewerOrgId)) return entry;
  const { incidentId: _id, tlp: _tlp, ...rest } = entry;
  return rest;
}

/** Appends, or refuses the read: an answer is never served unaudited. */
export async function appendOrRefuse(log: AuditLog, entries: readonly AuditRecord[]): Promise<void> {
  if (!entries.length) return;
  try {
    await log.append(entries);
  } catch (err) {
    throw new BusyError('The request could not be recorded in the audit trail, so it is not carried out; try again.', 1, { cause: err });
  }
}

/** The widest window an admin may read at once. */
export const MAX_AUDIT_WINDOW_DAYS = 366;
const DAY_MS = 86_400_000;

export interface AuditWindowRequest { from?: string; to?: string; orgId?: string; action?: AuditAction; limit: number; after?: string }

/** A day's summary shows this long after the day ends, once entries stamped in its last moments are written. */
export const SUMMARY_SETTLE_MS = 5 * 60_000;
const nextDay = (day: string) => new Date(Date.parse(day) + DAY_MS).toISOString().slice(0, 10);
const later = (a: string, b: string) => (a > b ? a : b);
const earlier = (a: string, b: string) => (a < b ? a : b);

/**
 * The admins' reading of the whole trail. Entries about RED or AMBER+STRICT incidents whose
 * participants do not include the admin's organization are never shown one by one (their time,
 * actor, key and number would tell the admin of the incident): each UTC day that has ended is
 * summed up per acting organization in one `restricted-summary` row, after that day's entries,
 * counting requests, not incidents. The day's summary is the whole day's, whatever part of it the
 * window covers, and only once the day is over (and SUMMARY_SETTLE_MS more, for entries stamped in
 * its last moments), so no window and no polling tells a finer time.
 */
export function makeAuditTrail({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  return {
    /** The window's rows, oldest first; `last` is the paging position of the page's last row when more follow. */
    async between(caller: Caller, request: AuditWindowRequest): Promise<{ from: string; to: string; items: AuditRow[]; last: string | null }> {
      const to = request.to ?? clock.now().toISOString();
      const from = request.from ?? new Date(Date.parse(to) - DAY_MS).toISOString();
      if (from >= to) throw new ValidationError('The window is empty: `from` must be before `to`.', [{ path: 'from', message: 'must be before to' }]);
      if (Date.parse(to) - Date.parse(from) > MAX_AUDIT_WINDOW_DAYS * DAY_MS) {
        throw new ValidationError(`The window is longer than ${MAX_AUDIT_WINDOW_DAYS} days; read it in parts.`, [{ path: 'to', message: `at most ${MAX_AUDIT_WINDOW_DAYS} days after from` }]);
      }
      const { orgId, action, limit, after } = request;
      const viewerOrgId = caller.orgId;
      const now = clock.now().getTime();
      const lastDay = new Date(Date.parse(to) - 1).toISOString().slice(0, 10);
      const rows: Array<{ position: string; row: AuditRow }> = [];
      let summarized = 0;
      let cut: string | null = null;
      // Day by day from the window's start, or the cursor's day: that day's entries, then its summaries.
      for (let day = (after && after > from ? after : from).slice(0, 10); day <= lastDay && rows.length <= limit; day = nextDay(day)) {
        const lo = later(from, `${day}T00:00:00.000Z`);
        const hi = earlier(to, `${nextDay(day)}T00:00:00.000Z`);
        if (lo < hi) {
          const page = await audit.between({ from: lo, to: hi, orgId, action, viewerOrgId, limit: limit + 1 - rows.length, after: after && after >= lo ? after : undefined });
          rows.push(...page.items.map((e) => ({ position: e.id, row: redactFor(viewerOrgId, e) })));
          if (page.last !== null) break;
        }
        if (Date.parse(nextDay(day)) + SUMMARY_SETTLE_MS <= now && rows.length <= limit) {
          for (const s of await audit.hiddenOn({ day, viewerOrgId, orgId, action })) {
            const position = summaryPosition(day, s.orgId);
            if (!after || position > after) rows.push({ position, row: { kind: 'restricted-summary', orgId: s.orgId, day, count: s.count } });
          }
          if (++summarized >= MAX_SUMMARY_DAYS_PER_PAGE && day < lastDay && rows.length <= limit) { cut = dayEndPosition(day); break; }
        }
      }
      const kept = rows.slice(0, limit);
      return { from, to, items: kept.map((r) => r.row), last: rows.length > limit ? kept.at(-1)!.position : cut };
    },
  };
}

/** Records that an admin action is allowed: called by the action after its checks, before its first write. */
export type Allowed = () => Promise<void>;

/**
 * Runs an admin action with its audit entry written before it changes anything: `run` decides
 * whether the caller may, writing nothing, then calls `allowed`, which writes the `allowed` entry
 * (if it cannot, the action does not happen: 503). A refusal is one `denied` entry saying why; an
 * action that fails after it was allowed adds a `denied` entry saying so. `what` names the target,
 * e.g. "organization fbi".
 */
export async function auditedAction<T>(log: AuditLog, clock: Clock, caller: Caller, action: AuditAction, what: string, run: (allowed: Allowed) => Promise<T>): Promise<T> {
  const who = witnessOf(caller);
  let recorded = false;
  const allowed: Allowed = async () => {
    if (recorded) return;
    await appendOrRefuse(log, [auditEntry(who, action, clock.now().toISOString(), 'allowed', {}, what)]);
    recorded = true;
  };
  try {
    const result = await run(allowed);
    // An action that never said it was allowed is still never left unrecorded.
    await allowed();
    return result;
  } catch (err) {
    const reason = err instanceof Error ? err.message.slice(0, 300) : 'failed';
    await log.append([auditEntry(who, action, clock.now().toISOString(), 'denied', {}, `${what}: ${recorded ? 'failed after it was allowed: ' : ''}${reason}`)]).catch(() => undefined);
    throw err;
  }
}
