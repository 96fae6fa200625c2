/**
 * The TAXII 2.1 read routes (discovery, API root, collections, objects, manifest, versions,
 * status): one function, dispatched by the route the request matched. Each is one call of the
 * TAXII service (integrations/taxii-service.ts), answered as TAXII JSON.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { NotFoundError } from '../domain/errors';
import { API_ROOT, TAXII_MEDIA_TYPE, TAXII_PREFIX, taxiiError, taxiiHandler, taxiiJson } from '../http/taxii';
import type { Input } from '../http/handler';
import type { RouteSpec } from '../http/routes';
import { TAXII_ROUTES as ROUTES } from '../http/taxii-routes';
import { taxiiService as service } from '../wiring/taxii';

type R = typeof ROUTES;
const answer = (r: { body: unknown; headers: Record<string, string> }) => taxiiJson(200, r.body, r.headers);

export const discovery = async () => taxiiJson(200, (await service()).discovery(TAXII_PREFIX, API_ROOT));
export const apiRoot = async () => taxiiJson(200, (await service()).apiRoot([TAXII_MEDIA_TYPE]));
export const collections = async ({ caller }: Input<R['taxiiCollections']>) => taxiiJson(200, (await service()).collections(caller));
export const collection = async ({ caller, params }: Input<R['taxiiCollection']>) => taxiiJson(200, (await service()).collection(caller, params.collectionId!));
export const objects = async ({ caller, params, query }: Input<R['taxiiObjects']>) => answer(await (await service()).objects(caller, params.collectionId!, query));
export const manifest = async ({ caller, params, query }: Input<R['taxiiManifest']>) => answer(await (await service()).manifest(caller, params.collectionId!, query));
export const object = async ({ caller, params, query }: Input<R['taxiiObject']>) => answer(await (await service()).object(caller, params.collectionId!, params.objectId!, query));
export const versions = async ({ caller, params, query }: Input<R['taxiiObjectVersions']>) => answer(await (await service()).versions(caller, params.collectionId!, params.objectId!, query));
export const status = async ({ caller, params }: Input<R['taxiiStatus']>) => taxiiJson(200, await (await service()).status(caller, params.statusId!));

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
