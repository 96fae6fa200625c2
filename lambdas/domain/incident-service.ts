/**
 * The incident use cases. Each receives its dependencies, loads what it needs, lets the pure
 * lifecycle functions decide, and commits the change in one atomic write. Races are settled by
 * the repository's optimistic check: on a lost race the use case reloads and decides again, so
 * a rule is always judged against the state it is written over.
 */
import { randomInt } from 'node:crypto';
import { appendOrRefuse } from './audit';
import { type AuditLog } from './ports';
import { auditEntry, witnessOf, type AuditAction, type AuditPage, type ReadAction, type Witness } from './audit-entry';
import { ConcurrentModificationError, ConflictError, ForbiddenError, NotFoundError, BusyError, PreconditionFailedError, ValidationError } from './errors';
import { DEFAULT_ESCALATION, dueAt, escalate, type EscalationPolicy } from './escalation';
import { INCIDENT_ID_PREFIX, isIncidentId } from '../shared/ids';
import { answerBytes } from '../shared/json';
import { allInOrder } from '../shared/pool';
import {
  acknowledge, addNote, assign, canSee, edit, invite, link, postUpdate, reopen, report, resolve, unlink,
  type AcknowledgeInput, type AssignInput, type Change, type EditPatch, type Incident, type IncidentRecord, type Relation, type ReportInput, type Severity, type Status, type StatusUpdateInput, type TimelineEvent,
} from './incident';
import { isRestricted } from './tlp';
import { partnerOf, type Caller, type Via } from './actor';
import type { Clock, DirectoryRepository, IdGenerator, IncidentRepository, ListPage, ListQuery, ObservableIndex, TimelinePage } from './ports';
import { addObservables as addObservablesTo } from './incident';
import { canonicalList, sharedObservables, type ObservableRef } from './observables';
import { MAX_MATCHES_PER_OBSERVABLE, matchesOf, summaryOf, type IncidentSummary } from './correlation';
import { DUPLICATE_OF_HIDDEN, duplicateOf, mayAct, type ListScopeParam } from './incident';

/**
 * Two pages read after the same position, merged newest first without repeats: the first `limit`
 * of them. Another page exists when more than `limit` were found, or when either had more (what it
 * left out is older than everything it found, so older than the merged page's last).
 */
/** The caller's own list: a partner's participations; a manager's every incident it may see. */
function ownQuery(caller: Caller, request: ListRequest, base: Omit<ListQuery, 'scope'>): ListQuery {
  if (caller.role === 'partner') return { ...base, scope: { kind: 'organization', orgId: caller.orgId }, participant: request.participant };
  if (request.participant) return { ...base, scope: { kind: 'organization', orgId: request.participant }, restrictedVisibleTo: caller.orgId };
  return { ...base, scope: { kind: 'all' }, restrictedVisibleTo: caller.orgId };
}

export function mergePages(limit: number, pages: readonly ListPage[]): ListPage {
  const byId = new Map(pages.flatMap((p) => p.items.map((i) => [i.id, i] as const)));
  const all = [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const items = all.slice(0, limit);
  const more = all.length > limit || pages.some((p) => p.lastId !== null);
  const addedAt = new Map(pages.flatMap((p) => [...(p.addedAt ?? new Map<string, string>())]));
  return { items, lastId: more && items.length > 0 ? items.at(-1)!.id : null, addedAt };
}

export interface IncidentDeps {
  incidents: IncidentRepository;
  directory: Pick<DirectoryRepository, 'missingOrganizations'>;
  /** Where changes, reads of restricted incidents and denied reads are recorded. */
  audit: AuditLog;
  clock: Clock;
  ids: IdGenerator;
  /** Waits between retries of a lost race; tests pass a no-op. @default jittered 2–40 ms */
  pause?: (attempt: number) => Promise<void>;
  /** @default DEFAULT_ESCALATION (critical 5 min, high 15, medium 60, low 240; three levels) */
  escalation?: EscalationPolicy;
  /** Draws an acknowledgement code of `digits` digits. @default crypto-random */
  ackCode?: (digits: number) => string;
  /** The correlation index (related incidents, lookups). @default an empty one: no matches */
  observables?: ObservableIndex;
}

const NO_INDEX: ObservableIndex = {
  add: async () => {},
  incidentsWith: async () => ({ incidentIds: [], last: null }),
  told: async () => new Map(),
};

/** One related incident as `GET /v1/incidents/{id}/related` answers it. */
export interface RelatedItem { incident: IncidentSummary; shared: ObservableRef[]; relation?: Relation }

/** A related or lookup page holds at most this many incidents. */
export const MAX_RELATED_PAGE = 100;

const randomCode = (digits: number) => String(randomInt(0, 10 ** digits)).padStart(digits, '0');

/**
 * Codes are four digits while few incidents are open; a code taken by another open incident is
 * drawn again, and after a few misses the code grows a digit, so a code is never ambiguous. A RED
 * incident's code is 8 digits (9 after misses): guessing one, 10 tries a phone per 10 minutes
 * (sms-acknowledgements.ts), is hopeless. Its SMS still fits: the title gives way to `Reply ACK`.
 */
const codeLength = (attempt: number, red: boolean) => (red ? (attempt < 8 ? 8 : 9) : attempt < 4 ? 4 : attempt < 8 ? 5 : 6);
const MAX_CODE_ATTEMPTS = 16;

/** Enough for 20+ writers racing on one incident: each round lets at least one of them through. */
const MAX_ATTEMPTS = 60;

const defaultPause = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.random() * Math.min(40, 2 + attempt * 4)));

/** A timeline answer must stay far below Lambda's 6 MB response limit: 100 events at most. */
export const MAX_TIMELINE_PAGE = 100;
/**
 * Awaited once a list's page is read and before its reads are recorded, told whether more follow:
 * a handler gets what it needs to answer (the signing secret for the next cursor) there, so a page
 * it cannot answer records no read (the audit trail records what an answer carried).
 */
export type BeforeRecording = (more: boolean) => Promise<unknown>;

export interface TimelineRequest { limit: number; after?: number; ready?: BeforeRecording }

/** The most a list page's incidents may weigh as JSON (Lambda answers at most 6 MB). */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;

/**
 * Which incidents a list reads: `own` (the default) those the caller's organization participates in
 * (for managers: every incident they may see); `community` every GREEN and CLEAR incident of the
 * community, whoever participates; `visible` everything the caller may see, both together (TAXII's
 * collection).
 */
export type ListScopeName = ListScopeParam | 'visible';

export interface ListRequest { status?: Status; severity?: Severity; participant?: string; limit: number; after?: string; scope?: ListScopeName; ready?: BeforeRecording }

export type ReportResult = { created: boolean; incident: Incident };

/** How many incidents a duplicate link's cycle check reads at most. */
const MAX_DUPLICATE_WALK = 200;

/** An incident's audit trail: 100 entries a page at most. */
export const MAX_AUDIT_PAGE = 100;

export function makeIncidents(deps: IncidentDeps) {
  const { incidents, directory, audit, clock, ids } = deps;
  const pause = deps.pause ?? defaultPause;
  const policy = deps.escalation ?? DEFAULT_ESCALATION;
  const drawCode = deps.ackCode ?? randomCode;
  const index = deps.observables ?? NO_INDEX;
  const now = () => clock.now().toISOString();

  /**
   * The incident if `visible` says so; invisible and absent look the same, so existence never
   * leaks. Both are recorded as a denied `action` (for a well-formed id): an entry for one and
   * not the other would tell them apart. The entry names the id to the admins of the organization
   * that asked and of the incident's participants; every other admin counts it in the day's
   * summary, whether the incident exists or not (the id of a RED or AMBER+STRICT one never leaves
   * its participants, and a summary for one and an id for the other would tell them apart).
   */
  async function loadIf(id: string, visible: (incident: Incident) => boolean, denied?: { caller: Caller; action: AuditAction }, ahead?: Promise<IncidentRecord | null>): Promise<IncidentRecord> {
    const record = isIncidentId(id) ? await (ahead ?? incidents.get(id)) : null;
    if (!record || !visible(record.incident)) {
      if (denied && isIncidentId(id)) {
        const seenBy = [denied.caller.orgId, ...(record?.incident.participants ?? [])];
        await appendOrRefuse(audit, [auditEntry(witnessOf(denied.caller), denied.action, now(), 'denied', { incidentId: id, seenBy }, 'no such incident, or not visible to the caller')]);
      }
      throw new NotFoundError(`No incident ${id}.`);
    }
    return record;
  }

  /**
   * A command's incident `id` read beside another read (a link's or unlink's other incident, an
   * invitation's organizations), loaded and checked after: an id that cannot be an incident's reads
   * nothing (its check fails anyway). Reading is all it does; nothing is recorded or changed. Never
   * an incident's items (its timeline, its trail) ahead of its check: a 404 that waited on them
   * would tell that the incident exists.
   */
  const readAhead = (id: string): Promise<IncidentRecord | null> => (isIncidentId(id) ? incidents.get(id) : Promise.resolve(null));
  /** A command's incident, read ahead (beside another read): its first load takes that read, a retry reads afresh. */
  const firstLoadFrom = (ahead: Promise<IncidentRecord | null>) => {
    let first: typeof ahead | undefined = ahead;
    return () => { const read = first; first = undefined; return read; };
  };

  /** An incident `caller` may read (see canSee); else 404, recorded as a denied `action`. */
  const see = (caller: Caller, id: string, action: AuditAction, ahead?: Promise<IncidentRecord | null>) => loadIf(id, (incident) => canSee(caller, incident), { caller, action }, ahead);
  /**
   * An incident `caller` may act on (a command): 404 when it may not even see it; 403 when it may
   * see but not act (a GREEN or CLEAR incident of the community it does not participate in),
   * recorded as a denied `action`.
   */
  const load = async (caller: Caller, id: string, action: AuditAction, ahead?: Promise<IncidentRecord | null>): Promise<IncidentRecord> => {
    const record = await see(caller, id, action, ahead);
    if (!mayAct(caller, record.incident)) {
      const detail = `Only the incident's participants (${record.incident.participants.length} organizations) may act on it; it is TLP:${record.incident.tlp}, so you may read it.`;
      await appendOrRefuse(audit, [auditEntry(witnessOf(caller), action, now(), 'denied', { incident: record.incident }, detail)]);
      throw new ForbiddenError(detail);
    }
    return record;
  };
  /** What a verified channel of a participating organization (a signed link, a registered phone) may read. */
  const loadForParticipant = (orgId: string, id: string) => loadIf(id, (incident) => incident.participants.includes(orgId));

  /** Records reads of restricted incidents before they are answered; a read that cannot be recorded is refused. */
  async function auditReads(caller: Caller | Witness, action: ReadAction, read: readonly Incident[]): Promise<void> {
    const at = now();
    const who = 'actor' in caller ? caller : witnessOf(caller);
    await appendOrRefuse(audit, read.filter((incident) => isRestricted(incident.tlp)).map((incident) => auditEntry(who, action, at, 'allowed', { incident })));
  }

  /**
   * Incidents as `viewer` may be shown them: `related` lists only incidents the viewer may see
   * (the visibility rule applied when read, so a link never reveals an incident).
   */
/** A notice without whom it paged (its contacts, the policy's level and round). */
  const withoutPaging = (e: TimelineEvent): TimelineEvent => {
    if (e.type !== 'notified' && e.type !== 'notification_failed') return e;
    const { contacts: _c, level: _l, round: _r, ...data } = e.data;
    return { ...e, data };
  };

  /** Which of `ids` `viewer` may see. */
  async function visibleTo(viewer: Caller, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return new Set((await incidents.getMany([...new Set(ids)])).filter((other) => canSee(viewer, other)).map((other) => other.id));
  }

  /**
   * Incidents as `viewer` may be shown them: links only to incidents the viewer may see, and a
   * duplicate's resolution naming the incident only if the viewer may see it.
   */
  async function present(viewer: Caller, shown: Incident[]): Promise<Incident[]> {
    const ids = shown.flatMap((i) => [...i.related.map((r) => r.incidentId), ...(duplicateOf(i.resolution) ? [duplicateOf(i.resolution)!] : [])]);
    if (ids.length === 0) return shown;
    const visible = await visibleTo(viewer, ids);
    return shown.map((i) => {
      if (i.related.length === 0 && !duplicateOf(i.resolution)) return i;
      const hiddenDuplicate = duplicateOf(i.resolution) !== null && !visible.has(duplicateOf(i.resolution)!);
      return { ...i, related: i.related.filter((r) => visible.has(r.incidentId)), ...(hiddenDuplicate ? { resolution: DUPLICATE_OF_HIDDEN } : {}) };
    });
  }
  const presentOne = async (viewer: Caller, incident: Incident) => (await present(viewer, [incident]))[0]!;

  /**
   * Events as `viewer` may be shown them, the rule applied when read (an incident that widened its
   * TLP since, or one it names that narrowed its own, tells a new reader nothing): a `correlated`
   * event and the notices about it, and a `linked` or `unlinked` event, only while the viewer may
   * see the incident it names (hidden events leave their seq out); a `resolved` event of a
   * duplicate names the incident only then.
   */
  async function presentEvents(viewer: Caller, incident: Incident, all: TimelineEvent[]): Promise<TimelineEvent[]> {
    // Who was paged, at which level of an organization's escalation policy, is the participants'
    // business: a reader outside them (the community on GREEN and CLEAR, a manager) sees that an
    // organization was told, not whom it pages.
    const events = incident.participants.includes(viewer.orgId) ? all : all.map(withoutPaging);
    const named = (e: TimelineEvent): string | null => {
      if (e.type === 'correlated' || e.type === 'linked' || e.type === 'unlinked') return String(e.data.incidentId);
      // A notice about a match names it (`correlatedWith`); one that does not is hidden.
      if (e.data.aboutType === 'correlated') return typeof e.data.correlatedWith === 'string' ? e.data.correlatedWith : '';
      if (e.type === 'resolved') return duplicateOf(e.data.resolution);
      return null;
    };
    if (!events.some((e) => named(e) !== null)) return events;
    const visible = await visibleTo(viewer, events.flatMap((e) => { const id = named(e); return id ? [id] : []; }));
    return events.flatMap((e) => {
      const id = named(e);
      if (id === null || visible.has(id)) return [e];
      if (e.type === 'resolved') return [{ ...e, data: { ...e.data, resolution: DUPLICATE_OF_HIDDEN } }];
      return [];
    });
  }

  /** The change with its audit entry, named after the command and its (first) event's actor. */
  const audited = (change: Change | null, action: AuditAction, requestId = 'unknown'): Change | null => {
    if (!change) return null;
    const event = change.events[0]!;
    return { ...change, audit: [auditEntry({ actor: event.actor, requestId }, action, event.at, 'allowed', { incident: change.incident })] };
  };

  /**
   * Read, decide, commit; on a lost race, again, so the decision is always judged against the
   * state it is written over. `decide` returning null means "nothing to change"; `read` returning
   * null ends it with nothing done.
   */
  async function commitLoop(
    id: string,
    read: () => Promise<IncidentRecord | null>,
    decide: (record: IncidentRecord) => Change | null | Promise<Change | null>,
  ): Promise<{ record: IncidentRecord; change: Change | null } | null> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const record = await read();
      if (!record) return null;
      const change = await decide(record);
      if (!change) return { record, change };
      try {
        await incidents.commit(record, change);
        return { record, change };
      } catch (err) {
        if (!(err instanceof ConcurrentModificationError)) throw err;
        await pause(attempt);
      }
    }
    throw new BusyError(`Incident ${id} is changing too fast; try again.`, 1);
  }

  /**
   * A command on what `read` finds visible: invisible incidents are not found, decisions take the
   * current time, and the change is committed with its audit entry. `by`: the caller whose
   * command, refused by a restricted incident's status (409), is recorded as denied.
   */
  async function mutate(read: () => Promise<IncidentRecord>, id: string, action: AuditAction, requestId: string | undefined, decide: (record: IncidentRecord, at: string) => Change | null, by?: Caller) {
    return (await commitLoop(id, read, async (record) => {
      try {
        return audited(decide(record, now()), action, requestId);
      } catch (err) {
        // A refused transition answers with the current status: on a restricted incident that is a
        // read of it, recorded (as the refused command) before the answer, or the answer is 503.
        if (err instanceof ConflictError && by && isRestricted(record.incident.tlp)) {
          await appendOrRefuse(audit, [auditEntry(witnessOf(by), action, now(), 'denied', { incident: record.incident }, err.message.slice(0, 300))]);
        }
        // A command the caller's organization may not make on an incident it sees (403): recorded as denied.
        if (err instanceof ForbiddenError && by) {
          await appendOrRefuse(audit, [auditEntry(witnessOf(by), action, now(), 'denied', { incident: record.incident }, err.message.slice(0, 300))]);
        }
        throw err;
      }
    }))!;
  }

  /**
   * Escalates every incident due now, and sends the reminder of every overdue status update, each
   * incident in its own guarded write: running twice, or on two hosts at once, escalates each
   * level once and reminds once per due time.
   */
  async function runTimers(limit = 100): Promise<{ escalated: Array<{ incidentId: string; level: number }>; reminded: Array<{ incidentId: string; dueAt: string }> }> {
    const at = clock.now();
    const escalated: Array<{ incidentId: string; level: number }> = [];
    const reminded: Array<{ incidentId: string; dueAt: string }> = [];
    for (const candidate of await incidents.dueForEscalation(at.toISOString(), limit)) {
      const id = candidate.incident.id;
      // A lost race (a notification recorded meanwhile) reads the incident again and decides again:
      // acknowledged, updated or escalated meanwhile, nothing is due any more.
      let first = true;
      const done = await commitLoop(id, async () => (first ? ((first = false), candidate) : incidents.get(id)), (record) => escalate(record, at, policy));
      for (const event of done?.change?.events ?? []) {
        if (event.type === 'escalated') escalated.push({ incidentId: id, level: Number(event.data.level) });
        if (event.type === 'update_due') reminded.push({ incidentId: id, dueAt: String(event.data.dueAt) });
      }
    }
    return { escalated, reminded };
  }

  /** One page of what `caller` may see, each incident read but none recorded. */
  async function visiblePage(caller: Caller, request: ListRequest): Promise<{ items: Incident[]; lastId: string | null; addedAt?: ReadonlyMap<string, string> }> {
    const base = { status: request.status, severity: request.severity, limit: request.limit, after: request.after };
    let page: ListPage;
    if (request.scope === 'community') {
      // The same for every role: GREEN and CLEAR are everyone's to read.
      page = await incidents.list({ ...base, scope: { kind: 'community' }, participant: request.participant });
    } else if (request.scope === 'visible' && caller.role === 'partner') {
      // Its own and the community's, merged newest first (a manager's own list already holds both).
      page = mergePages(request.limit, await allInOrder([
        incidents.list({ ...base, scope: { kind: 'organization', orgId: caller.orgId }, participant: request.participant }),
        incidents.list({ ...base, scope: { kind: 'community' }, participant: request.participant }),
      ]));
    } else {
      page = await incidents.list(ownQuery(caller, request, base));
    }
    // The query already applies the visibility rule; this is defence in depth.
    const visible = page.items.filter((incident) => canSee(caller, incident));
    // A page stays under Lambda's 6 MB response limit however large its (allowed) incidents are:
    // past MAX_PAGE_BYTES it ends early, and the next page starts after its last incident.
    let bytes = 0;
    const kept = visible.filter((incident, i) => (bytes += answerBytes(incident)) <= MAX_PAGE_BYTES || i === 0);
    return kept.length < visible.length
      ? { items: kept, lastId: kept.at(-1)!.id, addedAt: page.addedAt }
      : { items: visible, lastId: page.lastId, addedAt: page.addedAt };
  }

  return {
    runTimers,

    async report(caller: Caller, input: ReportInput): Promise<ReportResult> {
      const listed = input.participants ?? [];
      // One answer whichever ids are unknown: a partner may not list the directory, so the error
      // must not tell it which organizations exist.
      if ((await directory.missingOrganizations(listed)).length > 0) {
        throw new ValidationError('Every participant must be an organization of the directory.', [
          { path: 'participants', message: 'lists at least one organization that is not in the directory' },
        ]);
      }
      // Canonical, or a 400 listing each invalid one (the request schema checked them already).
      if (input.observables) input = { ...input, observables: canonicalList(input.observables) };
      const id = INCIDENT_ID_PREFIX + ids.next();
      const at = now();
      for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
        const change = audited(report(id, caller, input, at, {
          ackCode: drawCode(codeLength(attempt, input.tlp === 'RED')),
          firstEscalationAt: dueAt(at, input.severity, 1, policy),
        }), 'report', caller.requestId)!;
        const result = await incidents.create(change);
        if (result.created) return { created: true, incident: change.incident };
        if ('existing' in result) {
          // The existing incident is answered: a read like any other.
          await auditReads(caller, 'read', [result.existing.incident]);
          return { created: false, incident: await presentOne(caller, result.existing.incident) };
        }
      }
      throw new BusyError('Could not allocate an acknowledgement code; try again.', 1);
    },

    /** The incident; `action` names the read in the audit trail (an export, a TAXII read). */
    async get(caller: Caller, id: string, action: ReadAction = 'read'): Promise<Incident> {
      const { incident } = await see(caller, id, action);
      await auditReads(caller, action, [incident]);
      return presentOne(caller, incident);
    },

    /** One page of the timeline, oldest first, after event `request.after`. */
    async timeline(caller: Caller, id: string, request: TimelineRequest = { limit: MAX_TIMELINE_PAGE }, action: ReadAction = 'timeline'): Promise<TimelinePage> {
      // The page is read only once the incident is checked, never beside it: a 404 that waited for the
      // page of an incident the caller may not see would take longer than one for an incident that
      // does not exist (its page empty), and tell that it exists.
      const { incident } = await see(caller, id, action);
      const limit = Math.min(Math.max(1, Math.trunc(request.limit)), MAX_TIMELINE_PAGE);
      const page = await incidents.timeline(id, { limit, afterSeq: request.after });
      await request.ready?.(page.lastSeq !== null);
      await auditReads(caller, action, [incident]);
      return { ...page, events: await presentEvents(caller, incident, page.events) };
    },

    async list(caller: Caller, request: ListRequest, action: ReadAction = 'list') {
      const { items, lastId } = await visiblePage(caller, request);
      await request.ready?.(lastId !== null);
      await auditReads(caller, action, items);
      return { items: await present(caller, items), lastId };
    },

    /**
     * Reads for an answer built from many reads (a TAXII page, the STIX export), none of them
     * recorded: the answer records the incidents it carries with `record`, once each, before it is
     * sent; an answer that carries none (or a 4xx) records no read. Visibility is checked as for
     * every read; an invisible incident is a 404 recorded as denied `action`.
     */
    unrecorded(caller: Caller, action: ReadAction) {
      return {
        get: async (id: string): Promise<Incident> => (await see(caller, id, action)).incident,
        /** The whole timeline of an incident this reader has just read, oldest first (checked again, not read again). */
        events: async (incident: Incident): Promise<TimelineEvent[]> => {
          if (!canSee(caller, incident)) throw new NotFoundError(`No incident ${incident.id}.`);
          const id = incident.id;
          const events: TimelineEvent[] = [];
          for (let afterSeq: number | undefined; ;) {
            const page = await incidents.timeline(id, { limit: MAX_TIMELINE_PAGE, afterSeq });
            events.push(...await presentEvents(caller, incident, page.events));
            if (page.lastSeq === null) return events;
            afterSeq = page.lastSeq;
          }
        },
        list: (request: ListRequest) => visiblePage(caller, request),
        /** Records the reads of the restricted ones among `carried` (each once). */
        record: (carried: readonly Incident[]) => auditReads(caller, action, [...new Map(carried.map((i) => [i.id, i])).values()]),
      };
    },

    /**
     * An incident's audit trail, oldest first, for its participants (who read it, who changed it,
     * who tried to). Others get 404 when they may not see it, 403 when they may but do not participate.
     */
    async auditOf(caller: Caller, id: string, page: { limit: number; after?: string; ready?: BeforeRecording }): Promise<AuditPage> {
      // The trail is read only once the caller may read it, as the timeline's page (its time must not
      // tell an incident the caller may not see from one that does not exist).
      const { incident } = await see(caller, id, 'audit');
      if (!incident.participants.includes(caller.orgId)) throw new ForbiddenError(`Only the incident's participants (${incident.participants.length} organizations) may read its audit trail.`);
      const answer = await audit.forIncident(id, { limit: Math.min(Math.max(1, Math.trunc(page.limit)), MAX_AUDIT_PAGE), after: page.after });
      await page.ready?.(answer.last !== null);
      // Reading the trail is itself recorded, whatever the TLP (it says who read and changed what),
      // once the page is read and before it is answered; a 4xx never gets this far.
      await appendOrRefuse(audit, [auditEntry(witnessOf(caller), 'audit', now(), 'allowed', { incident })]);
      return answer;
    },

    async acknowledge(caller: Caller, id: string, input: AcknowledgeInput): Promise<Incident> {
      if (caller.person && input.by !== undefined) {
        // A person's name comes from their identity provider; typing another would forge the record.
        throw new ValidationError('People acknowledge under their verified name; leave out `by`.', [
          { path: 'by', message: `is set from your sign-in (${caller.person.name.slice(0, 60)}); a person may not type it` },
        ]);
      }
      const { record, change } = await mutate(() => load(caller, id, 'acknowledge'), id, 'acknowledge', caller.requestId,
        (r, at) => acknowledge(r, caller.orgId, { ...input, keyId: caller.keyId, person: caller.person }, at), caller);
      // Acknowledged before: nothing changes, and the answer is a read.
      if (!change) await auditReads(caller, 'read', [record.incident]);
      return presentOne(caller, change?.incident ?? record.incident);
    },

    /**
     * The incident as a verified channel of a participating organization sees it (a signed email
     * link), recorded as a read by that contact when it is restricted.
     */
    async readFor(orgId: string, id: string, contact: { by: string; via: Exclude<Via, 'api'>; requestId?: string }): Promise<Incident> {
      const { incident } = await loadForParticipant(orgId, id);
      await auditReads({ actor: { orgId, by: contact.by, via: contact.via }, requestId: contact.requestId ?? 'unknown' }, 'read', [incident]);
      return presentOne(partnerOf(orgId), incident);
    },

    /**
     * The organization's open incidents, newest first (at most `limit`), as a verified channel of it
     * (a signed Slack command) lists them; restricted ones are recorded as list reads by that person.
     */
    async openFor(orgId: string, contact: { by: string; via: Exclude<Via, 'api'>; requestId?: string }, limit: number): Promise<Incident[]> {
      const pages = await allInOrder((['reported', 'acknowledged', 'assigned'] as const).map((status) => incidents.list({ scope: { kind: 'organization', orgId }, status, limit })));
      const open = pages.flatMap((p) => p.items).filter((i) => i.participants.includes(orgId) && i.status !== 'resolved')
        .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, limit);
      await auditReads({ actor: { orgId, by: contact.by, via: contact.via }, requestId: contact.requestId ?? 'unknown' }, 'list', open);
      return open;
    },

    /**
     * An acknowledgement on behalf of an organization's contact, through a channel that proved it
     * (a signed email link, a registered phone): no API key is involved. `already` is true when the
     * organization had acknowledged before, and nothing changed.
     */
    async acknowledgeFor(input: { incidentId: string; orgId: string; by: string; via: Exclude<Via, 'api'>; requestId?: string }): Promise<{ incident: Incident; already: boolean }> {
      const { incidentId, orgId, by, via } = input;
      const { record, change } = await mutate(() => loadForParticipant(orgId, incidentId), incidentId, 'acknowledge', input.requestId, (r, at) => acknowledge(r, orgId, { by, via }, at));
      if (!change) await auditReads({ actor: { orgId, by, via }, requestId: input.requestId ?? 'unknown' }, 'read', [record.incident]);
      return { incident: await presentOne(partnerOf(orgId), change?.incident ?? record.incident), already: change === null };
    },

    async assign(caller: Caller, id: string, input: AssignInput): Promise<Incident> {
      const { change } = await mutate(() => load(caller, id, 'assign'), id, 'assign', caller.requestId, (r, at) => assign(r, caller, input, at), caller);
      return presentOne(caller, change!.incident);
    },

    async resolve(caller: Caller, id: string, resolution: string): Promise<Incident> {
      const { change } = await mutate(() => load(caller, id, 'resolve'), id, 'resolve', caller.requestId, (r, at) => resolve(r, caller, resolution, at), caller);
      return presentOne(caller, change!.incident);
    },

    async addNote(caller: Caller, id: string, text: string): Promise<TimelineEvent> {
      const { change } = await mutate(() => load(caller, id, 'note'), id, 'note', caller.requestId, (r, at) => addNote(r, caller, text, at), caller);
      return change!.events[0]!;
    },

    /**
     * Brings organizations into the incident (see `invite`). An unknown organization is a 400 naming
     * it. It is loaded as a read (`see`), not as a command: an organization adding itself to a GREEN
     * or CLEAR incident it may read but does not participate in is the one command a non-participant
     * may make, and `invite` decides who may invite whom (403 otherwise).
     */
    async invite(caller: Caller, id: string, input: { orgIds: string[]; note?: string }): Promise<Incident> {
      // The incident is read beside the directory (one round trip, not two), and checked after, as
      // before; its read's failure is the first load's, after the 400 of an unknown organization.
      const ahead = readAhead(id);
      const [missingIds] = await allInOrder([directory.missingOrganizations(input.orgIds), ahead.catch(() => null)]);
      const missing = new Set(missingIds);
      if (missing.size > 0) {
        throw new ValidationError(`Not in the directory: ${[...missing].join(', ')}.`, input.orgIds.flatMap((o, i) => (missing.has(o) ? [{ path: `orgIds.${i}`, message: `"${o}" is not an organization of the directory` }] : [])));
      }
      const mine = firstLoadFrom(ahead);
      const { record, change } = await mutate(() => see(caller, id, 'invite', mine()), id, 'invite', caller.requestId,
        (r, at) => invite(r, caller, input.orgIds, input.note, at), caller);
      if (!change) await auditReads(caller, 'read', [record.incident]);
      return presentOne(caller, change?.incident ?? record.incident);
    },

    /** Edits the editable fields (see `edit`); `ifMatch`: the version the caller last saw (412 when it moved on). */
    async edit(caller: Caller, id: string, patch: EditPatch, ifMatch?: number): Promise<Incident> {
      const { change } = await mutate(() => load(caller, id, 'edit'), id, 'edit', caller.requestId, (r, at) => {
        if (ifMatch !== undefined && r.incident.version !== ifMatch) {
          throw new PreconditionFailedError(`The incident is at version ${r.incident.version}, not ${ifMatch}: read it again and re-apply your change.`, r.incident.version);
        }
        return edit(r, caller, patch, at, (severity, level) => dueAt(r.incident.reportedAt, severity, level, policy));
      }, caller);
      return presentOne(caller, change!.incident);
    },

    async reopen(caller: Caller, id: string, reason: string): Promise<Incident> {
      const { change } = await mutate(() => load(caller, id, 'reopen'), id, 'reopen', caller.requestId, (r, at) => reopen(r, caller, reason, at), caller);
      return presentOne(caller, change!.incident);
    },

    /** Posts a status update; returns its timeline event and the incident's new version. */
    async postUpdate(caller: Caller, id: string, input: StatusUpdateInput): Promise<{ event: TimelineEvent; version: number }> {
      const { change } = await mutate(() => load(caller, id, 'status_update'), id, 'status_update', caller.requestId, (r, at) => postUpdate(r, caller, input, at), caller);
      return { event: change!.events[0]!, version: change!.incident.version };
    },

    /**
     * Links the incident to another the caller may see (else 404, as for one that does not exist).
     * `created` is false when the link already was there with that relation (nothing changed).
     */
    async link(caller: Caller, id: string, input: { incidentId: string; relation: Relation }): Promise<{ incident: Incident; created: boolean }> {
      // The other incident is only read: the caller must be able to see it (else 404), not act on it.
      // The incident linked from is read meanwhile (one round trip, not two), and checked after, as before.
      const ahead = readAhead(id);
      // Only waited for here (nothing left reading): its failure is the first load's, after the walk
      // of duplicates, as before, so a failed walk still wins over it.
      const [{ incident: other }] = await allInOrder([see(caller, input.incidentId, 'link'), ahead.catch(() => null)]);
      const mine = firstLoadFrom(ahead);
      // The incidents `other` is, through its duplicate links, a duplicate of: a duplicate link
      // back to any of them would be a cycle. Bounded like the links themselves.
      const chain: string[] = [];
      if (input.relation === 'duplicate') {
        const duplicatesOf = (i: Incident) => i.related.filter((r) => r.relation === 'duplicate').map((r) => r.incidentId);
        let frontier = duplicatesOf(other);
        while (frontier.length > 0 && chain.length < MAX_DUPLICATE_WALK) {
          const fresh = [...new Set(frontier)].filter((x) => !chain.includes(x)).slice(0, MAX_DUPLICATE_WALK - chain.length);
          chain.push(...fresh);
          frontier = fresh.length ? (await incidents.getMany(fresh)).flatMap(duplicatesOf) : [];
        }
      }
      const { record, change } = await mutate(() => load(caller, id, 'link', mine()), id, 'link', caller.requestId, (r, at) => link(r, caller, other, input.relation, chain, at), caller);
      if (!change) await auditReads(caller, 'read', [record.incident]);
      return { incident: await presentOne(caller, change?.incident ?? record.incident), created: change !== null };
    },

    /** Removes a link; a link to an incident the caller may not see is not found (404). */
    async unlink(caller: Caller, id: string, otherId: string): Promise<Incident> {
      // Both incidents are read at once (one round trip, not two), and checked as before.
      const ahead = readAhead(id);
      const [[other]] = await allInOrder([isIncidentId(otherId) ? incidents.getMany([otherId]) : Promise.resolve([]), ahead]);
      const mine = firstLoadFrom(ahead);
      const { change } = await mutate(() => load(caller, id, 'unlink', mine()), id, 'unlink', caller.requestId, (r, at) => {
        if (!other || !canSee(caller, other)) throw new NotFoundError(`Incident ${id} has no link to ${otherId}.`);
        return unlink(r, caller, otherId, at);
      }, caller);
      return change!.incident;
    },


    /**
     * Adds observables (canonicalized; a 400 lists each invalid one) to an incident the caller's
     * organization participates in. Those already there are left as they are; none new is a no-op
     * (the answer is then a read). Correlation follows on the stream.
     */
    async addObservables(caller: Caller, id: string, list: ReadonlyArray<{ type: string; value: string; platform?: string; note?: string }>): Promise<Incident> {
      const observables = canonicalList(list);
      const { record, change } = await mutate(() => load(caller, id, 'observables'), id, 'observables', caller.requestId, (r, at) => addObservablesTo(r, caller, observables, at), caller);
      if (!change) await auditReads(caller, 'read', [record.incident]);
      return presentOne(caller, change?.incident ?? record.incident);
    },

    /**
     * The incidents related to one the caller may see: those sharing an observable with it (found in
     * the index) and those it links to, each only if the caller may see it, newest first, a page
     * after incident `after`. Restricted incidents answered (this one included) are recorded as reads.
     */
    async related(caller: Caller, id: string, page: { limit: number; after?: string; ready?: BeforeRecording }): Promise<{ items: RelatedItem[]; lastId: string | null }> {
      const { incident } = await see(caller, id, 'related');
      const candidates = new Set<string>(incident.related.map((r) => r.incidentId));
      for (const o of incident.observables) for (const other of await matchesOf(index, o)) candidates.add(other);
      candidates.delete(incident.id);
      const relation = new Map(incident.related.map((r) => [r.incidentId, r.relation] as const));
      const all = (await incidents.getMany([...candidates]))
        .filter((other) => canSee(caller, other))
        .map((other): RelatedItem => {
          const item: RelatedItem = { incident: summaryOf(other), shared: sharedObservables(incident.observables, other.observables) };
          const linked = relation.get(other.id);
          if (linked) item.relation = linked;
          return item;
        })
        .filter((item) => item.shared.length > 0 || item.relation !== undefined)
        .sort((a, b) => (a.incident.id < b.incident.id ? 1 : a.incident.id > b.incident.id ? -1 : 0))
        .filter((item) => page.after === undefined || item.incident.id < page.after);
      const limit = Math.min(Math.max(1, Math.trunc(page.limit)), MAX_RELATED_PAGE);
      const items = all.slice(0, limit);
      const shown = await incidents.getMany(items.map((i) => i.incident.id));
      await page.ready?.(all.length > limit);
      await auditReads(caller, 'related', [incident, ...shown]);
      return { items, lastId: all.length > limit ? items.at(-1)!.incident.id : null };
    },

    /**
     * "Have we seen this before?": the incidents the caller may see that carry the observable
     * (canonicalized here; invalid is a 400 on `value`), newest first, a page after incident
     * `after`. Restricted ones answered are recorded as reads (`lookup`).
     */
    async lookup(caller: Caller, query: { type: string; value: string; platform?: string }, page: { limit: number; after?: string; ready?: BeforeRecording }): Promise<{ observable: ObservableRef; items: IncidentSummary[]; lastId: string | null }> {
      const [observable] = canonicalList([query], 'query').map(({ note: _note, ...ref }) => ref);
      const limit = Math.min(Math.max(1, Math.trunc(page.limit)), MAX_RELATED_PAGE);
      const found: Incident[] = [];
      let after = page.after;
      let more = false;
      // Pages of the index, newest first, until one more visible incident than the page holds is
      // found, among the MAX_MATCHES_PER_OBSERVABLE newest (the bound correlation and related keep).
      // A page never ends on an incident the caller may not see: its id would be in the cursor.
      for (let scanned = 0; scanned < MAX_MATCHES_PER_OBSERVABLE;) {
        const ids = await index.incidentsWith(observable!, { limit: Math.min(100, MAX_MATCHES_PER_OBSERVABLE - scanned), after });
        scanned += ids.incidentIds.length;
        const visible = (await incidents.getMany(ids.incidentIds)).filter((i) => canSee(caller, i)).sort((a, b) => (a.id < b.id ? 1 : -1));
        found.push(...visible);
        if (found.length > limit) { more = true; break; }
        if (ids.last === null || ids.incidentIds.length === 0) break;
        after = ids.last;
      }
      const items = found.slice(0, limit);
      await page.ready?.(more);
      await auditReads(caller, 'lookup', items);
      return { observable: observable!, items: items.map(summaryOf), lastId: more ? items.at(-1)!.id : null };
    },

    /** The escalations `runTimers` makes (reminders are sent too). */
    async escalateDue(limit = 100): Promise<Array<{ incidentId: string; level: number }>> {
      return (await runTimers(limit)).escalated;
    },

    /**
     * Appends service events (notified, notification_failed) to the timeline, retrying lost races.
     * `known`: the incident as the caller read it moments ago, tried first instead of a read (a
     * change since fails the commit's guard, and the next attempt reads it).
     */
    async recordSystemEvents(id: string, build: (record: IncidentRecord) => Change | null | Promise<Change | null>, known?: IncidentRecord): Promise<void> {
      let first = known;
      await commitLoop(id, async () => { const record = first ?? await incidents.get(id); first = undefined; return record; }, build);
    },
  };
}

export type IncidentService = ReturnType<typeof makeIncidents>;
