/**
 * On call's JSON routes (schedules, shifts, who is on call, feed tokens, escalation policies): one
 * function, dispatched by the route the request matched, each route one call of the on-call use
 * cases (domain/oncall/service.ts). Changes are admin actions, each audited.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { NotFoundError } from '../domain/errors';
import type { ScheduleView } from '../domain/oncall/service';
import { httpHandler, toProblem, type Input } from '../http/handler';
import { json, noContent } from '../http/responses';
import * as ROUTES from '../http/route-table';
import type { RouteSpec } from '../http/routes';
import { ENV, required } from '../config/env';
import { adapters } from '../wiring/adapters';
import { adminAction } from '../wiring/audit';
import { onCall } from '../wiring/oncall';

const base = (orgId: string, id: string) => `/v1/organizations/${orgId}/schedules/${id}`;

/** The schedule as answered: `calendarUrl` carries the feed token, never shown on its own. */
function answer({ feedToken, ...schedule }: ScheduleView) {
  const publicBase = required(adapters().config, 'publicBaseUrl', ENV.publicBaseUrl);
  return { ...schedule, calendarUrl: `${publicBase}${base(schedule.orgId, schedule.id)}/calendar.ics?token=${feedToken}` };
}

export const listSchedules = async ({ caller, params }: Input<typeof ROUTES.listSchedules>) =>
  json(200, { items: (await (await onCall()).listSchedules(caller, params.id!)).map(answer) });

export async function putSchedule({ caller, params, body }: Input<typeof ROUTES.putSchedule>) {
  const { id, scheduleId } = params as { id: string; scheduleId: string };
  const service = await onCall();
  const { created, schedule } = await adminAction(caller, 'schedule.put', `schedule ${scheduleId} of ${id}`, (allowed) => service.putSchedule(caller, id, scheduleId, body, allowed));
  return json(created ? 201 : 200, answer(schedule), created ? { location: base(id, scheduleId) } : {});
}

export const getSchedule = async ({ caller, params }: Input<typeof ROUTES.getSchedule>) =>
  json(200, answer(await (await onCall()).getSchedule(caller, params.id!, params.scheduleId!)));

export async function deleteSchedule({ caller, params }: Input<typeof ROUTES.deleteSchedule>) {
  const { id, scheduleId } = params as { id: string; scheduleId: string };
  const service = await onCall();
  await adminAction(caller, 'schedule.delete', `schedule ${scheduleId} of ${id}`, (allowed) => service.deleteSchedule(caller, id, scheduleId, allowed));
  return noContent();
}

export async function rotateFeedToken({ caller, params }: Input<typeof ROUTES.rotateFeedToken>) {
  const { id, scheduleId } = params as { id: string; scheduleId: string };
  const service = await onCall();
  return json(200, answer(await adminAction(caller, 'schedule.feed_token', `calendar feed of schedule ${scheduleId} of ${id}`, (allowed) => service.rotateFeedToken(caller, id, scheduleId, allowed))));
}

export async function addOverride({ caller, params, body }: Input<typeof ROUTES.addOverride>) {
  const { id, scheduleId } = params as { id: string; scheduleId: string };
  const service = await onCall();
  const schedule = await adminAction(caller, 'schedule.override', `override of schedule ${scheduleId} of ${id} (${body.contact ?? 'the caller'}, ${body.from} to ${body.to})`, (allowed) => service.addOverride(caller, id, scheduleId, body, allowed));
  return json(201, answer(schedule), { location: base(id, scheduleId) });
}

export const getShifts = async ({ caller, params, query }: Input<typeof ROUTES.getShifts>) =>
  json(200, { items: await (await onCall()).shifts(caller, params.id!, params.scheduleId!, new Date(query.from), new Date(query.to)) });

export const getOnCall = async ({ caller, params, query }: Input<typeof ROUTES.getOnCall>) =>
  json(200, await (await onCall()).onCall(caller, params.id!, params.scheduleId!, query.at ? new Date(query.at) : undefined));

export async function putEscalationPolicy({ caller, params, body }: Input<typeof ROUTES.putEscalationPolicy>) {
  const id = params.id!;
  const service = await onCall();
  const stored = await adminAction(caller, 'escalation.put', `escalation policy of ${id}`, (allowed) => service.putPolicy(caller, id, body, allowed));
  return json(200, { orgId: stored.orgId, ...stored.policy, repeat: stored.policy.repeat ?? 0, updatedAt: stored.updatedAt });
}

export async function getEscalationPolicy({ caller, params }: Input<typeof ROUTES.getEscalationPolicy>) {
  const stored = await (await onCall()).getPolicy(caller, params.id!);
  return json(200, { orgId: stored.orgId, ...stored.policy, repeat: stored.policy.repeat ?? 0, updatedAt: stored.updatedAt });
}

type Proxy = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const BY_ROUTE: Array<[RouteSpec, Proxy]> = [
  [ROUTES.listSchedules, httpHandler(ROUTES.listSchedules, listSchedules)],
  [ROUTES.putSchedule, httpHandler(ROUTES.putSchedule, putSchedule)],
  [ROUTES.getSchedule, httpHandler(ROUTES.getSchedule, getSchedule)],
  [ROUTES.deleteSchedule, httpHandler(ROUTES.deleteSchedule, deleteSchedule)],
  [ROUTES.rotateFeedToken, httpHandler(ROUTES.rotateFeedToken, rotateFeedToken)],
  [ROUTES.addOverride, httpHandler(ROUTES.addOverride, addOverride)],
  [ROUTES.getShifts, httpHandler(ROUTES.getShifts, getShifts)],
  [ROUTES.getOnCall, httpHandler(ROUTES.getOnCall, getOnCall)],
  [ROUTES.putEscalationPolicy, httpHandler(ROUTES.putEscalationPolicy, putEscalationPolicy)],
  [ROUTES.getEscalationPolicy, httpHandler(ROUTES.getEscalationPolicy, getEscalationPolicy)],
];

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const found = BY_ROUTE.find(([spec]) => spec.path === event.resource && spec.method === event.httpMethod);
  if (!found) return toProblem(new NotFoundError(`No on-call resource at ${String(event.path ?? '').slice(0, 200)}.`), event.requestContext?.requestId ?? 'unknown');
  return found[1](event, context);
}
