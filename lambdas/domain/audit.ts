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
import { escapeBidi } from './bidi';

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

export interface AuditWindowQuery extends AuditPageQuery { from: string; to: string; orgId?: string; action?: AuditAction }

export interface AuditLog {
  /** Appends entries that are not part of an incident change (reads, admin actions, failed sign-ins). */
  append(entries: readonly AuditRecord[]): Promise<void>;
  /** One incident's entries, oldest first. */
  forIncident(incidentId: string, page: AuditPageQuery): Promise<AuditPage>;
  /** Every entry in [from, to), oldest first, optionally of one organization's actors or one action. */
  between(query: AuditWindowQuery): Promise<AuditPage>;
}

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
    // A refusal's detail may quote outside text (a token's `iss`): its bidirectional controls written out.
    ...(detail ? { detail: escapeBidi(detail) } : {}),
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
