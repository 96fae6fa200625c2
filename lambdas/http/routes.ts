/**
 * Every route of the API, declared once. The local server routes by it, the CDK stack creates the
 * API Gateway resources and functions from it, handlers take their schemas and roles from it, and
 * the OpenAPI document is generated from it.
 */
import type * as z from 'zod';
import type { Role } from '../domain/incident';
import * as s from './schemas';
import { GET_METRICS } from './metrics-route';
import { TAXII_ROUTES } from './taxii-routes';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec {
  operationId: string;
  method: Method;
  /** API Gateway style: `/v1/incidents/{id}`. */
  path: string;
  /** The file under `lambdas/handlers/` that serves it. */
  handler: string;
  /** `public` routes skip the authorizer; otherwise the roles allowed. */
  auth: 'public' | readonly Role[];
  body?: z.ZodType;
  /** Whether the body may be left out entirely (every field optional). */
  bodyOptional?: boolean;
  query?: z.ZodType;
  /**
   * The path parameters. A value that cannot name a resource is 404 (no such resource), except
   * on PUT, which creates the resource at that path: there it is 400 naming the parameter.
   */
  params?: z.ZodType<Record<string, string>>;
  /** Parse the body as JSON whatever its content type (SNS posts JSON as text/plain). */
  anyContentType?: boolean;
  /** Served by `npm start` only: a stand-in for something AWS does. */
  localOnly?: boolean;
  /** Answers HTML pages, errors included (the acknowledgement pages people open from emails). */
  html?: boolean;
  /** A TAXII 2.1 route: answers TAXII media types, and errors as TAXII error messages. */
  taxii?: boolean;
}

export const route = <const R extends RouteSpec>(r: R): R => r;

export const ROUTES = {
  health: route({ operationId: 'getHealth', method: 'GET', path: '/health', handler: 'get-health', auth: 'public' }),
  openapi: route({ operationId: 'getOpenApi', method: 'GET', path: '/openapi.json', handler: 'get-openapi', auth: 'public' }),
  reportIncident: route({ operationId: 'reportIncident', method: 'POST', path: '/v1/incidents', handler: 'report-incident', auth: ['partner'], body: s.ReportIncidentBody }),
  listIncidents: route({ operationId: 'listIncidents', method: 'GET', path: '/v1/incidents', handler: 'list-incidents', auth: ['partner', 'manager'], query: s.ListIncidentsQuery }),
  getIncident: route({ operationId: 'getIncident', method: 'GET', path: '/v1/incidents/{id}', handler: 'get-incident', auth: ['partner', 'manager'] }),
  acknowledgeIncident: route({ operationId: 'acknowledgeIncident', method: 'POST', path: '/v1/incidents/{id}/acknowledge', handler: 'acknowledge-incident', auth: ['partner'], body: s.AcknowledgeBody, bodyOptional: true }),
  assignIncident: route({ operationId: 'assignIncident', method: 'POST', path: '/v1/incidents/{id}/assign', handler: 'assign-incident', auth: ['partner'], body: s.AssignBody }),
  resolveIncident: route({ operationId: 'resolveIncident', method: 'POST', path: '/v1/incidents/{id}/resolve', handler: 'resolve-incident', auth: ['partner'], body: s.ResolveBody }),
  addNote: route({ operationId: 'addNote', method: 'POST', path: '/v1/incidents/{id}/notes', handler: 'add-note', auth: ['partner'], body: s.NoteBody }),
  getIncidentAudit: route({ operationId: 'getIncidentAudit', method: 'GET', path: '/v1/incidents/{id}/audit', handler: 'get-incident-audit', auth: ['partner', 'manager'], query: s.AuditQuery }),
  listAudit: route({ operationId: 'listAudit', method: 'GET', path: '/v1/audit', handler: 'list-audit', auth: ['admin'], query: s.AuditWindowQuery }),
  getTimeline: route({ operationId: 'getTimeline', method: 'GET', path: '/v1/incidents/{id}/timeline', handler: 'get-timeline', auth: ['partner', 'manager'], query: s.TimelineQuery }),
  putOrganization: route({ operationId: 'putOrganization', method: 'PUT', path: '/v1/organizations/{id}', handler: 'put-organization', auth: ['admin'], params: s.OrgParams, body: s.OrganizationBody }),
  listDirectory: route({ operationId: 'listDirectory', method: 'GET', path: '/v1/directory', handler: 'list-directory', auth: ['partner', 'manager', 'admin'] }),
  listOrganizations: route({ operationId: 'listOrganizations', method: 'GET', path: '/v1/organizations', handler: 'list-organizations', auth: ['admin', 'manager'] }),
  createKey: route({ operationId: 'createKey', method: 'POST', path: '/v1/organizations/{id}/keys', handler: 'create-key', auth: ['admin'], params: s.OrgParams, body: s.CreateKeyBody }),
  listKeys: route({ operationId: 'listKeys', method: 'GET', path: '/v1/organizations/{id}/keys', handler: 'list-keys', auth: ['admin'], params: s.OrgParams }),
  deleteKey: route({ operationId: 'deleteKey', method: 'DELETE', path: '/v1/keys/{keyId}', handler: 'delete-key', auth: ['admin'], params: s.KeyParams }),
  enqueueEvent: route({ operationId: 'enqueueEvent', method: 'POST', path: '/v2/enqueue', handler: 'enqueue-event', auth: 'public', body: s.PagerDutyEvent }),
  receiveCloudWatchAlarm: route({ operationId: 'receiveCloudWatchAlarm', method: 'POST', path: '/v1/integrations/cloudwatch/{routingKey}', handler: 'receive-cloudwatch-alarm', auth: 'public', body: s.SnsEnvelope, anyContentType: true }),
  getAckPage: route({ operationId: 'getAckPage', method: 'GET', path: '/v1/ack/{token}', handler: 'get-ack-page', auth: 'public', html: true }),
  postAck: route({ operationId: 'postAck', method: 'POST', path: '/v1/ack/{token}', handler: 'post-ack', auth: 'public', html: true }),
  replayNotifications: route({ operationId: 'replayNotifications', method: 'POST', path: '/v1/notifications/replay', handler: 'replay-notifications', auth: ['admin'], body: s.ReplayBody, bodyOptional: true }),
  getMetrics: GET_METRICS,
  appPage: route({ operationId: 'getApp', method: 'GET', path: '/app', handler: 'get-app', auth: 'public', query: s.AppQuery }),
  appAsset: route({ operationId: 'getAppAsset', method: 'GET', path: '/app/{asset}', handler: 'get-app', auth: 'public' }),
  consolePage: route({ operationId: 'getConsole', method: 'GET', path: '/console', handler: 'get-console', auth: 'public' }),
  consoleAsset: route({ operationId: 'getConsoleAsset', method: 'GET', path: '/console/{asset}', handler: 'get-console', auth: 'public' }),
} as const satisfies Record<string, RouteSpec>;

/**
 * The STIX export and TAXII routes are declared in taxii-routes.ts, so that only their functions
 * bundle their schemas: ALL_ROUTES is built by a call marked pure, which the bundler drops from
 * every function that does not use it (the handlers read ROUTES or TAXII_ROUTES only).
 */
export type RouteName = keyof typeof ROUTES | keyof typeof TAXII_ROUTES;
export const EVERY_ROUTE = /* @__PURE__ */ (() => ({ ...ROUTES, ...TAXII_ROUTES }) as Record<RouteName, RouteSpec>)();
export const ALL_ROUTES: readonly RouteSpec[] = /* @__PURE__ */ Object.values(EVERY_ROUTE);
