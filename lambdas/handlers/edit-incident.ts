import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { header } from '../http/request';
import { incidentJson } from '../http/responses';
import { ValidationError } from '../domain/errors';
import type { EditPatch } from '../domain/incident';
import * as ROUTES from '../http/route-table';

/** `If-Match: "<version>"` (or `*`): the version the caller's change is based on; undefined when absent or `*`. */
export function ifMatchVersion(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '*') return undefined;
  const match = /^\s*"([1-9][0-9]{0,8})"\s*$/.exec(value);
  if (!match) throw new ValidationError('If-Match must be the incident\'s version as its ETag shows it, such as "3".', [{ path: 'If-Match', message: 'is not a version such as "3"' }]);
  return Number(match[1]);
}

export async function editIncident({ caller, params, body }: Input<typeof ROUTES.editIncident>, event: APIGatewayProxyEvent) {
  const ifMatch = ifMatchVersion(header(event, 'if-match'));
  const { incidents } = await container();
  // The schema refused null for the fields that may not be removed.
  return incidentJson(200, await incidents.edit(caller, params.id!, body as EditPatch, ifMatch));
}

/** Observables are the incident's too: adding them is served by this function (one less in the stack). */
export async function addObservables({ caller, params, body }: Input<typeof ROUTES.addObservables>) {
  const { incidents } = await container();
  return incidentJson(200, await incidents.addObservables(caller, params.id!, body.observables));
}

const edit = httpHandler(ROUTES.editIncident, editIncident);
const add = httpHandler(ROUTES.addObservables, addObservables);

/** PATCH /v1/incidents/{id} and POST /v1/incidents/{id}/observables, by the route the request matched. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  return (event.resource === ROUTES.addObservables.path ? add : edit)(event, context);
}
