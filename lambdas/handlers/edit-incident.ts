import type { APIGatewayProxyEvent } from 'aws-lambda';
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

export const handler = httpHandler(ROUTES.editIncident, editIncident);
