import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { incidentJson } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function inviteParticipants({ caller, params, body }: Input<typeof ROUTES.inviteParticipants>) {
  const { incidents } = await container();
  return incidentJson(200, await incidents.invite(caller, params.id!, body));
}

export const handler = httpHandler(ROUTES.inviteParticipants, inviteParticipants);
