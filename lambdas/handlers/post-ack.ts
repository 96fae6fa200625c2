import { container } from '../wiring/incidents';
import { ackTokens } from '../wiring/ack-tokens';
import { ConflictError } from '../domain/errors';
import { acknowledgedPage, errorAsPage, resolvedPage } from '../http/ack-pages';
import { httpHandler, type Input } from '../http/handler';
import * as ROUTES from '../http/route-table';

/** Acknowledges for the link's organization, by its contact; a resolved incident is a 409 page. */
export async function postAck({ params, requestId }: Input<typeof ROUTES.postAck>) {
  const { incidents } = await container();
  const claim = (await ackTokens()).verify(params.token ?? '');
  try {
    const { incident, already } = await incidents.acknowledgeFor({ incidentId: claim.incidentId, orgId: claim.orgId, by: claim.contact, via: 'email', requestId });
    return acknowledgedPage(incident, claim.orgId, already);
  } catch (err) {
    if (err instanceof ConflictError) return resolvedPage(409, await incidents.readFor(claim.orgId, claim.incidentId, { by: claim.contact, via: 'email', requestId }));
    throw err;
  }
}

export const handler = httpHandler(ROUTES.postAck, postAck, errorAsPage);
