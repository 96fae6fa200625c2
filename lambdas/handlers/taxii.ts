/**
 * The TAXII 2.1 read routes (discovery, API root, collections, objects, manifest, versions,
 * status): one function, dispatched by the route the request matched. Reads go through the
 * incident use cases (wiring/taxii.ts), so a caller sees through TAXII exactly what
 * `GET /v1/incidents` shows it.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { NotFoundError } from '../domain/errors';
import type { Caller } from '../domain/actor';
import {
  INCIDENTS_COLLECTION_ID, MAX_CONTENT_LENGTH, MAX_PAGE, POSITION_PATTERN, dateAddedHeaders, listOf, manifestRecord, page, positionOf, select, versionOf,
  type Entry, type Filters,
} from '../integrations/taxii';
import { STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE, taxiiError, taxiiHandler, taxiiJson, API_ROOT, TAXII_PREFIX } from '../http/taxii';
import type { Input } from '../http/handler';
import type { RouteSpec } from '../http/routes';
import { TAXII_ROUTES as ROUTES } from '../http/taxii-routes';
import { taxiiServices } from '../wiring/taxii';
import { cursors as cursorCodec } from '../wiring/secrets';

const collectionResource = (caller: Caller) => ({
  id: INCIDENTS_COLLECTION_ID,
  title: 'Concord incidents',
  description: 'The incidents you may see in Concord (exactly those GET /v1/incidents lists), as STIX 2.1: each incident with the Incident Core extension, its notes, the identities of the organizations involved and the TLP 2.0 marking-definitions. Partners may add incidents.',
  can_read: true,
  can_write: caller.role === 'partner',
  media_types: [STIX_MEDIA_TYPE],
});

function requireCollection(id: string): void {
  if (id !== INCIDENTS_COLLECTION_ID) throw new NotFoundError(`No collection ${id.slice(0, 64)}.`);
}

interface PagingQuery { added_after?: string; limit?: number; next?: string; 'match[spec_version]'?: string }

/** The filters of a query, and the listing a `next` is bound to (endpoint and exact filters). */
function filtersOf(query: PagingQuery & { 'match[id]'?: string; 'match[type]'?: string; 'match[version]'?: string }, extra: Partial<Filters> = {}): Filters {
  return {
    addedAfter: query.added_after === undefined ? undefined : new Date(query.added_after).toISOString(),
    ids: listOf(query['match[id]']),
    types: listOf(query['match[type]']),
    versions: listOf(query['match[version]']) ?? ['last'],
    specVersions: listOf(query['match[spec_version]']),
    ...extra,
  };
}

/** One page of `entries` for `caller`, continuing after `next` if given; `next` is signed and bound to the listing. */
async function pageOf(caller: Caller, listing: string, entries: Entry[], query: PagingQuery) {
  const cursors = await cursorCodec();
  const after = query.next === undefined ? undefined : cursors.decodeTaxii(query.next, caller, listing, (p) => POSITION_PATTERN.test(p));
  const limit = Math.min(query.limit ?? MAX_PAGE, MAX_PAGE);
  const { items, more } = page(entries, limit, after);
  const next = more ? cursors.encodeTaxii(positionOf(items.at(-1)!), caller, listing) : undefined;
  return { items, more, next, headers: dateAddedHeaders(items) };
}

const listingOf = (kind: string, query: object, extra = '') => JSON.stringify([kind, extra, Object.entries(query).filter(([k]) => k !== 'next' && k !== 'limit').sort()]);

export async function discovery() {
  const { baseUrl } = await taxiiServices();
  const root = `${baseUrl()}${TAXII_PREFIX}/${API_ROOT}/`;
  return taxiiJson(200, {
    title: 'Concord TAXII 2.1',
    description: 'Shared incidents as STIX 2.1. Authenticate with your Concord API key: Authorization: Bearer <key>, or HTTP Basic with the key as the password.',
    default: root,
    api_roots: [root],
  });
}

export async function apiRoot() {
  return taxiiJson(200, {
    title: 'Concord',
    description: 'Concord\'s incidents.',
    versions: [TAXII_MEDIA_TYPE],
    max_content_length: MAX_CONTENT_LENGTH,
  });
}

export async function collections({ caller }: Input<typeof ROUTES.taxiiCollections>) {
  return taxiiJson(200, { collections: [collectionResource(caller)] });
}

export async function collection({ caller, params }: Input<typeof ROUTES.taxiiCollection>) {
  requireCollection(params.collectionId!);
  return taxiiJson(200, collectionResource(caller));
}

export async function objects({ caller, params, query }: Input<typeof ROUTES.taxiiObjects>) {
  requireCollection(params.collectionId!);
  const entries = select(await (await taxiiServices()).collection(caller), filtersOf(query));
  const p = await pageOf(caller, listingOf('objects', query), entries, query);
  return taxiiJson(200, { more: p.more, ...(p.next ? { next: p.next } : {}), objects: p.items.map((e) => e.object) }, p.headers);
}

export async function manifest({ caller, params, query }: Input<typeof ROUTES.taxiiManifest>) {
  requireCollection(params.collectionId!);
  const entries = select(await (await taxiiServices()).collection(caller), filtersOf(query));
  const p = await pageOf(caller, listingOf('manifest', query), entries, query);
  return taxiiJson(200, { more: p.more, ...(p.next ? { next: p.next } : {}), objects: p.items.map(manifestRecord) }, p.headers);
}

/** The entries of one object the caller may read; none is a 404, exactly as for an absent object. */
async function objectEntries(caller: Caller, collectionId: string, objectId: string, filters: Filters): Promise<Entry[]> {
  requireCollection(collectionId);
  const all = select(await (await taxiiServices()).collection(caller), { ids: [objectId] });
  if (!all.length) throw new NotFoundError(`No object ${objectId} in this collection.`);
  return select(all, filters);
}

export async function object({ caller, params, query }: Input<typeof ROUTES.taxiiObject>) {
  const entries = await objectEntries(caller, params.collectionId!, params.objectId!, filtersOf(query, { ids: [params.objectId!] }));
  const p = await pageOf(caller, listingOf('object', query, params.objectId), entries, query);
  return taxiiJson(200, { more: p.more, ...(p.next ? { next: p.next } : {}), objects: p.items.map((e) => e.object) }, p.headers);
}

export async function versions({ caller, params, query }: Input<typeof ROUTES.taxiiObjectVersions>) {
  const entries = await objectEntries(caller, params.collectionId!, params.objectId!, filtersOf(query, { ids: [params.objectId!], versions: ['all'] }));
  const p = await pageOf(caller, listingOf('versions', query, params.objectId), entries, query);
  return taxiiJson(200, { more: p.more, ...(p.next ? { next: p.next } : {}), versions: p.items.map((e) => versionOf(e.object)) }, p.headers);
}

export async function status({ caller, params }: Input<typeof ROUTES.taxiiStatus>) {
  const found = await (await taxiiServices()).statuses.get(caller.orgId, params.statusId!);
  if (!found) throw new NotFoundError(`No status ${params.statusId}.`);
  return taxiiJson(200, found);
}

type Proxy = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const BY_ROUTE: Array<[RouteSpec, Proxy]> = [
  [ROUTES.taxiiDiscovery, taxiiHandler(ROUTES.taxiiDiscovery, discovery)],
  [ROUTES.taxiiApiRoot, taxiiHandler(ROUTES.taxiiApiRoot, apiRoot)],
  [ROUTES.taxiiCollections, taxiiHandler(ROUTES.taxiiCollections, collections)],
  [ROUTES.taxiiCollection, taxiiHandler(ROUTES.taxiiCollection, collection)],
  [ROUTES.taxiiObjects, taxiiHandler(ROUTES.taxiiObjects, objects)],
  [ROUTES.taxiiObject, taxiiHandler(ROUTES.taxiiObject, object)],
  [ROUTES.taxiiObjectVersions, taxiiHandler(ROUTES.taxiiObjectVersions, versions)],
  [ROUTES.taxiiManifest, taxiiHandler(ROUTES.taxiiManifest, manifest)],
  [ROUTES.taxiiStatus, taxiiHandler(ROUTES.taxiiStatus, status)],
];

/** API Gateway names the resource without its trailing slash; the local server as the route table writes it. */
const bare = (path: string) => path.replace(/\/+$/, '');

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const found = BY_ROUTE.find(([spec]) => bare(spec.path) === bare(event.resource ?? ''));
  if (!found) return taxiiError(new NotFoundError(`No TAXII resource at ${String(event.path ?? '').slice(0, 200)}.`), event.requestContext?.requestId ?? 'unknown');
  return found[1](event, context);
}
