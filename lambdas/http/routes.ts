/**
 * Every route of the API, declared once. The local server routes by it, the CDK stack creates the
 * API Gateway resources and functions from it, handlers take their schemas and roles from it, and
 * the OpenAPI document is generated from it.
 */
import type { RouteSpec } from './route-spec';
import * as ROUTES from './route-table';
import { TAXII_ROUTES } from './taxii-routes';

export * from './route-spec';
export { ROUTES };

/**
 * The STIX export and TAXII routes are declared in taxii-routes.ts, so that only their functions
 * bundle their schemas: ALL_ROUTES is built by a call marked pure, which the bundler drops from
 * every function that does not use it (the handlers read ROUTES or TAXII_ROUTES only).
 */
export type RouteName = keyof typeof ROUTES | keyof typeof TAXII_ROUTES;
export const EVERY_ROUTE = /* @__PURE__ */ (() => ({ ...ROUTES, ...TAXII_ROUTES }) as Record<RouteName, RouteSpec>)();
export const ALL_ROUTES: readonly RouteSpec[] = /* @__PURE__ */ Object.values(EVERY_ROUTE);
