import { container } from '../container';
import { ackTokens } from '../wiring/ack-tokens';
import { ConflictError } from '../domain/errors';
import { acknowledgedPage, errorAsPage, resolvedPage } from '../http/ack-pages';
import { httpHandler, type Input } from '../http/handler';
import { ROUTES } from '../http/routes';

/** Acknowledges as the link's organization and contact; a resolved incident is a 409 page. */
export async function postAck({ params }: Input<typeof ROUTES.postAck>) {
  const { incidents } = await container();
  const claim = (await ackTokens()).verify(params.token ?? '');
  const caller = { orgId: claim.orgId, role: 'partner' as const, keyId: 'ack-link' };
  const before = await incidents.get(caller, claim.incidentId);
  if (before.status === 'resolved') return resolvedPage(409, before);
  const already = before.acknowledgements.some((a) => a.orgId === claim.orgId);
  try {
    const incident = already ? before : await incidents.acknowledgeAs(caller, claim.incidentId, claim.orgId, { by: claim.contact, via: 'email' });
    return acknowledgedPage(incident, claim.orgId, already);
  } catch (err) {
    // Resolved between the read and the acknowledgement.
    if (err instanceof ConflictError) return resolvedPage(409, await incidents.get(caller, claim.incidentId));
    throw err;
  }
}

export const handler = httpHandler(ROUTES.postAck, postAck, errorAsPage);
