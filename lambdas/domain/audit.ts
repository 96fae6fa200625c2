/**
 * The audit trail: one append-only record of who did and who read what. Every change to an
 * incident (written in the change's own transaction), every admin action, every failed
 * authentication, and every read of a RED or AMBER+STRICT incident (written before the answer
 * leaves; if it cannot be written the read is refused). The entry itself is in audit-entry.ts.
 */
import type { Caller } from './actor';
import { auditEntry, redactFor, witnessOf, type AuditAction, type AuditEntry, type AuditRecord } from './audit-entry';
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

/** The admins' reading of the whole trail. */
export function makeAuditTrail({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  return {
    /** The window's entries, oldest first; entries about restricted incidents outside the admin's organization say which organization acted, not on what. */
    async between(caller: Caller, request: AuditWindowRequest): Promise<{ from: string; to: string; items: AuditEntry[]; last: string | null }> {
      const to = request.to ?? clock.now().toISOString();
      const from = request.from ?? new Date(Date.parse(to) - DAY_MS).toISOString();
      if (from >= to) throw new ValidationError('The window is empty: `from` must be before `to`.', [{ path: 'from', message: 'must be before to' }]);
      if (Date.parse(to) - Date.parse(from) > MAX_AUDIT_WINDOW_DAYS * DAY_MS) {
        throw new ValidationError(`The window is longer than ${MAX_AUDIT_WINDOW_DAYS} days; read it in parts.`, [{ path: 'to', message: `at most ${MAX_AUDIT_WINDOW_DAYS} days after from` }]);
      }
      const page = await audit.between({ from, to, orgId: request.orgId, action: request.action, limit: request.limit, after: request.after });
      return { from, to, items: page.items.map((entry) => redactFor(caller.orgId, entry)), last: page.last };
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
