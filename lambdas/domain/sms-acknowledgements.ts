/**
 * Acknowledging by text message: `ACK <code>` (any case; spaces and tabs ignored around, between
 * and inside: `ack1234`, ` Ack 12 34 `) from a phone registered to a participating organization
 * acknowledges for it, `via: "sms"`, by the contact. A phone registered to several organizations
 * acknowledges for each of them that participates in the code's incident and has not
 * acknowledged yet (in id order; each acknowledgement names that organization's contact).
 * Anything else — unknown number, unknown code, a code of an incident none of the phone's
 * organizations is in, other words — gets a short help reply and changes nothing, and never says
 * whether an incident exists. Guessing is bounded: at most ACK_ATTEMPTS `ACK <code>` messages per
 * phone are heard in any ACK_WINDOW_SECONDS (registered or not, right or wrong); past that the
 * reply says to wait and nothing is acknowledged, even with a right code. RED incidents' codes
 * are 8 digits (incident-service.ts). A repeated ACK answers "already acknowledged".
 */
import { ConflictError, NotFoundError } from './errors';
import type { IncidentService } from './incident-service';
import type { AttemptLimiter, NotificationPublisher, DirectoryRepository, IncidentRepository } from './ports';

export interface InboundSms { originationNumber: string; messageBody: string }

/** `ACK` then digits, with any whitespace around, between and inside; digits only. */
const ACK = /^\s*ack\s*(\d(?:\s*\d)*)\s*$/i;
const CODE = /^\d{4,9}$/;

/** `ACK <code>` messages heard per phone in any ACK_WINDOW_SECONDS. */
export const ACK_ATTEMPTS = 10;
export const ACK_WINDOW_SECONDS = 600;

/** The code of an `ACK <code>` reply, whitespace removed, or null. */
export function ackCodeOf(body: string): string | null {
  const digits = ACK.exec(body)?.[1]?.replace(/\s+/g, '');
  return digits && CODE.test(digits) ? digits : null;
}

/** Every reply fits one SMS (140 characters). */
export const HELP = 'Concord: to acknowledge, reply ACK and the incident code (e.g. ACK 4821) from a phone registered with your organization.';

export interface SmsDeps {
  incidents: IncidentService;
  repository: Pick<IncidentRepository, 'findOpenByAckCode'>;
  directory: Pick<DirectoryRepository, 'contactsByPhone'>;
  publisher: Pick<NotificationPublisher, 'sendSms'>;
  attempts: AttemptLimiter;
}

/** The reply past the limit: says to wait, and nothing about the code. */
export const waitReply = (seconds: number) => `Concord: too many ACK attempts from this phone. Nothing was acknowledged; wait ${Math.ceil(seconds / 60)} min and send it again.`;

export function makeSmsAcknowledgements({ incidents, repository, directory, publisher, attempts }: SmsDeps) {
  async function decide(sms: InboundSms): Promise<{ reply: string; acknowledged?: { incidentId: string; orgIds: string[] } }> {
    const code = ackCodeOf(sms.messageBody);
    if (!code) return { reply: HELP };
    // Counted before anything is looked up: the same for every phone, registered or not.
    const heard = await attempts.attempt(`sms-ack#${sms.originationNumber}`, ACK_ATTEMPTS, ACK_WINDOW_SECONDS);
    if (!heard.allowed) return { reply: waitReply(heard.retryAfterSeconds) };
    const contacts = await directory.contactsByPhone(sms.originationNumber);
    if (contacts.length === 0) return { reply: HELP };
    const record = await repository.findOpenByAckCode(code);
    // The phone's organizations that are in the code's incident, once each, in id order. A RED
    // incident is only for contacts cleared for it: any other phone is answered as for a code it
    // does not know (TLP 2.0: RED is for named individuals, not whoever holds an org's phone).
    const mayAct = (c: { orgId: string; contact: { red?: true } }) => record!.incident.participants.includes(c.orgId) && (record!.incident.tlp !== 'RED' || c.contact.red === true);
    const matches = record
      ? [...new Map(contacts.filter(mayAct).map((c) => [c.orgId, c] as const)).values()]
        .sort((a, b) => (a.orgId < b.orgId ? -1 : 1))
      : [];
    if (!record || matches.length === 0) return { reply: `Concord: no open incident of yours has code ${code}. Reply ACK and the code from a phone registered with your organization.` };
    const pending = matches.filter((m) => !record.incident.acknowledgements.some((a) => a.orgId === m.orgId));
    // Already acknowledged by all of them: a no-op (recorded as a read), answered "already acknowledged".
    const acting = pending.length ? pending : matches;
    const done: string[] = [];
    const before: string[] = [];
    for (const match of acting) {
      // On behalf of the phone's organization, by its contact; a repeat (or a concurrent one that came first) is a no-op.
      try {
        const { already } = await incidents.acknowledgeFor({ incidentId: record.incident.id, orgId: match.orgId, by: match.contact.name, via: 'sms' });
        (already ? before : done).push(match.orgId);
      } catch (err) {
        if (err instanceof ConflictError || err instanceof NotFoundError) return { reply: `Concord: incident ${code} is already resolved.` };
        throw err;
      }
    }
    const names = (orgIds: string[]) => orgIds.map((o) => o.toUpperCase()).join(', ');
    return {
      reply: (done.length
        ? `Concord: acknowledged for ${names(done)}: ${record.incident.title}`
        : `Concord: already acknowledged for ${names(before)}: ${record.incident.title}`).slice(0, 140),
      acknowledged: { incidentId: record.incident.id, orgIds: done },
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
