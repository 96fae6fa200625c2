import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { incidentJson } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function reopenIncident({ caller, params, body }: Input<typeof ROUTES.reopenIncident>) {
  const { incidents } = await container();
  return incidentJson(200, await incidents.reopen(caller, params.id!, body.reason));
}

export const handler = httpHandler(ROUTES.reopenIncident, reopenIncident);
