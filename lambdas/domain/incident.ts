/**
 * The incident: its shape, its lifecycle rules and who may see it.
 * Pure functions over plain data; nothing here knows about AWS, HTTP or middy.
 */
import { isCommunity } from './tlp';
import type { AuditRecord } from './audit-entry';
import { actorOf, partnerOf, systemActor, type Actor, type ActorRef, type Caller, type Person, type Via } from './actor';
import { isRestricted, type Tlp } from './tlp';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors';
import { MAX_OBSERVABLES, newObservables, type Observable } from './observables';
import { isIncidentId } from '../shared/ids';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const CATEGORIES = ['misinformation', 'ransomware', 'phishing', 'account-takeover', 'ddos', 'intrusion', 'other'] as const;
export const STATUSES = ['reported', 'acknowledged', 'assigned', 'resolved'] as const;
export const EVENT_TYPES = [
  'reported', 'acknowledged', 'assigned', 'resolved', 'note', 'notified', 'notification_failed', 'escalated',
  'participants_added', 'updated', 'reopened', 'status_update', 'update_due', 'linked', 'unlinked',
  'observables_added', 'correlated',
] as const;
/** The phases a status update may name. */
export const PHASES = ['investigating', 'identified', 'monitoring'] as const;
export const RELATIONS = ['related', 'duplicate'] as const;
/** The fields PATCH may change. */
export const EDITABLE_FIELDS = ['title', 'description', 'severity', 'category', 'links', 'tlp'] as const;
/** How long after its resolve an incident may be reopened. */
export const REOPEN_WINDOW_DAYS = 30;
/** The most links one incident holds. */
export const MAX_RELATED = 100;
/** The most organizations one incident may have. */
export const MAX_INCIDENT_PARTICIPANTS = 50;

/** How metrics may be grouped. */
export const GROUP_BYS = ['severity', 'category', 'org'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** The largest `details` object, measured as UTF-8 JSON. */
export const MAX_DETAILS_BYTES = 16 * 1024;

export type Severity = (typeof SEVERITIES)[number];
export type Category = (typeof CATEGORIES)[number];
export type Status = (typeof STATUSES)[number];
export type EventType = (typeof EVENT_TYPES)[number];

export interface Link { href: string; text?: string }
export interface Acknowledgement { orgId: string; by: string | null; via: Via; at: string }
export interface Assignee { orgId: string; responder: string | null }
export type Phase = (typeof PHASES)[number];
export type Relation = (typeof RELATIONS)[number];
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export interface Related { incidentId: string; relation: Relation }
/** The latest status update: one structured line for everyone. */
export interface StatusUpdate { summary: string; phase: Phase | null; at: string; actor: Actor }

/** An incident as the API shows it. */
export interface Incident {
  id: string;
  title: string;
  description: string | null;
  severity: Severity;
  category: Category;
  tlp: Tlp;
  status: Status;
  reporter: { orgId: string; source: string | null };
  participants: string[];
  acknowledgements: Acknowledgement[];
  assignee: Assignee | null;
  dedupKey: string | null;
  links: Link[];
  details: Record<string, unknown>;
  reportedAt: string;
  acknowledgedAt: string | null;
  assignedAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  /** Links this incident's participants made to other incidents (answers list only those the viewer may see). */
  related: Related[];
  lastUpdate: StatusUpdate | null;
  /** When the next status update is due (set by the latest update); null when none is promised. */
  nextUpdateDueAt: string | null;
  /** Domain names, URLs, addresses, accounts, hashes, phone numbers seen in it, in canonical form (observables.ts). */
  observables: Observable[];
  version: number;
}

/** One entry of an incident's timeline. `seq` numbers events 1, 2, 3… oldest first. */
export interface TimelineEvent {
  seq: number;
  type: EventType;
  at: string;
  actor: Actor;
  data: Record<string, unknown>;
}

/** When an unacknowledged incident is next escalated, and how many times it already was. */
export interface Escalation { level: number; dueAt: string }

/**
 * An incident as stored: the API's view plus what only the service needs. The event count is the
 * optimistic-concurrency token: every change, including notification events, bumps it.
 */
export interface IncidentRecord {
  incident: Incident;
  eventCount: number;
  /** The code responders text back (`ACK 4821`); unique among open incidents. */
  ackCode: string | null;
  /** Null once acknowledged or resolved, or after the last escalation level. */
  escalation: Escalation | null;
  /** The promised next update's time, until its reminder (`update_due`) is sent or a newer update replaces it. */
  updateDue?: string | null;
  /**
   * When its current version was committed, by the commit clock: strictly increasing in commit
   * order across all incidents (TAXII's date_added). Absent on incidents not changed since before
   * the clock; set by the repository, never by a command.
   */
  addedAt?: string;
}

/**
 * Whether `caller` may see (read) `incident` — the one statement of the visibility rule. Partners see
 * incidents their organization participates in and, as TLP 2.0 lets them be shared within the
 * community, every GREEN and CLEAR incident; managers also see every incident whose TLP is not
 * restricted. Admins manage the directory only. Seeing is not acting: see `mayAct`.
 */
export function canSee(caller: Caller, incident: Pick<Incident, 'participants' | 'tlp'>): boolean {
  if (caller.role === 'admin') return false;
  if (incident.participants.includes(caller.orgId)) return true;
  return caller.role === 'manager' ? !isRestricted(incident.tlp) : isCommunity(incident.tlp);
}

/**
 * Whether `caller` may act on `incident` (acknowledge, assign, resolve, note…): its organization's
 * partners (systems and people) only. A caller that may see it but not act is refused with 403;
 * one that may not even see it gets 404, as if it did not exist.
 */
export function mayAct(caller: Caller, incident: Pick<Incident, 'participants'>): boolean {
  return caller.role === 'partner' && incident.participants.includes(caller.orgId);
}

/** The scopes `GET /v1/incidents` takes: the caller's own incidents (the default), or the community's GREEN and CLEAR ones. */
export const LIST_SCOPES = ['own', 'community'] as const;
export type ListScopeParam = (typeof LIST_SCOPES)[number];

/** Whether an organization outside the caller's view may receive anything about the incident. */
export const mayBeToldTo = (orgId: string, incident: Pick<Incident, 'participants' | 'tlp'>): boolean =>
  incident.participants.includes(orgId) || !isRestricted(incident.tlp);

export interface ReportInput {
  title: string;
  description?: string;
  severity: Severity;
  category: Category;
  tlp?: Tlp;
  participants?: string[];
  dedupKey?: string;
  source?: string;
  links?: Link[];
  details?: Record<string, unknown>;
  /** In canonical form (observables.ts `canonicalize`); repeats are kept once. */
  observables?: Observable[];
}

/**
 * A change to an incident: its new state and the events that record it. `escalation` replaces the
 * record's when present (null stops escalating); `ackCode` is set when the incident is created.
 */
export interface Change {
  incident: Incident;
  events: TimelineEvent[];
  escalation?: Escalation | null;
  /** Set when the incident is created; null gives the code up (a reopened incident has none). */
  ackCode?: string | null;
  /** Replaces the record's pending update reminder when present (null: none). */
  updateDue?: string | null;
  /**
   * Notification outcomes recorded with the events (see notifications.ts). `claimedBy`: the run
   * whose claim the record ends, in the same write, if that run still holds it (a run whose lease
   * ran out never ends the claim of the run that took the delivery over: the write is refused).
   */
  deliveries?: Array<{ incidentId: string; seq: number; orgId: string; status: 'sent' | 'failed'; claimedBy?: string }>;
  /** Audit entries written in the same transaction: a change never exists without its entry. */
  audit?: AuditRecord[];
  /** What the incident's `correlated` events have named of each other incident so far (ObservableIndex.told), written with them. */
  correlations?: Array<{ incidentId: string; otherId: string; observables: string[] }>;
}

/** The `source` of incidents added as STIX objects through TAXII; their dedup key is the object's STIX id. */
export const STIX_SOURCE = 'taxii';

/**
 * Whether resolving keeps the incident's dedup claim. A STIX object is one incident for good: adding
 * it again after its incident is resolved changes nothing (TAXII's idempotency), where any other
 * dedup key opens a new incident once the first is resolved (the Events API's).
 */
export const keepsDedupClaim = (incident: Incident): boolean => incident.reporter.source === STIX_SOURCE && incident.dedupKey !== null;

/** The reporter's organization always participates; duplicates are dropped, order kept. */
export function participantsOf(reporterOrgId: string, listed: readonly string[] = []): string[] {
  return [...new Set([reporterOrgId, ...listed])];
}

export interface ReportExtras { ackCode: string; firstEscalationAt: string | null }

export function report(id: string, reporter: string | ActorRef, input: ReportInput, now: string, extras?: ReportExtras): Change {
  const by = typeof reporter === 'string' ? { orgId: reporter } : reporter;
  const reporterOrgId = by.orgId;
  const incident: Incident = {
    id,
    title: input.title,
    description: input.description ?? null,
    severity: input.severity,
    category: input.category,
    tlp: input.tlp ?? 'AMBER',
    status: 'reported',
    reporter: { orgId: reporterOrgId, source: input.source ?? null },
    participants: participantsOf(reporterOrgId, input.participants),
    acknowledgements: [],
    assignee: null,
    dedupKey: input.dedupKey ?? null,
    links: input.links ?? [],
    details: input.details ?? {},
    reportedAt: now,
    acknowledgedAt: null,
    assignedAt: null,
    resolvedAt: null,
    resolution: null,
    related: [],
    lastUpdate: null,
    nextUpdateDueAt: null,
    observables: newObservables([], input.observables ?? []),
    version: 1,
  };
  const event: TimelineEvent = {
    seq: 1,
    type: 'reported',
    at: now,
    actor: actorOf(by),
    data: { title: incident.title, severity: incident.severity, category: incident.category, tlp: incident.tlp, participants: incident.participants, source: incident.reporter.source,
      ...(incident.observables.length ? { observables: incident.observables } : {}) },
  };
  if (!extras) return { incident, events: [event] };
  return {
    incident,
    events: [event],
    ackCode: extras.ackCode,
    escalation: extras.firstEscalationAt ? { level: 0, dueAt: extras.firstEscalationAt } : null,
  };
}

function requireOpen(record: IncidentRecord, command: string): void {
  if (record.incident.status === 'resolved') {
    throw new ConflictError(`The incident is resolved; ${command} is not allowed.`, record.incident.status);
  }
}

function nextEvent(record: IncidentRecord, type: EventType, at: string, actor: Actor, data: Record<string, unknown>): TimelineEvent {
  return { seq: record.eventCount + 1, type, at, actor, data };
}

function bump(incident: Incident, changes: Partial<Incident>): Incident {
  return { ...incident, ...changes, version: incident.version + 1 };
}

export interface AcknowledgeInput { by?: string | null; note?: string; via?: Via; keyId?: string; person?: Person }

/**
 * One acknowledgement per organization: the first sets `acknowledgedAt`; an organization that
 * already acknowledged gets the incident unchanged (`null` change).
 */
export function acknowledge(record: IncidentRecord, orgId: string, input: AcknowledgeInput, now: string): Change | null {
  requireOpen(record, 'acknowledge');
  const { incident } = record;
  if (incident.acknowledgements.some((a) => a.orgId === orgId)) return null;
  const via = input.via ?? 'api';
  const actor = actorOf({ orgId, keyId: input.keyId, person: input.person }, input.by ?? null, via);
  const by = actor.by;
  const ack: Acknowledgement = { orgId, by, via, at: now };
  const next = bump(incident, {
    acknowledgements: [...incident.acknowledgements, ack],
    acknowledgedAt: incident.acknowledgedAt ?? now,
    status: incident.status === 'assigned' ? 'assigned' : 'acknowledged',
  });
  const data = input.note === undefined ? {} : { note: input.note };
  // Someone has it: stop escalating.
  return { incident: next, events: [nextEvent(record, 'acknowledged', now, actor, data)], escalation: null };
}

export interface AssignInput { orgId: string; responder?: string; note?: string }

export function assign(record: IncidentRecord, caller: ActorRef, input: AssignInput, now: string): Change {
  requireOpen(record, 'assign');
  const { incident } = record;
  if (!incident.participants.includes(input.orgId)) {
    throw new ValidationError('The assignee must be a participant of the incident.', [
      { path: 'orgId', message: `"${input.orgId}" is not a participant; participants are ${incident.participants.join(', ')}` },
    ]);
  }
  const assignee: Assignee = { orgId: input.orgId, responder: input.responder ?? null };
  const next = bump(incident, { assignee, assignedAt: now, status: 'assigned' });
  const data: Record<string, unknown> = { assignee };
  if (incident.assignee) data.previous = incident.assignee;
  if (input.note !== undefined) data.note = input.note;
  return { incident: next, events: [nextEvent(record, 'assigned', now, actorOf(caller), data)] };
}

export function resolve(record: IncidentRecord, caller: ActorRef, resolution: string, now: string): Change {
  requireOpen(record, 'resolve');
  const next = bump(record.incident, { status: 'resolved', resolvedAt: now, resolution, nextUpdateDueAt: null });
  return { incident: next, events: [nextEvent(record, 'resolved', now, actorOf(caller), { resolution })], escalation: null, updateDue: null };
}

/** Notes are allowed in every status, resolved included: post-incident findings belong on the record. */
export function addNote(record: IncidentRecord, caller: ActorRef, text: string, now: string): Change {
  const next = bump(record.incident, {});
  return { incident: next, events: [nextEvent(record, 'note', now, actorOf(caller), { text })] };
}

/** Appends service events (notified, notification_failed, escalated): the incident's version stays. */
export function recordSystemEvents(record: IncidentRecord, events: Array<Omit<TimelineEvent, 'seq'>>, escalation?: Escalation | null): Change {
  return {
    incident: record.incident,
    events: events.map((e, i) => ({ ...e, seq: record.eventCount + 1 + i })),
    ...(escalation === undefined ? {} : { escalation }),
  };
}

// ---- Coordination: the circle, the story, related incidents ----

/** TLP 2.0: GREEN and CLEAR may be shared within the community. */
export { isCommunity };

/**
 * Brings organizations into the incident. For CLEAR and GREEN any participant may invite, and any
 * organization may add itself; for AMBER, AMBER+STRICT and RED only the reporter's organization
 * (the source decides who else receives). Organizations already participating are left out; when
 * none is left, nothing changes (`null`). The organizations must exist (checked by the use case).
 */
export function invite(record: IncidentRecord, caller: ActorRef, orgIds: readonly string[], note: string | undefined, now: string): Change | null {
  const { incident } = record;
  const participant = incident.participants.includes(caller.orgId);
  const selfOnly = orgIds.length > 0 && orgIds.every((o) => o === caller.orgId);
  if (isCommunity(incident.tlp)) {
    if (!participant && !selfOnly) throw new ForbiddenError(`Only participants may invite others to a TLP:${incident.tlp} incident; an organization may add itself.`);
  } else if (caller.orgId !== incident.reporter.orgId) {
    throw new ForbiddenError(`Only the reporter's organization (${incident.reporter.orgId}) may invite to a TLP:${incident.tlp} incident: the source decides who else receives it.`);
  }
  requireOpen(record, 'inviting');
  const added = [...new Set(orgIds)].filter((o) => !incident.participants.includes(o));
  if (added.length === 0) return null;
  if (incident.participants.length + added.length > MAX_INCIDENT_PARTICIPANTS) {
    throw new ValidationError(`An incident has at most ${MAX_INCIDENT_PARTICIPANTS} participants.`, [
      { path: 'orgIds', message: `would make ${incident.participants.length + added.length} participants; at most ${MAX_INCIDENT_PARTICIPANTS}` },
    ]);
  }
  const next = bump(incident, { participants: [...incident.participants, ...added] });
  const data: Record<string, unknown> = { orgIds: added };
  if (note !== undefined) data.note = note;
  return { incident: next, events: [nextEvent(record, 'participants_added', now, actorOf(caller), data)] };
}

/** A JSON merge patch of the editable fields: `null` removes (description, links), absent leaves as is. */
export interface EditPatch {
  title?: string;
  description?: string | null;
  severity?: Severity;
  category?: Category;
  links?: Link[] | null;
  tlp?: Tlp;
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Edits the incident. `tlp` only by the reporter's organization (403). A patch that changes
 * nothing is refused (400), so a client never believes it changed something it did not. A
 * severity change re-plans escalation (`replan`: the due time of a level at the new severity).
 */
export function edit(record: IncidentRecord, caller: ActorRef, patch: EditPatch, now: string, replan: (severity: Severity, level: number) => string): Change {
  const { incident } = record;
  if (patch.tlp !== undefined && caller.orgId !== incident.reporter.orgId) {
    throw new ForbiddenError(`Only the reporter's organization (${incident.reporter.orgId}) may change the TLP label.`);
  }
  const wanted: Partial<Record<EditableField, unknown>> = {};
  if (patch.title !== undefined) wanted.title = patch.title;
  if (patch.description !== undefined) wanted.description = patch.description === '' ? null : patch.description;
  if (patch.severity !== undefined) wanted.severity = patch.severity;
  if (patch.category !== undefined) wanted.category = patch.category;
  if (patch.links !== undefined) wanted.links = patch.links ?? [];
  if (patch.tlp !== undefined) wanted.tlp = patch.tlp;
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of EDITABLE_FIELDS) {
    if (!(field in wanted)) continue;
    if (!sameValue(incident[field], wanted[field])) changes[field] = { from: incident[field], to: wanted[field] };
  }
  if (Object.keys(changes).length === 0) {
    throw new ValidationError('The patch changes nothing: every field it names already has that value.', [
      { path: Object.keys(wanted)[0] ?? 'body', message: 'changes nothing' },
    ]);
  }
  const next = bump(incident, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])) as Partial<Incident>);
  const change: Change = { incident: next, events: [nextEvent(record, 'updated', now, actorOf(caller), { changes })] };
  if (changes.severity && record.escalation) change.escalation = { level: record.escalation.level, dueAt: replan(next.severity, record.escalation.level + 1) };
  return change;
}

/** The status an incident had before it was resolved: what its acknowledgements and assignee make it. */
export const statusBeforeResolve = (incident: Incident): Status =>
  incident.assignee ? 'assigned' : incident.acknowledgements.length > 0 ? 'acknowledged' : 'reported';

/**
 * Reopens a resolved incident within REOPEN_WINDOW_DAYS of its resolve: back to the status it had,
 * `resolvedAt` and `resolution` cleared. An open incident, or one resolved longer ago, is a 409.
 * Its acknowledgement code was given up at resolve (another incident may hold it now): it has none.
 */
export function reopen(record: IncidentRecord, caller: ActorRef, reason: string, now: string): Change {
  const { incident } = record;
  if (incident.status !== 'resolved' || !incident.resolvedAt) {
    throw new ConflictError('Only a resolved incident can be reopened.', incident.status);
  }
  const age = Date.parse(now) - Date.parse(incident.resolvedAt);
  if (age > REOPEN_WINDOW_DAYS * 86400_000) {
    throw new ConflictError(`The incident was resolved more than ${REOPEN_WINDOW_DAYS} days ago (${incident.resolvedAt}); report a new one instead.`, incident.status);
  }
  const next = bump(incident, { status: statusBeforeResolve(incident), resolvedAt: null, resolution: null });
  const data = { reason, previousResolution: incident.resolution, resolvedAt: incident.resolvedAt };
  return { incident: next, events: [nextEvent(record, 'reopened', now, actorOf(caller), data)], ackCode: null };
}

export interface StatusUpdateInput { summary: string; phase?: Phase; nextUpdateInMinutes?: number }

/** A status update: the incident carries it as `lastUpdate`, and `nextUpdateDueAt` when one is promised. */
export function postUpdate(record: IncidentRecord, caller: ActorRef, input: StatusUpdateInput, now: string): Change {
  requireOpen(record, 'a status update');
  const actor = actorOf(caller);
  const due = input.nextUpdateInMinutes === undefined ? null : new Date(Date.parse(now) + input.nextUpdateInMinutes * 60_000).toISOString();
  const lastUpdate: StatusUpdate = { summary: input.summary, phase: input.phase ?? null, at: now, actor };
  const next = bump(record.incident, { lastUpdate, nextUpdateDueAt: due });
  const event = nextEvent(record, 'status_update', now, actor, { summary: input.summary, phase: lastUpdate.phase, nextUpdateDueAt: due });
  return { incident: next, events: [event], updateDue: due };
}

/**
 * The reminder when a promised update is overdue on an open incident: once per due time (the
 * record forgets it as it is sent). Goes to the assignee's organization, else the reporter's.
 */
export function updateDue(record: IncidentRecord, now: Date): Omit<TimelineEvent, 'seq'> | null {
  const { incident, updateDue: due } = record;
  if (!due || incident.status === 'resolved' || incident.nextUpdateDueAt !== due || Date.parse(due) > now.getTime()) return null;
  const remind = incident.assignee?.orgId ?? incident.reporter.orgId;
  return {
    type: 'update_due',
    at: now.toISOString(),
    actor: systemActor('update reminder'),
    data: { dueAt: due, lastUpdateAt: incident.lastUpdate?.at ?? null, orgId: remind },
  };
}

/** How a duplicate link resolves an incident: "Duplicate of <other>". */
const DUPLICATE_OF = 'Duplicate of ';
/** The resolution shown to a reader who may not see the incident it was a duplicate of. */
export const DUPLICATE_OF_HIDDEN = 'Duplicate of another incident';
/**
 * The incident a resolution names, when a duplicate link wrote it; else null. Only an id an
 * incident can have (`inc_` and a ULID, as the link writes it): a participant may type any
 * resolution, and text read as a key (DynamoDB refuses one over 2,048 bytes) failed every read of
 * the incident and its notices, and the notices read together with them, for good.
 */
export const duplicateOf = (resolution: unknown): string | null =>
  (typeof resolution === 'string' && resolution.startsWith(DUPLICATE_OF) && isIncidentId(resolution.slice(DUPLICATE_OF.length)) ? resolution.slice(DUPLICATE_OF.length) : null);

/**
 * `event` as `orgId` may be told it: a duplicate's resolution names the incident only if the
 * organization may see it (a participant here may not be one there; an AMBER one is not seen from
 * outside, though not restricted as RED and AMBER+STRICT are). `get` reads that incident.
 */
export async function asToldTo(orgId: string, event: TimelineEvent, get: (id: string) => Promise<{ incident: Incident } | null>): Promise<TimelineEvent> {
  const other = event.type === 'resolved' ? duplicateOf(event.data.resolution) : null;
  if (!other) return event;
  return (await mayBeNamedTo(orgId, other, get)) ? event : { ...event, data: { ...event.data, resolution: DUPLICATE_OF_HIDDEN } };
}

/**
 * `incident` as `orgId` may be told it (the incident an HTTPS push carries): its resolution names
 * the incident it is a duplicate of only if the organization may see that one, as `asToldTo` does
 * for the event. The event alone was not enough: a push carries both, and the incident's own
 * `resolution` named a RED one to every participant's endpoints.
 */
export async function incidentAsToldTo(orgId: string, incident: Incident, get: (id: string) => Promise<{ incident: Incident } | null>): Promise<Incident> {
  const other = duplicateOf(incident.resolution);
  if (!other) return incident;
  return (await mayBeNamedTo(orgId, other, get)) ? incident : { ...incident, resolution: DUPLICATE_OF_HIDDEN };
}

/** Whether incident `id` may be named to `orgId`: as its partners would read it (AMBER is not theirs unless they take part). */
async function mayBeNamedTo(orgId: string, id: string, get: (id: string) => Promise<{ incident: Incident } | null>): Promise<boolean> {
  const found = (await get(id))?.incident;
  return Boolean(found && canSee(partnerOf(orgId), found));
}

/**
 * Links this incident to `other` (which the caller may see). `duplicate` also resolves this one
 * with "Duplicate of <other>". `duplicateChain`: the incidents `other` is (transitively) a
 * duplicate of, to refuse a cycle. Linking again with the same relation changes nothing.
 */
export function link(record: IncidentRecord, caller: ActorRef, other: Incident, relation: Relation, duplicateChain: readonly string[], now: string): Change | null {
  const { incident } = record;
  if (other.id === incident.id) throw new ValidationError('An incident cannot be linked to itself.', [{ path: 'incidentId', message: 'is this incident' }]);
  const existing = incident.related.find((r) => r.incidentId === other.id);
  if (existing?.relation === relation) return null;
  if (!existing && incident.related.length >= MAX_RELATED) {
    throw new ValidationError(`An incident holds at most ${MAX_RELATED} links.`, [{ path: 'incidentId', message: `this incident already has ${MAX_RELATED} links` }]);
  }
  const related = [...incident.related.filter((r) => r.incidentId !== other.id), { incidentId: other.id, relation }];
  const actor = actorOf(caller);
  if (relation === 'related') {
    const next = bump(incident, { related });
    return { incident: next, events: [nextEvent(record, 'linked', now, actor, { incidentId: other.id, relation })] };
  }
  if (duplicateChain.includes(incident.id) || other.related.some((r) => r.relation === 'duplicate' && r.incidentId === incident.id)) {
    throw new ValidationError('That would make a cycle of duplicates.', [{ path: 'incidentId', message: `${other.id} is already (through its duplicates) a duplicate of this incident` }]);
  }
  requireOpen(record, 'marking it a duplicate (which resolves it)');
  const resolution = `${DUPLICATE_OF}${other.id}`;
  const next = bump(incident, { related, status: 'resolved', resolvedAt: now, resolution, nextUpdateDueAt: null });
  return {
    incident: next,
    events: [
      nextEvent(record, 'linked', now, actor, { incidentId: other.id, relation }),
      { seq: record.eventCount + 2, type: 'resolved', at: now, actor, data: { resolution } },
    ],
    escalation: null,
    updateDue: null,
  };
}

/** Removes the link to `otherId`; a duplicate stays resolved (reopen it to undo that). */
export function unlink(record: IncidentRecord, caller: ActorRef, otherId: string, now: string): Change {
  const { incident } = record;
  const existing = incident.related.find((r) => r.incidentId === otherId);
  if (!existing) throw new NotFoundError(`Incident ${incident.id} has no link to ${otherId}.`);
  const next = bump(incident, { related: incident.related.filter((r) => r.incidentId !== otherId) });
  return { incident: next, events: [nextEvent(record, 'unlinked', now, actorOf(caller), { incidentId: otherId, relation: existing.relation })] };
}

// ---- Observables ----

/**
 * Adds observables (in canonical form) to the incident: those already there (same type, value and
 * platform) are left as they are, and when none is new nothing changes (`null`). Allowed in every
 * status, as notes are: what is learnt after a resolve still identifies the campaign. At most
 * MAX_OBSERVABLES in all.
 */
export function addObservables(record: IncidentRecord, caller: ActorRef, observables: readonly Observable[], now: string): Change | null {
  const { incident } = record;
  const added = newObservables(incident.observables, observables);
  if (added.length === 0) return null;
  if (incident.observables.length + added.length > MAX_OBSERVABLES) {
    throw new ValidationError(`An incident carries at most ${MAX_OBSERVABLES} observables.`, [
      { path: 'observables', message: `would make ${incident.observables.length + added.length} observables; at most ${MAX_OBSERVABLES}` },
    ]);
  }
  const next = bump(incident, { observables: [...incident.observables, ...added] });
  return { incident: next, events: [nextEvent(record, 'observables_added', now, actorOf(caller), { observables: added })] };
}
