import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { incidentJson } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function addObservables({ caller, params, body }: Input<typeof ROUTES.addObservables>) {
  const { incidents } = await container();
  return incidentJson(200, await incidents.addObservables(caller, params.id!, body.observables));
}

export const handler = httpHandler(ROUTES.addObservables, addObservables);
