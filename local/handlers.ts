/** Every API function by its manifest name (lambdas/functions.ts): the local server routes to exactly what Lambda runs. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ApiFunctionName } from '../lambdas/functions';
import * as acknowledgeIncident from '../lambdas/handlers/acknowledge-incident';
import * as addNote from '../lambdas/handlers/add-note';
import * as assignIncident from '../lambdas/handlers/assign-incident';
import * as createKey from '../lambdas/handlers/create-key';
import * as deleteKey from '../lambdas/handlers/delete-key';
import * as enqueueEvent from '../lambdas/handlers/enqueue-event';
import * as getApp from '../lambdas/handlers/get-app';
import * as getAckPage from '../lambdas/handlers/get-ack-page';
import * as getConsole from '../lambdas/handlers/get-console';
import * as getHealth from '../lambdas/handlers/get-health';
import * as getMetrics from '../lambdas/handlers/get-metrics';
import * as getIncident from '../lambdas/handlers/get-incident';
import * as getIncidentAudit from '../lambdas/handlers/get-incident-audit';
import * as getIncidentStix from '../lambdas/handlers/get-incident-stix';
import * as getOpenApi from '../lambdas/handlers/get-openapi';
import * as getTimeline from '../lambdas/handlers/get-timeline';
import * as listAudit from '../lambdas/handlers/list-audit';
import * as listIncidents from '../lambdas/handlers/list-incidents';
import * as listDirectory from '../lambdas/handlers/list-directory';
import * as listKeys from '../lambdas/handlers/list-keys';
import * as listOrganizations from '../lambdas/handlers/list-organizations';
import * as postAck from '../lambdas/handlers/post-ack';
import * as putOrganization from '../lambdas/handlers/put-organization';
import * as receiveSlack from '../lambdas/handlers/receive-slack';
import * as receiveCloudWatchAlarm from '../lambdas/handlers/receive-cloudwatch-alarm';
import * as replayNotifications from '../lambdas/handlers/replay-notifications';
import * as reportIncident from '../lambdas/handlers/report-incident';
import * as resolveIncident from '../lambdas/handlers/resolve-incident';
import * as inviteParticipants from '../lambdas/handlers/invite-participants';
import * as editIncident from '../lambdas/handlers/edit-incident';
import * as reopenIncident from '../lambdas/handlers/reopen-incident';
import * as postStatusUpdate from '../lambdas/handlers/post-status-update';
import * as linkIncident from '../lambdas/handlers/link-incident';
import * as unlinkIncident from '../lambdas/handlers/unlink-incident';
import * as taxii from '../lambdas/handlers/taxii';
import * as schedules from '../lambdas/handlers/schedules';
import * as getScheduleCalendar from '../lambdas/handlers/get-schedule-calendar';
import * as taxiiAddObjects from '../lambdas/handlers/taxii-add-objects';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export const HANDLERS: Record<ApiFunctionName, ProxyHandler> = {
  'acknowledge-incident': acknowledgeIncident.handler,
  schedules: schedules.handler,
  'get-schedule-calendar': getScheduleCalendar.handler,
  'invite-participants': inviteParticipants.handler,
  'edit-incident': editIncident.handler,
  'reopen-incident': reopenIncident.handler,
  'post-status-update': postStatusUpdate.handler,
  'link-incident': linkIncident.handler,
  'unlink-incident': unlinkIncident.handler,
  'add-note': addNote.handler,
  'assign-incident': assignIncident.handler,
  'create-key': createKey.handler,
  'delete-key': deleteKey.handler,
  'enqueue-event': enqueueEvent.handler,
  'get-ack-page': getAckPage.handler,
  'get-app': getApp.handler,
  'get-console': getConsole.handler,
  'get-health': getHealth.handler,
  'get-incident': getIncident.handler,
  'get-incident-audit': getIncidentAudit.handler,
  'get-incident-stix': getIncidentStix.handler,
  'get-metrics': getMetrics.handler,
  'get-openapi': getOpenApi.handler,
  'get-timeline': getTimeline.handler,
  'list-audit': listAudit.handler,
  'list-incidents': listIncidents.handler,
  'list-directory': listDirectory.handler,
  'list-keys': listKeys.handler,
  'list-organizations': listOrganizations.handler,
  'post-ack': postAck.handler,
  'put-organization': putOrganization.handler,
  'receive-slack': receiveSlack.handler,
  'receive-cloudwatch-alarm': receiveCloudWatchAlarm.handler,
  'replay-notifications': replayNotifications.handler,
  'report-incident': reportIncident.handler,
  'resolve-incident': resolveIncident.handler,
  taxii: taxii.handler,
  'taxii-add-objects': taxiiAddObjects.handler,
};
