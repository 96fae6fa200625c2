/**
 * Inbound SMS, the wire format: what AWS End User Messaging two-way SMS publishes to the SNS topic
 * that invokes receive-sms (and what `POST /local/sms` accepts under npm start). What a message
 * does is the domain's (domain/sms-acknowledgements.ts).
 */
import * as z from 'zod';
import { E164_PATTERN } from '../http/schemas';

/** What AWS End User Messaging publishes for an inbound SMS; other fields it may add are ignored. */
export const InboundSmsMessage = /* @__PURE__ */ (() => z.object({
  originationNumber: z.string().regex(E164_PATTERN, 'must be an E.164 phone number such as +12025550101'),
  destinationNumber: z.string().max(32).optional(),
  messageBody: z.string().max(1600),
  messageKeyword: z.string().max(64).optional(),
  inboundMessageId: z.string().max(128).optional(),
  previousPublishedMessageId: z.string().max(128).optional(),
}))();
