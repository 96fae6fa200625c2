/**
 * Every route of the API, declared once. The local server routes by it, the CDK stack creates the
 * API Gateway resources and functions from it, handlers take their schemas and roles from it, and
 * the OpenAPI document is generated from it.
 */
import type { z } from 'zod';
import type { Role } from '../domain/incident';
import * as s from './schemas';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ResponseSpec { description: string; schema?: z.ZodType; contentType?: string }

export interface RouteSpec {
  operationId: string;
  method: Method;
  /** API Gateway style: `/v1/incidents/{id}`. */
  path: string;
  /** The file under `lambdas/handlers/` that serves it. */
  handler: string;
  /** `public` routes skip the authorizer; otherwise the roles allowed. */
  auth: 'public' | readonly Role[];
  summary: string;
  description?: string;
  body?: z.ZodType;
  /** Whether the body may be left out entirely (every field optional). */
  bodyOptional?: boolean;
  query?: z.ZodType;
  responses: Record<number, ResponseSpec>;
  /** Parse the body as JSON whatever its content type (SNS posts JSON as text/plain). */
  anyContentType?: boolean;
  /** Served by `npm start` only: a stand-in for something AWS does. */
  localOnly?: boolean;
}

const route = <const R extends RouteSpec>(r: R): R => r;

const incident = { description: 'The incident.', schema: s.Incident };

export const ROUTES = {
  health: route({
    operationId: 'getHealth', method: 'GET', path: '/health', handler: 'get-health', auth: 'public',
    summary: 'Liveness check.', responses: { 200: { description: 'The service answers.', schema: s.Health } },
  }),
  openapi: route({
    operationId: 'getOpenApi', method: 'GET', path: '/openapi.json', handler: 'get-openapi', auth: 'public',
    summary: 'This document.', responses: { 200: { description: 'The OpenAPI 3.1 document.' } },
  }),
  reportIncident: route({
    operationId: 'reportIncident', method: 'POST', path: '/v1/incidents', handler: 'report-incident', auth: ['partner'],
    summary: 'Report an incident.',
    description: 'Creates an incident reported by the caller\'s organization, which always participates. With a `dedupKey` that your organization used for an incident that is not resolved yet, nothing is created and that incident is returned with 200.',
    body: s.ReportIncidentBody,
    responses: { 201: { description: 'Created; `location` names it.', schema: s.Incident }, 200: { description: 'An unresolved incident with the same dedupKey already exists: it is returned unchanged.', schema: s.Incident } },
  }),
  listIncidents: route({
    operationId: 'listIncidents', method: 'GET', path: '/v1/incidents', handler: 'list-incidents', auth: ['partner', 'manager'],
    summary: 'List the incidents you may see, newest first.',
    description: 'Partners see incidents their organization participates in; managers also see every incident not labelled RED or AMBER+STRICT. Unknown query parameters are rejected. `cursor` is opaque and signed: a changed cursor is a 400.',
    query: s.ListIncidentsQuery,
    responses: { 200: { description: 'A page of incidents.', schema: s.IncidentPage } },
  }),
  getIncident: route({
    operationId: 'getIncident', method: 'GET', path: '/v1/incidents/{id}', handler: 'get-incident', auth: ['partner', 'manager'],
    summary: 'Get an incident.', responses: { 200: incident },
  }),
  acknowledgeIncident: route({
    operationId: 'acknowledgeIncident', method: 'POST', path: '/v1/incidents/{id}/acknowledge', handler: 'acknowledge-incident', auth: ['partner'],
    summary: 'Acknowledge for your organization.',
    description: 'One acknowledgement per organization; the first sets `acknowledgedAt`. Acknowledging again is a no-op 200. The body may be empty.',
    body: s.AcknowledgeBody, bodyOptional: true, responses: { 200: incident },
  }),
  assignIncident: route({
    operationId: 'assignIncident', method: 'POST', path: '/v1/incidents/{id}/assign', handler: 'assign-incident', auth: ['partner'],
    summary: 'Assign the incident to a participant organization.',
    description: 'The assignee must be a participant (400 otherwise). Reassigning is allowed.',
    body: s.AssignBody, responses: { 200: incident },
  }),
  resolveIncident: route({
    operationId: 'resolveIncident', method: 'POST', path: '/v1/incidents/{id}/resolve', handler: 'resolve-incident', auth: ['partner'],
    summary: 'Resolve the incident.', description: 'Resolving twice is a 409.',
    body: s.ResolveBody, responses: { 200: incident },
  }),
  addNote: route({
    operationId: 'addNote', method: 'POST', path: '/v1/incidents/{id}/notes', handler: 'add-note', auth: ['partner'],
    summary: 'Add a note to the timeline.', description: 'Allowed in every status, resolved included.',
    body: s.NoteBody, responses: { 201: { description: 'The timeline event.', schema: s.TimelineEvent } },
  }),
  getTimeline: route({
    operationId: 'getTimeline', method: 'GET', path: '/v1/incidents/{id}/timeline', handler: 'get-timeline', auth: ['partner', 'manager'],
    summary: 'The incident\'s timeline, oldest first.', responses: { 200: { description: 'Every event.', schema: s.Timeline } },
  }),
  putOrganization: route({
    operationId: 'putOrganization', method: 'PUT', path: '/v1/organizations/{id}', handler: 'put-organization', auth: ['admin'],
    summary: 'Create or replace an organization.',
    body: s.OrganizationBody,
    responses: { 201: { description: 'Created.', schema: s.Organization }, 200: { description: 'Replaced (or unchanged).', schema: s.Organization } },
  }),
  listOrganizations: route({
    operationId: 'listOrganizations', method: 'GET', path: '/v1/organizations', handler: 'list-organizations', auth: ['admin', 'manager'],
    summary: 'The directory, without secrets.', responses: { 200: { description: 'Every organization.', schema: s.OrganizationList } },
  }),
  createKey: route({
    operationId: 'createKey', method: 'POST', path: '/v1/organizations/{id}/keys', handler: 'create-key', auth: ['admin'],
    summary: 'Create an API key for an organization.',
    body: s.CreateKeyBody, responses: { 201: { description: 'The key, shown only this once.', schema: s.CreatedKey } },
  }),
  deleteKey: route({
    operationId: 'deleteKey', method: 'DELETE', path: '/v1/keys/{keyId}', handler: 'delete-key', auth: ['admin'],
    summary: 'Revoke an API key.', description: 'Locally the key stops working at once; behind API Gateway within the authorizer cache time (at most 60 s).',
    responses: { 204: { description: 'Revoked.' } },
  }),
  enqueueEvent: route({
    operationId: 'enqueueEvent', method: 'POST', path: '/v2/enqueue', handler: 'enqueue-event', auth: 'public',
    summary: 'PagerDuty Events API v2: trigger, acknowledge or resolve.',
    description: 'Point a tool\'s PagerDuty URL here. `routing_key` is a partner key of the reporting organization; its defaults (participants, TLP) apply. Mapping: summary → title (cut at a word boundary to 200 characters; the full summary is the description), source → source, severity critical|error|warning|info → critical|high|medium|low, class → category when it names one of ours (else other), custom_details → details (PagerDuty fields under details.pagerduty), links → links. A trigger whose dedup_key names an open incident changes nothing; acknowledge and resolve of an unknown or resolved dedup_key are accepted and ignored. At most CONCORD_EVENTS_PER_MINUTE (default 300) events a minute per routing key, then 429 with retry-after. Unknown fields are ignored, as PagerDuty does. Errors use PagerDuty\'s shape, not problem documents; an unknown, revoked or non-partner routing key is answered exactly like any other invalid event.',
    body: s.PagerDutyEvent,
    responses: {
      202: { description: 'Accepted.', schema: s.PagerDutyAccepted },
      400: { description: 'Invalid event (or routing key).', schema: s.PagerDutyRejected },
      429: { description: 'Too many events for this routing key; see retry-after.', schema: s.PagerDutyRejected },
    },
  }),
  receiveCloudWatchAlarm: route({
    operationId: 'receiveCloudWatchAlarm', method: 'POST', path: '/v1/integrations/cloudwatch/{routingKey}', handler: 'receive-cloudwatch-alarm', auth: 'public',
    summary: 'Subscribe an SNS topic of CloudWatch alarms here.',
    description: 'An HTTPS endpoint for an SNS subscription; `routingKey` is a partner key, as for /v2/enqueue. The subscription is confirmed automatically. Every message\'s signature is verified against its signing certificate, fetched only from an sns.<region>.amazonaws.com host over HTTPS. ALARM triggers an incident and OK resolves it, deduplicated by the alarm ARN; other states change nothing. A bad signature or routing key is 403.',
    body: s.SnsEnvelope, anyContentType: true,
    responses: { 200: { description: 'Processed (or deliberately ignored).' } },
  }),
  getAckPage: route({
    operationId: 'getAckPage', method: 'GET', path: '/v1/ack/{token}', handler: 'get-ack-page', auth: 'public',
    summary: 'The page behind an emailed acknowledgement link.',
    description: 'Names the incident and offers a button that POSTs. Never changes anything: mail scanners open links. An expired (24 h) or altered token is 403.',
    responses: { 200: { description: 'An HTML page.', contentType: 'text/html' }, 403: { description: 'Expired or altered link (HTML).', contentType: 'text/html' } },
  }),
  postAck: route({
    operationId: 'postAck', method: 'POST', path: '/v1/ack/{token}', handler: 'post-ack', auth: 'public',
    summary: 'Acknowledge through an emailed link.',
    description: 'Acknowledges as the token\'s organization, by its contact, `via: "email"`. A repeat answers 200 "already acknowledged"; a resolved incident 409; an expired or altered token 403. All answers are HTML.',
    responses: { 200: { description: 'Acknowledged, or already acknowledged (HTML).', contentType: 'text/html' }, 403: { description: 'Expired or altered link (HTML).', contentType: 'text/html' }, 409: { description: 'The incident is resolved (HTML).', contentType: 'text/html' } },
  }),
  replayNotifications: route({
    operationId: 'replayNotifications', method: 'POST', path: '/v1/notifications/replay', handler: 'replay-notifications', auth: ['admin'],
    summary: 'Publish again the notifications that failed after retries.',
    description: 'Each (event, organization) that has a `notification_failed` is published again; a success is recorded once as `notified`. Safe to run repeatedly.',
    body: s.ReplayBody, bodyOptional: true,
    responses: { 200: { description: 'What was replayed.', schema: s.ReplayResult } },
  }),
  getMetrics: route({
    operationId: 'getMetrics', method: 'GET', path: '/v1/metrics', handler: 'get-metrics', auth: ['manager'],
    summary: 'Response-time figures over a window of reportedAt.',
    description: 'Window [from, to) of `reportedAt`. Counts and means are exact; percentiles within 1 % relative error (DDSketch). Time to acknowledge = first acknowledgedAt − reportedAt; with groupBy=org, each organization\'s own acknowledgement; an incident counts in every participant\'s group. Figures are pre-aggregated in hour and day buckets as incidents change (a few seconds behind the commands); partial hours at the window\'s edges are computed from their incidents, so any window is exact. With `Accept: text/csv`, the same figures as CSV: a row for all incidents, then one per group.',
    query: s.MetricsQuery,
    responses: { 200: { description: 'The figures (JSON, or CSV on Accept: text/csv).', schema: s.MetricsAnswer } },
  }),
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;
export const ALL_ROUTES: readonly RouteSpec[] = Object.values(ROUTES);
