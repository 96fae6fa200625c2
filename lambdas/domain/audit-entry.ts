/**
 * One entry of the audit trail: what it records, its shape as stored and as shown, and how an
 * entry is made and redacted. Pure data and functions; the trail's use cases are in audit.ts.
 */
import { randomUUID } from 'node:crypto';
import { actorOf, type Actor, type Caller } from './actor';
import { isRestricted, type Tlp } from './tlp';
import { escapeBidi } from '../shared/bidi';

/** What an entry records. Changes and admin actions are named after their command. */
export const AUDIT_ACTIONS = [
  // incident changes
  'report', 'acknowledge', 'assign', 'resolve', 'note',
  'invite', 'edit', 'reopen', 'status_update', 'link', 'unlink', 'observables',
  // reads of restricted incidents (and denied reads of any incident)
  'read', 'timeline', 'list', 'export', 'taxii', 'audit', 'related', 'lookup',
  // admin actions
  'organization.put', 'organization.chat', 'key.create', 'key.revoke', 'notifications.replay',
  // on call: schedules (their overrides included), calendar feed tokens, escalation policies
  'schedule.put', 'schedule.delete', 'schedule.feed_token', 'schedule.override', 'escalation.put',
  // what the service itself reports to an organization's admins (a chat channel that refuses its messages)
  'chat.undeliverable',
  // failed sign-ins and unknown keys
  'authenticate',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The actions that read an incident. */
export type ReadAction = 'read' | 'timeline' | 'list' | 'export' | 'taxii' | 'audit' | 'related' | 'lookup';

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

/** Entry ids sort by time: the time, then a random tail that keeps same-millisecond entries apart. */
export const auditId = (at: string) => `${at}#${randomUUID().slice(0, 13)}`;

/**
 * What an entry is about: an incident id, or the incident itself (its label decides whether the
 * entry keeps its participants). `seenBy`, with an id alone: the only organizations whose admins
 * see the entry one by one (others count it in the day's summary), as for a restricted incident.
 */
export interface AuditSubject { incidentId?: string; incident?: { id: string; tlp: Tlp; participants: readonly string[] }; seenBy?: readonly string[] }

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
    ...(incident && isRestricted(incident.tlp) ? { participants: [...incident.participants] } : subject.seenBy ? { participants: [...new Set(subject.seenBy)] } : {}),
  };
}

/** What a reader may see of an entry: an admin outside a restricted incident's participants sees neither its id nor its TLP. */
export function redactFor(viewerOrgId: string, record: AuditRecord): AuditEntry {
  const { participants, ...entry } = record;
  if (!participants || participants.includes(viewerOrgId)) return entry;
  const { incidentId: _id, tlp: _tlp, ...rest } = entry;
  return rest;
}
