/**
 * Inbound SMS, the wire format: what AWS End User Messaging two-way SMS publishes to the SNS topic
 * that invokes receive-sms (and what `POST /local/sms` accepts under npm start). What a message
 * does is the domain's (domain/sms-acknowledgements.ts).
 */
import * as z from '../http/zod-mini';
import { built } from '../http/zod-mini';
import { E164_PATTERN } from '../http/schemas';

/** What AWS End User Messaging publishes for an inbound SMS; other fields it may add are ignored. */
export const InboundSmsMessage = /* @__PURE__ */ built(() => z.object({
  originationNumber: z.string().check(z.regex(E164_PATTERN, 'must be an E.164 phone number such as +12025550101')),
  destinationNumber: z.optional(z.string().check(z.maxLength(32))),
  messageBody: z.string().check(z.maxLength(1600)),
  messageKeyword: z.optional(z.string().check(z.maxLength(64))),
  inboundMessageId: z.optional(z.string().check(z.maxLength(128))),
  previousPublishedMessageId: z.optional(z.string().check(z.maxLength(128))),
}));
