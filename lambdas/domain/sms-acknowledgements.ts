/**
 * Acknowledging by text message: `ACK <code>` (any case, surrounding spaces ignored) from a phone
 * registered to a participating organization acknowledges for it, `via: "sms"`, by the contact.
 * Anything else — unknown number, unknown code, other words — gets a short help reply and changes
 * nothing, and never says whether an incident exists.
 */
import { ConflictError, NotFoundError } from './errors';
import type { Caller } from './incident';
import type { IncidentService } from './incidents';
import type { NotificationPublisher } from './notifications';
import type { DirectoryRepository, IncidentRepository } from './ports';

export interface InboundSms { originationNumber: string; messageBody: string }

const ACK = /^\s*ack\s+(\d{4,6})\s*$/i;
/** Every reply fits one SMS (140 characters). */
export const HELP = 'Concord: to acknowledge, reply ACK and the incident code (e.g. ACK 4821) from a phone registered with your organization.';

export interface SmsDeps {
  incidents: IncidentService;
  repository: Pick<IncidentRepository, 'findOpenByAckCode'>;
  directory: Pick<DirectoryRepository, 'contactsByPhone'>;
  publisher: Pick<NotificationPublisher, 'sendSms'>;
}

export function makeSmsAcknowledgements({ incidents, repository, directory, publisher }: SmsDeps) {
  async function decide(sms: InboundSms): Promise<{ reply: string; acknowledged?: { incidentId: string; orgId: string } }> {
    const code = ACK.exec(sms.messageBody)?.[1];
    if (!code) return { reply: HELP };
    const contacts = await directory.contactsByPhone(sms.originationNumber);
    if (contacts.length === 0) return { reply: HELP };
    const record = await repository.findOpenByAckCode(code);
    const match = record && contacts.find((c) => record.incident.participants.includes(c.orgId));
    if (!record || !match) return { reply: `Concord: no open incident of yours has code ${code}. Reply ACK and the code from a phone registered with your organization.` };
    // The phone's organization acts, as its own partner would.
    const caller: Caller = { orgId: match.orgId, role: 'partner', keyId: `sms:${sms.originationNumber}` };
    try {
      await incidents.acknowledgeAs(caller, record.incident.id, match.orgId, { by: match.contact.name, via: 'sms' });
    } catch (err) {
      if (err instanceof ConflictError || err instanceof NotFoundError) return { reply: `Concord: incident ${code} is already resolved.` };
      throw err;
    }
    return {
      reply: `Concord: acknowledged for ${match.orgId.toUpperCase()}: ${record.incident.title}`.slice(0, 140),
      acknowledged: { incidentId: record.incident.id, orgId: match.orgId },
    };
  }

  return {
    /** Handles one inbound message and texts the sender the outcome. */
    async receive(sms: InboundSms) {
      const outcome = await decide(sms);
      await publisher.sendSms(sms.originationNumber, outcome.reply);
      return outcome;
    },
  };
}
