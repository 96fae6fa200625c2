/**
 * The STIX export and TAXII 2.1 routes, part of the route table (routes.ts spreads them into
 * EVERY_ROUTE and ALL_ROUTES) but declared here, behind a call marked pure, so that the other
 * functions do not bundle them or their schemas.
 */
import type { RouteSpec } from './route-spec';
import { TAXII_SCHEMAS as t } from './taxii-schemas';

const spec = <const R extends RouteSpec>(r: R): R => r;
const TAXII_ROOT = '/taxii2/concord';
const COLLECTION = `${TAXII_ROOT}/collections/{collectionId}`;

export const TAXII_ROUTES = /* @__PURE__ */ (() => ({
  getIncidentStix: spec({ operationId: 'getIncidentStix', method: 'GET', path: '/v1/incidents/{id}/stix', handler: 'get-incident-stix', auth: ['partner', 'manager'] }),
  taxiiDiscovery: spec({ operationId: 'taxiiDiscovery', method: 'GET', path: '/taxii2/', handler: 'taxii', auth: ['partner', 'manager', 'admin'], taxii: true }),
  taxiiApiRoot: spec({ operationId: 'taxiiApiRoot', method: 'GET', path: `${TAXII_ROOT}/`, handler: 'taxii', auth: ['partner', 'manager', 'admin'], taxii: true }),
  taxiiCollections: spec({ operationId: 'taxiiCollections', method: 'GET', path: `${TAXII_ROOT}/collections/`, handler: 'taxii', auth: ['partner', 'manager'], taxii: true }),
  taxiiCollection: spec({ operationId: 'taxiiCollection', method: 'GET', path: `${COLLECTION}/`, handler: 'taxii', auth: ['partner', 'manager'], params: t.CollectionParams, taxii: true }),
  taxiiObjects: spec({ operationId: 'taxiiObjects', method: 'GET', path: `${COLLECTION}/objects/`, handler: 'taxii', auth: ['partner', 'manager'], params: t.CollectionParams, query: t.ObjectsQuery, taxii: true }),
  taxiiAddObjects: spec({ operationId: 'taxiiAddObjects', method: 'POST', path: `${COLLECTION}/objects/`, handler: 'taxii-add-objects', auth: ['partner'], params: t.CollectionParams, body: t.Envelope, taxii: true }),
  taxiiObject: spec({ operationId: 'taxiiObject', method: 'GET', path: `${COLLECTION}/objects/{objectId}/`, handler: 'taxii', auth: ['partner', 'manager'], params: t.ObjectParams, query: t.ObjectQuery, taxii: true }),
  taxiiObjectVersions: spec({ operationId: 'taxiiObjectVersions', method: 'GET', path: `${COLLECTION}/objects/{objectId}/versions/`, handler: 'taxii', auth: ['partner', 'manager'], params: t.ObjectParams, query: t.VersionsQuery, taxii: true }),
  taxiiManifest: spec({ operationId: 'taxiiManifest', method: 'GET', path: `${COLLECTION}/manifest/`, handler: 'taxii', auth: ['partner', 'manager'], params: t.CollectionParams, query: t.ObjectsQuery, taxii: true }),
  taxiiStatus: spec({ operationId: 'taxiiStatus', method: 'GET', path: `${TAXII_ROOT}/status/{statusId}/`, handler: 'taxii', auth: ['partner', 'manager'], params: t.StatusParams, taxii: true }),
}) as const satisfies Record<string, RouteSpec>)();
