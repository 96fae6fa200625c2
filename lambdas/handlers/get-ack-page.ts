import { container } from '../container';
import { ackTokens } from '../wiring/ack-tokens';
import { DomainError } from '../domain/errors';
import { ackForm, errorPage } from '../http/ack-pages';
import { httpHandler, type Input } from '../http/handler';
import { ROUTES } from '../http/routes';

/** Shows the incident and a button; changes nothing, whoever (or whatever scanner) opens it. */
export async function getAckPage({ params }: Input<typeof ROUTES.getAckPage>) {
  const { incidents } = await container();
  try {
    const claim = (await ackTokens()).verify(params.token!);
    const incident = await incidents.get({ orgId: claim.orgId, role: 'partner', keyId: 'ack-link' }, claim.incidentId);
    return ackForm(incident, claim.orgId, claim.contact);
  } catch (err) {
    if (err instanceof DomainError) return errorPage(err.status, err.message);
    throw err;
  }
}

export const handler = httpHandler(ROUTES.getAckPage, getAckPage);
