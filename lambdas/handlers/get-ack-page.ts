import { container } from '../wiring/incidents';
import { ackTokens } from '../wiring/ack-tokens';
import { ackForm, acknowledgedPage, errorAsPage, resolvedPage } from '../http/ack-pages';
import { httpHandler, type Input } from '../http/handler';
import * as ROUTES from '../http/route-table';

/**
 * Shows the incident and, while there is something to acknowledge, a button; changes nothing,
 * whoever (or whatever scanner) opens it. Errors are pages too (errorAsPage).
 */
export async function getAckPage({ params, requestId }: Input<typeof ROUTES.getAckPage>) {
  const { incidents } = await container();
  const claim = (await ackTokens()).verify(params.token ?? '');
  const incident = await incidents.readFor(claim.orgId, claim.incidentId, { by: claim.contact, via: 'email', requestId });
  if (incident.status === 'resolved') return resolvedPage(200, incident);
  if (incident.acknowledgements.some((a) => a.orgId === claim.orgId)) return acknowledgedPage(incident, claim.orgId, true);
  return ackForm(incident, claim.orgId, claim.contact);
}

export const handler = httpHandler(ROUTES.getAckPage, getAckPage, errorAsPage);
