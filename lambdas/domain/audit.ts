/**
 * The audit trail: one append-only record of who did and who read what. Every change to an
 * incident (written in the change's own transaction), every admin action, every failed
 * authentication, and every read of a RED or AMBER+STRICT incident (written before the answer
 * leaves; if it cannot be written the read is refused). The entry itself is in audit-entry.ts.
 */
import type { Caller } from './actor';
import { auditEntry, dayEndPosition, redactFor, summaryPosition, witnessOf, type AuditAction, type AuditRecord, type AuditRow } from './audit-entry';
import { BusyError, ValidationError } from './errors';
import type { AuditLog, Clock } from './ports';

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

/**
 * A page sums up at most this many days (each a read of that day's entries): a page over a long
 * window ends after them, with a cursor at the end of the last day, so every page's work is bounded.
 */
export const MAX_SUMMARY_DAYS_PER_PAGE = 31;

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
      // No entry is written after now: the days read end at tomorrow, so a window reaching into the
      // far future (9999-12-31, whose next day "+010000-01-01" sorts first as text) reads nothing more.
      const end = earlier(to, new Date(now + DAY_MS).toISOString());
      if (from >= end) return { from, to, items: [], last: null };
      const lastDay = new Date(Date.parse(end) - 1).toISOString().slice(0, 10);
      const rows: Array<{ position: string; row: AuditRow }> = [];
      let summarized = 0;
      let cut: string | null = null;
      let lastSummaries: Promise<unknown> | undefined;
      // Day by day from the window's start, or the cursor's day: that day's entries, then its
      // summaries. Both are read at once (one round trip a day, not two); the summaries are unused
      // when the day's entries fill the page, at most once a page. The last day's summary read is
      // waited for in `finally`, its outcome ignored, whether used or not (the page full, or the
      // entries unreadable): nothing of the request is left reading after its answer.
      try {
        for (let day = (after && after > from ? after : from).slice(0, 10); day <= lastDay && rows.length <= limit; day = nextDay(day)) {
          const lo = later(from, `${day}T00:00:00.000Z`);
          const hi = earlier(end, `${nextDay(day)}T00:00:00.000Z`);
          const settled = Date.parse(nextDay(day)) + SUMMARY_SETTLE_MS <= now;
          const summaries = settled ? audit.hiddenOn({ day, viewerOrgId, orgId, action }) : undefined;
          // Awaited below, or only in `finally`: not an unhandled rejection either way.
          lastSummaries = summaries?.catch(() => undefined);
          if (lo < hi) {
            const page = await audit.between({ from: lo, to: hi, orgId, action, viewerOrgId, limit: limit + 1 - rows.length, after: after && after >= lo ? after : undefined });
            rows.push(...page.items.map((e) => ({ position: e.id, row: redactFor(viewerOrgId, e) })));
            if (page.last !== null) break;
          }
          if (summaries && rows.length <= limit) {
            for (const s of await summaries) {
              const position = summaryPosition(day, s.orgId);
              if (!after || position > after) rows.push({ position, row: { kind: 'restricted-summary', orgId: s.orgId, day, count: s.count } });
            }
            if (++summarized >= MAX_SUMMARY_DAYS_PER_PAGE && day < lastDay && rows.length <= limit) { cut = dayEndPosition(day); break; }
          }
        }
      } finally {
        await lastSummaries;
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
