import { container } from '../container';
import { ackTokens } from '../wiring/ack-tokens';
import { DomainError } from '../domain/errors';
import { acknowledgedPage, errorPage } from '../http/ack-pages';
import { httpHandler, type Input } from '../http/handler';
import { ROUTES } from '../http/routes';

export async function postAck({ params }: Input<typeof ROUTES.postAck>) {
  const { incidents } = await container();
  try {
    const claim = (await ackTokens()).verify(params.token!);
    const caller = { orgId: claim.orgId, role: 'partner' as const, keyId: 'ack-link' };
    const before = await incidents.get(caller, claim.incidentId);
    const already = before.acknowledgements.some((a) => a.orgId === claim.orgId);
    const incident = already ? before : await incidents.acknowledgeAs(caller, claim.incidentId, claim.orgId, { by: claim.contact, via: 'email' });
    return acknowledgedPage(incident, claim.orgId, already);
  } catch (err) {
    if (err instanceof DomainError) return errorPage(err.status, err.message);
    throw err;
  }
}

export const handler = httpHandler(ROUTES.postAck, postAck);
