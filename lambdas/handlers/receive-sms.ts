/**
 * Inbound SMS: AWS End User Messaging two-way SMS publishes each message to an SNS topic, which
 * invokes this function. The message is JSON with `originationNumber`, `messageBody`, …
 */
import type { SNSEvent } from 'aws-lambda';
import { InboundSmsMessage } from '../integrations/sms';
import { smsAcknowledgements } from '../wiring/notifications';
import { logger } from '../runtime/logger';
import { PARSE } from '../http/parse-options';

export async function handler(event: SNSEvent): Promise<{ replies: string[] }> {
  const sms = await smsAcknowledgements();
  const replies: string[] = [];
  for (const record of event.Records) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.Sns.Message);
    } catch {
      parsed = null;
    }
    const message = InboundSmsMessage.safeParse(parsed, PARSE);
    if (!message.success) {
      logger.warn('ignored an inbound SMS that is not End User Messaging JSON', { messageId: record.Sns.MessageId });
      continue;
    }
    replies.push((await sms.receive(message.data)).reply);
  }
  return { replies };
}
