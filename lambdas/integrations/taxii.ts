/**
 * TAXII 2.1, the parts a read-mostly server needs, as pure functions over the STIX objects a caller
 * may read (stix.ts builds them from the incidents the use cases show the caller):
 * filtering (`added_after`, `match[id|type|version|spec_version]`), ordering by date added, paging
 * after a position, manifests, versions, and the status resource of an add-objects request.
 *
 * Concord keeps each incident's current state only, so every object has exactly one version (its
 * `modified`, or `created` for marking-definitions): `match[version]=first`, `last` and `all` select
 * that version, a timestamp selects objects whose version it is. An object's date added is when its
 * incident's current version was committed, by the commit clock (IncidentRecord.addedAt): commit
 * order, not the version's own time. So an incident changed while a client pages through the
 * collection moves to the end and is served again, as its new version — never skipped; and an
 * `added_after` poll never misses a version committed after one it saw, however writers raced.
 * The service (taxii-service.ts) reads the caller's whole view for each request, so a collection
 * holds every incident its caller may see.
 */
import { uuidv5, type StixObject } from './stix';

/** The collection of incidents (and the identities, notes and markings that come with them). */
export const INCIDENTS_COLLECTION_ID = uuidv5('taxii-collection:incidents');
export const MAX_PAGE = 100;
/** What POST …/objects/ accepts at most: the API's body limit (MAX_BODY_BYTES). */
export const MAX_CONTENT_LENGTH = 64 * 1024;

export interface Entry { object: StixObject; dateAdded: string }

export const versionOf = (o: StixObject) => String(o.modified ?? o.created);

export interface Filters {
  addedAfter?: string;
  ids?: readonly string[];
  types?: readonly string[];
  versions?: readonly string[];
  specVersions?: readonly string[];
}

const VERSION_KEYWORDS = new Set(['first', 'last', 'all']);

/**
 * The entries that pass the filters, one per object id, oldest date added first (then by id). An
 * object several incidents share (an identity, a marking) is added when the latest of them was.
 */
export function select(entries: readonly Entry[], f: Filters): Entry[] {
  const latest = new Map<string, Entry>();
  for (const e of entries) {
    const seen = latest.get(e.object.id);
    if (!seen || e.dateAdded > seen.dateAdded) latest.set(e.object.id, e);
  }
  const versions = f.versions?.some((v) => VERSION_KEYWORDS.has(v)) ? undefined : f.versions?.map((v) => new Date(v).toISOString());
  const out: Entry[] = [];
  for (const e of latest.values()) {
    if (f.addedAfter !== undefined && !(e.dateAdded > f.addedAfter)) continue;
    if (f.ids && !f.ids.includes(e.object.id)) continue;
    if (f.types && !f.types.includes(e.object.type)) continue;
    if (f.specVersions && !f.specVersions.includes('2.1')) continue;
    if (versions && !versions.includes(new Date(versionOf(e.object)).toISOString())) continue;
    out.push(e);
  }
  return out.sort((a, b) => (a.dateAdded < b.dateAdded ? -1 : a.dateAdded > b.dateAdded ? 1 : a.object.id < b.object.id ? -1 : a.object.id > b.object.id ? 1 : 0));
}

/** A paging position: the date added and id of the last entry served. */
export const positionOf = (e: Entry) => `${e.dateAdded} ${e.object.id}`;
export const POSITION_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z [a-z][a-z0-9-]*--[0-9a-f-]{36}$/;

/** At most `limit` entries after `after` (a position), and whether more follow. */
export function page(sorted: readonly Entry[], limit: number, after?: string): { items: Entry[]; more: boolean } {
  const rest = after === undefined ? sorted : sorted.filter((e) => positionOf(e) > after);
  return { items: rest.slice(0, limit), more: rest.length > limit };
}

/** The X-TAXII-Date-Added-First/Last headers of a page (none for an empty page). */
export function dateAddedHeaders(items: readonly Entry[]): Record<string, string> {
  if (!items.length) return {};
  return { 'x-taxii-date-added-first': items[0]!.dateAdded, 'x-taxii-date-added-last': items.at(-1)!.dateAdded };
}

export const manifestRecord = (e: Entry) => ({
  id: e.object.id, date_added: e.dateAdded, version: versionOf(e.object), media_type: 'application/stix+json;version=2.1',
});

/** A comma-separated TAXII match value as its list (empty members dropped). */
export const listOf = (value: string | undefined) => (value === undefined ? undefined : value.split(',').map((v) => v.trim()).filter(Boolean));

/** One object's outcome in a status resource (TAXII 2.1 §4.3.1). */
export interface StatusDetails { id: string; version?: string; message?: string }

export interface TaxiiStatus {
  id: string;
  status: 'complete' | 'pending';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  successes: StatusDetails[];
  failure_count: number;
  failures: StatusDetails[];
  pending_count: number;
  pendings: StatusDetails[];
}

/** A status is kept as one item, and DynamoDB holds 400 KB an item: what a status may take, with room to spare. */
export const STATUS_BYTES = 350_000;

/**
 * The status with its messages shortened, halving their length until it fits in STATUS_BYTES
 * (ids and versions are never cut; a 64 KiB envelope's own ids bound them). A full envelope of
 * failures each explained at length would otherwise not be kept, and its answer lost.
 */
export function fitStatus(status: TaxiiStatus): TaxiiStatus {
  let fitted = status;
  for (let cap = 1000; Buffer.byteLength(JSON.stringify(fitted)) > STATUS_BYTES && cap >= 16; cap = Math.floor(cap / 2)) {
    const cut = (d: StatusDetails): StatusDetails => (d.message && d.message.length > cap ? { ...d, message: `${d.message.slice(0, cap - 1)}…` } : d);
    fitted = { ...status, successes: status.successes.map(cut), failures: status.failures.map(cut), pendings: status.pendings.map(cut) };
  }
  return fitted;
}

/** Where status resources are kept, for the organization that posted, for a while. */
export interface StatusStore {
  put(orgId: string, status: TaxiiStatus): Promise<void>;
  /** The status if `orgId` posted it (and it has not expired); null otherwise. */
  get(orgId: string, id: string): Promise<TaxiiStatus | null>;
}

/** How long a status resource can be read back. */
export const STATUS_TTL_SECONDS = 7 * 24 * 3600;
