/**
 * The API's routes, one export each. Handlers read theirs as `ROUTES.<name>` through the namespace
 * routes.ts re-exports: every entry is a call marked pure, so a function's bundle keeps its own
 * route and schemas and drops the others (and the time to build them at cold start).
 */
import { route } from './route-spec';
import * as s from './schemas';
import * as oc from './oncall-schemas';
import { PagerDutyEvent } from '../integrations/pagerduty';
import { SnsEnvelope } from '../integrations/cloudwatch';

export const health = /* @__PURE__ */ route({ operationId: 'getHealth', method: 'GET', path: '/health', handler: 'get-health', auth: 'public' });
export const openapi = /* @__PURE__ */ route({ operationId: 'getOpenApi', method: 'GET', path: '/openapi.json', handler: 'get-openapi', auth: 'public' });
export const reportIncident = /* @__PURE__ */ route({ operationId: 'reportIncident', method: 'POST', path: '/v1/incidents', handler: 'report-incident', auth: ['partner'], body: s.ReportIncidentBody });
export const listIncidents = /* @__PURE__ */ route({ operationId: 'listIncidents', method: 'GET', path: '/v1/incidents', handler: 'list-incidents', auth: ['partner', 'manager'], query: s.ListIncidentsQuery });
export const getIncident = /* @__PURE__ */ route({ operationId: 'getIncident', method: 'GET', path: '/v1/incidents/{id}', handler: 'get-incident', auth: ['partner', 'manager'] });
export const acknowledgeIncident = /* @__PURE__ */ route({ operationId: 'acknowledgeIncident', method: 'POST', path: '/v1/incidents/{id}/acknowledge', handler: 'acknowledge-incident', auth: ['partner'], body: s.AcknowledgeBody, bodyOptional: true });
export const assignIncident = /* @__PURE__ */ route({ operationId: 'assignIncident', method: 'POST', path: '/v1/incidents/{id}/assign', handler: 'assign-incident', auth: ['partner'], body: s.AssignBody });
export const resolveIncident = /* @__PURE__ */ route({ operationId: 'resolveIncident', method: 'POST', path: '/v1/incidents/{id}/resolve', handler: 'resolve-incident', auth: ['partner'], body: s.ResolveBody });
export const addNote = /* @__PURE__ */ route({ operationId: 'addNote', method: 'POST', path: '/v1/incidents/{id}/notes', handler: 'add-note', auth: ['partner'], body: s.NoteBody });
export const inviteParticipants = /* @__PURE__ */ route({ operationId: 'inviteParticipants', method: 'POST', path: '/v1/incidents/{id}/participants', handler: 'invite-participants', auth: ['partner'], body: s.InviteBody });
export const editIncident = /* @__PURE__ */ route({ operationId: 'editIncident', method: 'PATCH', path: '/v1/incidents/{id}', handler: 'edit-incident', auth: ['partner'], body: s.EditBody });
export const reopenIncident = /* @__PURE__ */ route({ operationId: 'reopenIncident', method: 'POST', path: '/v1/incidents/{id}/reopen', handler: 'reopen-incident', auth: ['partner'], body: s.ReopenBody });
export const postStatusUpdate = /* @__PURE__ */ route({ operationId: 'postStatusUpdate', method: 'POST', path: '/v1/incidents/{id}/updates', handler: 'post-status-update', auth: ['partner'], body: s.StatusUpdateBody });
export const linkIncident = /* @__PURE__ */ route({ operationId: 'linkIncident', method: 'POST', path: '/v1/incidents/{id}/links', handler: 'link-incident', auth: ['partner'], body: s.LinkBody });
export const addObservables = /* @__PURE__ */ route({ operationId: 'addObservables', method: 'POST', path: '/v1/incidents/{id}/observables', handler: 'edit-incident', auth: ['partner'], body: s.AddObservablesBody });
export const getRelated = /* @__PURE__ */ route({ operationId: 'getRelated', method: 'GET', path: '/v1/incidents/{id}/related', handler: 'list-incidents', auth: ['partner', 'manager'], query: s.RelatedQuery });
export const lookupObservable = /* @__PURE__ */ route({ operationId: 'lookupObservable', method: 'GET', path: '/v1/observables', handler: 'list-incidents', auth: ['partner', 'manager'], query: s.ObservableLookupQuery });
export const unlinkIncident = /* @__PURE__ */ route({ operationId: 'unlinkIncident', method: 'DELETE', path: '/v1/incidents/{id}/links/{otherId}', handler: 'unlink-incident', auth: ['partner'], params: s.LinkParams });
export const getIncidentAudit = /* @__PURE__ */ route({ operationId: 'getIncidentAudit', method: 'GET', path: '/v1/incidents/{id}/audit', handler: 'get-incident-audit', auth: ['partner', 'manager'], query: s.AuditQuery });
export const listAudit = /* @__PURE__ */ route({ operationId: 'listAudit', method: 'GET', path: '/v1/audit', handler: 'list-audit', auth: ['admin'], query: s.AuditWindowQuery });
export const getTimeline = /* @__PURE__ */ route({ operationId: 'getTimeline', method: 'GET', path: '/v1/incidents/{id}/timeline', handler: 'get-timeline', auth: ['partner', 'manager'], query: s.TimelineQuery });
export const putOrganization = /* @__PURE__ */ route({ operationId: 'putOrganization', method: 'PUT', path: '/v1/organizations/{id}', handler: 'put-organization', auth: ['admin'], params: s.OrgParams, body: s.OrganizationBody });
export const listDirectory = /* @__PURE__ */ route({ operationId: 'listDirectory', method: 'GET', path: '/v1/directory', handler: 'list-directory', auth: ['partner', 'manager', 'admin'] });
export const listOrganizations = /* @__PURE__ */ route({ operationId: 'listOrganizations', method: 'GET', path: '/v1/organizations', handler: 'list-organizations', auth: ['admin', 'manager'] });
export const createKey = /* @__PURE__ */ route({ operationId: 'createKey', method: 'POST', path: '/v1/organizations/{id}/keys', handler: 'create-key', auth: ['admin'], params: s.OrgParams, body: s.CreateKeyBody });
export const listKeys = /* @__PURE__ */ route({ operationId: 'listKeys', method: 'GET', path: '/v1/organizations/{id}/keys', handler: 'list-keys', auth: ['admin'], params: s.OrgParams });
export const deleteKey = /* @__PURE__ */ route({ operationId: 'deleteKey', method: 'DELETE', path: '/v1/keys/{keyId}', handler: 'delete-key', auth: ['admin'], params: s.KeyParams });
// On call: one function (schedules) for the JSON routes, another for the calendar feed (it alone bundles ical-generator).
// Paths are written out, never built from a template: esbuild keeps a pure call whose argument holds
// a template literal (it may call toString), and with it every schema it names, in every bundle.
export const listSchedules = /* @__PURE__ */ route({ operationId: 'listSchedules', method: 'GET', path: '/v1/organizations/{id}/schedules', handler: 'schedules', auth: ['partner', 'manager', 'admin'], params: s.OrgParams });
export const putSchedule = /* @__PURE__ */ route({ operationId: 'putSchedule', method: 'PUT', path: '/v1/organizations/{id}/schedules/{scheduleId}', handler: 'schedules', auth: ['admin'], params: oc.OrgScheduleParams, body: oc.ScheduleBody });
export const getSchedule = /* @__PURE__ */ route({ operationId: 'getSchedule', method: 'GET', path: '/v1/organizations/{id}/schedules/{scheduleId}', handler: 'schedules', auth: ['partner', 'manager', 'admin'], params: oc.OrgScheduleParams });
export const deleteSchedule = /* @__PURE__ */ route({ operationId: 'deleteSchedule', method: 'DELETE', path: '/v1/organizations/{id}/schedules/{scheduleId}', handler: 'schedules', auth: ['admin'], params: oc.OrgScheduleParams });
export const rotateFeedToken = /* @__PURE__ */ route({ operationId: 'rotateFeedToken', method: 'POST', path: '/v1/organizations/{id}/schedules/{scheduleId}/feed-token', handler: 'schedules', auth: ['admin'], params: oc.OrgScheduleParams });
export const addOverride = /* @__PURE__ */ route({ operationId: 'addOverride', method: 'POST', path: '/v1/organizations/{id}/schedules/{scheduleId}/overrides', handler: 'schedules', auth: ['partner', 'manager', 'admin'], params: oc.OrgScheduleParams, body: oc.OverrideBody });
export const getShifts = /* @__PURE__ */ route({ operationId: 'getShifts', method: 'GET', path: '/v1/organizations/{id}/schedules/{scheduleId}/shifts', handler: 'schedules', auth: ['partner', 'manager', 'admin'], params: oc.OrgScheduleParams, query: oc.ShiftsQuery });
export const getOnCall = /* @__PURE__ */ route({ operationId: 'getOnCall', method: 'GET', path: '/v1/organizations/{id}/schedules/{scheduleId}/oncall', handler: 'schedules', auth: ['partner', 'manager', 'admin'], params: oc.OrgScheduleParams, query: oc.OnCallQuery });
export const getScheduleCalendar = /* @__PURE__ */ route({ operationId: 'getScheduleCalendar', method: 'GET', path: '/v1/organizations/{id}/schedules/{scheduleId}/calendar.ics', handler: 'get-schedule-calendar', auth: 'public', params: oc.OrgScheduleParams, query: oc.CalendarQuery });
export const putEscalationPolicy = /* @__PURE__ */ route({ operationId: 'putEscalationPolicy', method: 'PUT', path: '/v1/organizations/{id}/escalation', handler: 'schedules', auth: ['admin'], params: s.OrgParams, body: oc.EscalationBody });
export const getEscalationPolicy = /* @__PURE__ */ route({ operationId: 'getEscalationPolicy', method: 'GET', path: '/v1/organizations/{id}/escalation', handler: 'schedules', auth: ['partner', 'manager', 'admin'], params: s.OrgParams });
export const enqueueEvent = /* @__PURE__ */ route({ operationId: 'enqueueEvent', method: 'POST', path: '/v2/enqueue', handler: 'enqueue-event', auth: 'public', body: PagerDutyEvent });
export const receiveCloudWatchAlarm = /* @__PURE__ */ route({ operationId: 'receiveCloudWatchAlarm', method: 'POST', path: '/v1/integrations/cloudwatch/{routingKey}', handler: 'receive-cloudwatch-alarm', auth: 'public', body: SnsEnvelope, anyContentType: true });
export const putChat = /* @__PURE__ */ route({ operationId: 'putChat', method: 'PUT', path: '/v1/organizations/{id}/chat', handler: 'put-organization', auth: ['admin'], params: s.OrgParams, body: s.ChatBody });
export const slackInteractions = /* @__PURE__ */ route({ operationId: 'slackInteractions', method: 'POST', path: '/v1/integrations/slack/{orgId}/interactions', handler: 'receive-slack', auth: 'public', rawBody: true });
export const slackCommands = /* @__PURE__ */ route({ operationId: 'slackCommands', method: 'POST', path: '/v1/integrations/slack/{orgId}/commands', handler: 'receive-slack', auth: 'public', rawBody: true });
export const getAckPage = /* @__PURE__ */ route({ operationId: 'getAckPage', method: 'GET', path: '/v1/ack/{token}', handler: 'get-ack-page', auth: 'public', html: true });
export const postAck = /* @__PURE__ */ route({ operationId: 'postAck', method: 'POST', path: '/v1/ack/{token}', handler: 'post-ack', auth: 'public', html: true });
export const replayNotifications = /* @__PURE__ */ route({ operationId: 'replayNotifications', method: 'POST', path: '/v1/notifications/replay', handler: 'replay-notifications', auth: ['admin'], body: s.ReplayBody, bodyOptional: true });
export { GET_METRICS as getMetrics } from './metrics-route';
export const appPage = /* @__PURE__ */ route({ operationId: 'getApp', method: 'GET', path: '/app', handler: 'get-app', auth: 'public', query: s.AppQuery });
export const appAsset = /* @__PURE__ */ route({ operationId: 'getAppAsset', method: 'GET', path: '/app/{asset}', handler: 'get-app', auth: 'public' });
// The app's views are ES modules under views/: main.js imports them by relative URL.
export const appView = /* @__PURE__ */ route({ operationId: 'getAppView', method: 'GET', path: '/app/views/{view}', handler: 'get-app', auth: 'public' });
// API Gateway answers /app/ from the /app resource (a REST API ignores a trailing slash); npm start needs the route.
export const appSlash = /* @__PURE__ */ route({ operationId: 'getAppSlash', method: 'GET', path: '/app/', handler: 'get-app', auth: 'public', localOnly: true });
export const consolePage = /* @__PURE__ */ route({ operationId: 'getConsole', method: 'GET', path: '/console', handler: 'get-console', auth: 'public' });
export const consoleAsset = /* @__PURE__ */ route({ operationId: 'getConsoleAsset', method: 'GET', path: '/console/{asset}', handler: 'get-console', auth: 'public' });
