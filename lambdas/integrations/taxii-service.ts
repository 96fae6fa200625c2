/**
 * The TAXII 2.1 service, shaped like OASIS medallion's backend: `discovery`, `apiRoot`,
 * `collections`, `collection`, `objects`, `object`, `versions`, `manifest`, `addObjects`, `status`
 * (and the STIX export, `exportBundle`). Handlers turn its results into HTTP answers and nothing
 * else; what a caller may read comes through the incident use cases only, never a repository, so
 * TAXII shows exactly what `GET /v1/incidents` shows (its `own` and `community` scopes together:
 * everything the caller may see) and whatever those use cases check applies.
 *
 * Reads are recorded as the answer carries them: the collection is read unrecorded, filtered and
 * paged, and only then are the restricted incidents whose objects (the incident, its notes) are on
 * the page recorded, once each, before the page is answered. A page of markings or identities, an
 * empty page, a 404 or a bad `next` records no read.
 */
import { escapeBidi } from '../shared/bidi';
import { randomUUID } from 'node:crypto';
import type { ReadAction } from '../domain/audit-entry';
import type { Caller } from '../domain/actor';
import { DomainError, NotFoundError, ValidationError } from '../domain/errors';
import type { Incident, ReportInput, TimelineEvent } from '../domain/incident';
import type { IncidentService } from '../domain/incident-service';
import { MAX_ANSWER_BYTES, answerBytes } from '../shared/json';
import { inPool } from '../shared/pool';
import type { ApiKeyRecord, Organization } from '../domain/ports';
import { SCO_TYPES, concordIncidentOf, incidentBundle, incidentObjects, observableOfSco, reportFromStix, type ExportInput, type OrgInfo, type StixObject } from './stix';
import { canonicalize, type Observable } from '../domain/observables';
import { checkCursorShape } from '../http/cursor';
import {
  INCIDENTS_COLLECTION_ID, MAX_CONTENT_LENGTH, MAX_PAGE, POSITION_PATTERN, dateAddedHeaders, fitStatus, listOf, manifestRecord, page, positionOf, select, versionOf,
  type Entry, type Filters, type StatusDetails, type StatusStore, type TaxiiStatus,
} from './taxii';

/** Signs and checks `next`: a position bound to the caller and the listing (endpoint and exact filters). */
export interface PositionCodec {
  encodeTaxii(position: string, caller: Caller, listing: string): string;
  decodeTaxii(cursor: string, caller: Caller, listing: string, isPosition: (p: string) => boolean): string;
}

export interface TaxiiDeps {
  incidents: IncidentService;
  directory: { getOrganizations(ids: readonly string[]): Promise<Organization[]>; getKey(keyId: string): Promise<ApiKeyRecord | null> };
  statuses: StatusStore;
  /** Read on first use: the STIX export signs nothing, and its function is not given the secret. */
  cursors: () => Promise<PositionCodec>;
  /** The service's public base URL, without a trailing slash. */
  baseUrl: () => string;
  /** The API's own check of a report (its schema): the report as the API takes it, or why not. */
  checkReport: (input: ReportInput) => { ok: true; input: ReportInput } | { ok: false; reason: string };
  /** The most a page of objects (or the STIX export) may weigh, as answerBytes counts. @default MAX_ANSWER_BYTES */
  maxAnswerBytes?: number;
  /** Incidents read per list request while building a collection. @default 100 */
  listPage?: number;
}

/** The query of objects, manifest, object and versions, as the route schemas parse it. */
export interface TaxiiQuery {
  added_after?: string;
  limit?: number;
  next?: string;
  'match[id]'?: string;
  'match[type]'?: string;
  'match[version]'?: string;
  'match[spec_version]'?: string;
}

/** A TAXII answer: its body and the headers TAXII adds (X-TAXII-Date-Added-First/Last). */
export interface TaxiiResult<B> { body: B; headers: Record<string, string> }

const TIMELINE_READS_AT_ONCE = 8;
const CONTEXT_TYPES = new Set(['marking-definition', 'identity']);
/** Incidents reported at once from one envelope. */
const REPORTS_AT_ONCE = 8;

/** Objects every incident refers to, about none of them. */
const SHARED_CONTEXT: ReadonlySet<string> = new Set(['identity', 'marking-definition']);

/** An entry with the incident its object is about (the incident, its notes and observables; none for shared objects). */
interface CollectionEntry extends Entry { incident?: Incident }

function filtersOf(query: TaxiiQuery, extra: Partial<Filters> = {}): Filters {
  return {
    addedAfter: query.added_after === undefined ? undefined : new Date(query.added_after).toISOString(),
    ids: listOf(query['match[id]']),
    types: listOf(query['match[type]']),
    versions: listOf(query['match[version]']) ?? ['last'],
    specVersions: listOf(query['match[spec_version]']),
    ...extra,
  };
}

const listingOf = (kind: string, query: object, extra = '') => JSON.stringify([kind, extra, Object.entries(query).filter(([k]) => k !== 'next' && k !== 'limit').sort()]);

function requireCollection(id: string): void {
  if (id !== INCIDENTS_COLLECTION_ID) throw new NotFoundError(`No collection ${id.slice(0, 64)}.`);
}

export function makeTaxiiService(deps: TaxiiDeps) {
  const { incidents, directory, statuses, cursors, baseUrl, checkReport } = deps;
  const maxAnswerBytes = deps.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  const listPage = deps.listPage ?? 100;

  /** A per-request reader of the organizations a bundle names (its STIX identities): each read once, those not read yet in one request. */
  function organizationReader() {
    const cache = new Map<string, Promise<OrgInfo | null>>();
    return async (ids: Iterable<string>): Promise<Map<string, OrgInfo>> => {
      const wanted = [...new Set(ids)];
      const fresh = wanted.filter((id) => !cache.has(id));
      if (fresh.length) {
        const read = directory.getOrganizations(fresh).then((orgs) => new Map(orgs.map((o) => [o.id, o])));
        for (const id of fresh) {
          cache.set(id, read.then((found) => {
            const o = found.get(id);
            return o ? { name: o.name, createdAt: o.createdAt, updatedAt: o.updatedAt } : null;
          }));
        }
      }
      const infos = await Promise.all(wanted.map((id) => cache.get(id)!));
      return new Map(wanted.flatMap((id, i) => (infos[i] ? [[id, infos[i]] as const] : [])));
    };
  }

  const orgIdsOf = (incident: Incident, events: readonly TimelineEvent[]) =>
    new Set([incident.reporter.orgId, ...incident.participants, ...events.filter((e) => e.type === 'note').map((e) => e.actor.orgId)]);

  /** Every STIX object `caller` may read, with when it was added and the incident it is about; nothing recorded. */
  async function collectionOf(reads: ReturnType<IncidentService['unrecorded']>): Promise<CollectionEntry[]> {
    const base = baseUrl();
    const orgs = organizationReader();
    const entries: CollectionEntry[] = [];
    let after: string | undefined;
    do {
      // Everything the caller may see: its own incidents and the community's GREEN and CLEAR ones
      // (GET /v1/incidents with scope=own and scope=community together).
      const listed = await reads.list({ limit: listPage, after, scope: 'visible' });
      // Timelines are read a few at a time: one request per incident, not one after another.
      const timelines = await inPool(listed.items, TIMELINE_READS_AT_ONCE, (incident) => reads.events(incident));
      // Every organization the page's incidents name, in one read (each incident below finds them read).
      await orgs(listed.items.flatMap((incident, j) => [...orgIdsOf(incident, timelines[j]!)]));
      for (const [j, incident] of listed.items.entries()) {
        const events = timelines[j]!;
        for (const e of incidentObjects({ incident, events, organizations: await orgs(orgIdsOf(incident, events)), baseUrl: base }, listed.addedAt?.get(incident.id))) {
          // What comes from the incident (itself, its notes, its observables) is a read of it when served.
          entries.push(SHARED_CONTEXT.has(e.object.type) ? e : { ...e, incident });
        }
      }
      after = listed.lastId ?? undefined;
    } while (after);
    return entries;
  }

  /**
   * One page of `entries`, after `next` if given, at most `limit` (and MAX_PAGE) entries and at most
   * maxAnswerBytes of them; the incidents it carries are recorded before it is returned.
   */
  async function pageOf<R>(caller: Caller, reads: ReturnType<IncidentService['unrecorded']>, listing: string, entries: CollectionEntry[], query: TaxiiQuery, shown: (e: Entry) => R) {
    // A `next` no codec could have issued is refused without the secret, readable or not.
    // TAXII's query parameter is `next`: a refusal names it, not the API's `cursor`.
    const asNext = <T>(f: () => T): T => {
      try { return f(); } catch (err) {
        if (err instanceof ValidationError) throw new ValidationError('`next` is not valid; use it exactly as a page returned it.', err.errors.map((e) => (e.path === 'cursor' ? { ...e, path: 'next' } : e)));
        throw err;
      }
    };
    if (query.next !== undefined) asNext(() => checkCursorShape(query.next!));
    const codec = await cursors();
    const after = query.next === undefined ? undefined : asNext(() => codec.decodeTaxii(query.next!, caller, listing, (p) => POSITION_PATTERN.test(p)));
    const limit = Math.min(query.limit ?? MAX_PAGE, MAX_PAGE);
    const found = page(entries, limit, after);
    // A page of many large objects ends early, below what Lambda can answer; `next` goes on from there.
    let bytes = 0;
    const items = found.items.filter((e, i) => (bytes += answerBytes(shown(e)) + 1) <= maxAnswerBytes - 1024 || i === 0);
    const more = found.more || items.length < found.items.length;
    const next = more ? codec.encodeTaxii(positionOf(items.at(-1)!), caller, listing) : undefined;
    await reads.record((items as CollectionEntry[]).flatMap((e) => (e.incident ? [e.incident] : [])));
    return { body: { more, ...(next ? { next } : {}) }, items: items.map(shown), headers: dateAddedHeaders(items) };
  }

  /** The entries of one object the caller may read; none is a 404, exactly as for an absent object. */
  async function objectEntries(reads: ReturnType<IncidentService['unrecorded']>, collectionId: string, objectId: string, filters: Filters): Promise<CollectionEntry[]> {
    requireCollection(collectionId);
    const all = select(await collectionOf(reads), { ids: [objectId] }) as CollectionEntry[];
    if (!all.length) throw new NotFoundError(`No object ${objectId} in this collection.`);
    return select(all, filters) as CollectionEntry[];
  }

  const collectionResource = (caller: Caller) => ({
    id: INCIDENTS_COLLECTION_ID,
    title: 'Concord incidents',
    description: 'The incidents you may see in Concord (exactly those GET /v1/incidents lists with scope=own and scope=community together: yours, and every GREEN and CLEAR incident of the community), as STIX 2.1: each incident with the Incident Core extension, its notes, the identities of the organizations involved and the TLP 2.0 marking-definitions. Partners may add incidents.',
    can_read: true,
    can_write: caller.role === 'partner',
    media_types: ['application/stix+json;version=2.1'],
  });

  const reader = (caller: Caller, action: ReadAction = 'taxii') => incidents.unrecorded(caller, action);

  return {
    discovery(prefix: string, apiRoot: string) {
      const root = `${baseUrl()}${prefix}/${apiRoot}/`;
      return {
        title: 'Concord TAXII 2.1',
        description: 'Shared incidents as STIX 2.1. Authenticate with your Concord API key: Authorization: Bearer <key>, or HTTP Basic with the key as the password.',
        default: root,
        api_roots: [root],
      };
    },

    apiRoot(versions: string[]) {
      return { title: 'Concord', description: 'Concord\'s incidents.', versions, max_content_length: MAX_CONTENT_LENGTH };
    },

    collections(caller: Caller) {
      return { collections: [collectionResource(caller)] };
    },

    collection(caller: Caller, collectionId: string) {
      requireCollection(collectionId);
      return collectionResource(caller);
    },

    async objects(caller: Caller, collectionId: string, query: TaxiiQuery) {
      requireCollection(collectionId);
      const reads = reader(caller);
      const entries = select(await collectionOf(reads), filtersOf(query)) as CollectionEntry[];
      const p = await pageOf(caller, reads, listingOf('objects', query), entries, query, (e) => e.object);
      return { body: { ...p.body, objects: p.items }, headers: p.headers };
    },

    async manifest(caller: Caller, collectionId: string, query: TaxiiQuery) {
      requireCollection(collectionId);
      const reads = reader(caller);
      const entries = select(await collectionOf(reads), filtersOf(query)) as CollectionEntry[];
      const p = await pageOf(caller, reads, listingOf('manifest', query), entries, query, manifestRecord);
      return { body: { ...p.body, objects: p.items }, headers: p.headers };
    },

    async object(caller: Caller, collectionId: string, objectId: string, query: TaxiiQuery) {
      const reads = reader(caller);
      const entries = await objectEntries(reads, collectionId, objectId, filtersOf(query, { ids: [objectId] }));
      const p = await pageOf(caller, reads, listingOf('object', query, objectId), entries, query, (e) => e.object);
      return { body: { ...p.body, objects: p.items }, headers: p.headers };
    },

    async versions(caller: Caller, collectionId: string, objectId: string, query: TaxiiQuery) {
      const reads = reader(caller);
      const entries = await objectEntries(reads, collectionId, objectId, filtersOf(query, { ids: [objectId], versions: ['all'] }));
      const p = await pageOf(caller, reads, listingOf('versions', query, objectId), entries, query, (e) => versionOf(e.object));
      return { body: { ...p.body, versions: p.items }, headers: p.headers };
    },

    async status(caller: Caller, statusId: string): Promise<TaxiiStatus> {
      const found = await statuses.get(caller.orgId, statusId);
      if (!found) throw new NotFoundError(`No status ${statusId}.`);
      return found;
    },

    /**
     * Adds the envelope's objects (partners): each STIX `incident` is reported through the report
     * use case, with its STIX id as the dedupKey, so posting it again changes nothing, even after it
     * is resolved; an incident Concord itself exported is recognised, not added (relationships of
     * the envelope may tie observables to it). Marking-definitions
     * and identities are accepted as context (not stored); any other object is a failure with its
     * reason. Cyber-observable objects (domain-name, ipv4-addr, ipv6-addr, url, email-addr, file,
     * user-account) and `related-to` relationships tying them to an incident of the same envelope
     * add the observables to that incident (as POST …/observables would: canonical form, a
     * participant only, those already there a no-op); an SCO no relationship ties to an incident
     * is accepted as context. The status resource is kept for the posting organization and returned.
     */
    async addObjects(caller: Caller, collectionId: string, objects: ReadonlyArray<Record<string, unknown> & { type: string; id: string }>): Promise<TaxiiStatus> {
      if (collectionId !== INCIDENTS_COLLECTION_ID) throw new NotFoundError(`No collection ${collectionId.slice(0, 64)}.`);
      const requestTimestamp = new Date().toISOString();
      const key = caller.keyId ? await directory.getKey(caller.keyId) : null;
      const defaults = key?.orgId === caller.orgId ? key.defaults ?? {} : {};

      /** One object's outcome, judged alone: a success or a failure, each with its reason. */
      const judge = async (obj: (typeof objects)[number]): Promise<{ ok: boolean; detail: StatusDetails }> => {
        // TAXII's status details name each object's version; one that states none is named by the request's time.
        const version = typeof obj.modified === 'string' ? obj.modified : typeof obj.created === 'string' ? obj.created : requestTimestamp;
        const done = (ok: boolean, message: string) => ({ ok, detail: { id: obj.id, version, message: escapeBidi(message) } });
        if (CONTEXT_TYPES.has(obj.type)) return done(true, `accepted as context of the incidents; Concord does not store ${obj.type} objects`);
        if (SCO_TYPES.has(obj.type)) {
          const sco = observableOfSco(obj);
          const canonical = sco.ok ? canonicalize(sco.observable) : sco;
          if (!canonical.ok) return done(false, `not an observable Concord can record: ${canonical.reason}`);
          observables.set(obj.id, canonical.observable);
          return done(true, 'accepted as context: no related-to relationship of this envelope ties it to an incident');
        }
        if (obj.type === 'relationship') return { ok: true, detail: { id: obj.id, version, message: '' } };
        if (obj.type !== 'incident') return done(false, `Concord's collection takes incident objects (and marking-definitions and identities with them); not ${obj.type.slice(0, 100)}`);
        if (obj.spec_version !== undefined && obj.spec_version !== '2.1') return done(false, 'only STIX 2.1 objects are accepted');
        // A platform syncing both ways posts back what it pulled: that is the incident, not a new one.
        const own = concordIncidentOf(obj);
        if (own) {
          // Posted beside SCOs and relationships, it is the incident they tie observables to (the
          // participant check is addObservables's, as for POST …/observables).
          reported.set(obj.id, own);
          return done(true, `Concord's own incident ${own} (as Concord exports it); nothing changed`);
        }
        const mapped = reportFromStix(obj, defaults);
        if (!mapped.ok) return done(false, mapped.reason);
        const checked = checkReport(mapped.input);
        if (!checked.ok) return done(false, checked.reason);
        try {
          const { created, incident } = await incidents.report(caller, checked.input);
          reported.set(obj.id, incident.id);
          return done(true, created ? `reported as ${incident.id}` : `already reported as ${incident.id}; nothing changed`);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          return done(false, err.message);
        }
      };
      /** Posted STIX incident id → the Concord incident it is; SCO id → its observable (canonical). */
      const reported = new Map<string, string>();
      const observables = new Map<string, Observable>();
      // Several reports at once, so a full envelope is judged well within the function's time.
      const outcomes = await inPool(objects, REPORTS_AT_ONCE, judge);
      // Then the relationships, once the envelope's incidents are reported and its SCOs read: each
      // incident's observables added in one command.
      const wanted = new Map<string, Array<{ index: number; sco: string; observable: Observable }>>();
      objects.forEach((obj, index) => {
        if (obj.type !== 'relationship') return;
        const fail = (message: string) => { outcomes[index] = { ok: false, detail: { ...outcomes[index]!.detail, message: escapeBidi(message) } }; };
        if (obj.relationship_type !== 'related-to') return fail('Concord takes related-to relationships between an incident and an observable');
        const [a, b] = [String(obj.source_ref ?? ''), String(obj.target_ref ?? '')];
        const incidentRef = reported.has(a) ? a : reported.has(b) ? b : undefined;
        const scoRef = observables.has(a) ? a : observables.has(b) ? b : undefined;
        if (!incidentRef || !scoRef) return fail('a relationship must tie an incident of this envelope (reported, or reported before) to an observable of this envelope that Concord records');
        const id = reported.get(incidentRef)!;
        if (!wanted.has(id)) wanted.set(id, []);
        wanted.get(id)!.push({ index, sco: scoRef, observable: observables.get(scoRef)! });
      });
      /** SCO id → the incidents it was added to. */
      const addedTo = new Map<string, string[]>();
      for (const [id, list] of wanted) {
        let message: string;
        let ok = true;
        try {
          await incidents.addObservables(caller, id, list.map((l) => l.observable));
          message = `the observable is on ${id}`;
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          ok = false;
          message = err.message;
        }
        for (const { index, sco } of list) {
          outcomes[index] = { ok, detail: { ...outcomes[index]!.detail, message: escapeBidi(message) } };
          if (ok) addedTo.set(sco, [...new Set([...(addedTo.get(sco) ?? []), id])]);
        }
      }
      objects.forEach((obj, index) => {
        const to = addedTo.get(obj.id);
        if (to && SCO_TYPES.has(obj.type)) outcomes[index] = { ok: true, detail: { ...outcomes[index]!.detail, message: `the observable, on ${to.join(', ')}` } };
      });
      const successes = outcomes.filter((o) => o.ok).map((o) => o.detail);
      const failures = outcomes.filter((o) => !o.ok).map((o) => o.detail);
      const status = fitStatus({
        id: randomUUID(),
        status: 'complete',
        request_timestamp: requestTimestamp,
        total_count: objects.length,
        success_count: successes.length,
        successes,
        failure_count: failures.length,
        failures,
        pending_count: 0,
        pendings: [],
      });
      await statuses.put(caller.orgId, status);
      return status;
    },

    /**
     * The incident as one STIX 2.1 bundle, for whoever may see it (404 otherwise), recorded as one
     * export. Notes that would take the bundle past maxAnswerBytes are left out, newest first, and
     * counted on the incident object (`x_concord_notes_omitted`); TAXII pages through all of them.
     */
    async exportBundle(caller: Caller, incidentId: string): Promise<{ type: 'bundle'; id: string; objects: StixObject[] }> {
      const reads = reader(caller, 'export');
      const incident = await reads.get(incidentId);
      const events = await reads.events(incident);
      const input: ExportInput = { incident, events, organizations: await organizationReader()(orgIdsOf(incident, events)), baseUrl: baseUrl() };
      const bundle = incidentBundle(input, maxAnswerBytes);
      await reads.record([incident]);
      return bundle;
    },
  };
}

export type TaxiiService = ReturnType<typeof makeTaxiiService>;
