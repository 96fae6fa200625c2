/**
 * NotificationPublisher on SNS: one topic per organization (a common name prefix, so the
 * infrastructure grants exactly those), per-protocol message structure, errors classified as
 * transient (retried) or permanent (recorded at once).
 */
import { createHash } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { PublishError } from '../../domain/notifications';
import { type Audience, type NotificationPublisher, type PublishContext, type RenderedMessage } from '../../domain/ports';
import { SMS_MAX, toGsm7 } from './messages';

const TRANSIENT = new Set(['ThrottledException', 'Throttling', 'ThrottlingException', 'InternalErrorException', 'KMSThrottlingException', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeout']);

export function classify(err: unknown): PublishError {
  const e = err as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e.$metadata?.httpStatusCode ?? 0;
  const transient = TRANSIENT.has(e.name) || status >= 500 || e.$retryable !== undefined || (e as NodeJS.ErrnoException).code === 'ECONNRESET';
  return new PublishError(`${e.name}: ${e.message}`, transient, { cause: err });
}

/**
 * An organization's topic for an audience, after the stage's prefix: `<org>` for all its contacts,
 * `<org>_red` for those cleared for TLP:RED (`_` never appears in an organization id, so no
 * organization's topic can be another's RED topic).
 */
export const topicName = (orgId: string, audience: Audience = 'all') => (audience === 'red' ? `${orgId}_red` : orgId);

/** The message attribute that keeps a message from SMS subscriptions. */
export const NO_SMS_ATTRIBUTE = 'sms';

/** A push endpoint's name in message attributes and filter policies: short, fixed, no URL in the clear. */
export const endpointId = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 24);

/**
 * The message SNS delivers per protocol (`MessageStructure: 'json'`), with the attributes
 * subscriptions filter on: `endpoints`, the ids of the endpoints it is for (see `endpointId`), and
 * `contacts`, the ids of the contacts it is for (each contact's email and SMS subscriptions).
 */
export function publishInput(topicArn: string, message: RenderedMessage, { incidentId, endpoints = [], contacts = [], sms }: PublishContext = {}): ConstructorParameters<typeof PublishCommand>[0] {
  const attributes = {
    ...(contacts.length ? { contacts: { DataType: 'String.Array', StringValue: JSON.stringify(contacts) } } : {}),
    // SMS subscriptions take only messages without this attribute (provisioner.ts contactFilterPolicy).
    ...(sms === false ? { [NO_SMS_ATTRIBUTE]: { DataType: 'String', StringValue: 'none' } } : {}),
    ...(incidentId ? { incidentId: { DataType: 'String', StringValue: incidentId } } : {}),
    ...(endpoints.length ? { endpoints: { DataType: 'String.Array', StringValue: JSON.stringify(endpoints.map(endpointId)) } } : {}),
  };
  return {
    TopicArn: topicArn,
    MessageStructure: 'json',
    Subject: message.email.subject,
    Message: JSON.stringify({ default: message.default, sms: message.sms, email: message.email.body, ...(message.https ? { https: message.https } : {}) }),
    ...(Object.keys(attributes).length ? { MessageAttributes: attributes } : {}),
  };
}

export class SnsPublisher implements NotificationPublisher {
  /** @param topicArnPrefix e.g. `arn:aws:sns:us-east-1:123456789012:concord-org-`; the org id completes it */
  constructor(private readonly sns: SNSClient, private readonly topicArnPrefix: string) {}

  async publish(orgId: string, message: RenderedMessage, context: PublishContext): Promise<string> {
    try {
      const { MessageId } = await this.sns.send(new PublishCommand(publishInput(this.topicArnPrefix + topicName(orgId, context.audience), message, context)));
      return MessageId ?? 'unknown';
    } catch (err) {
      throw classify(err);
    }
  }

  async sendSms(phone: string, text: string): Promise<void> {
    try {
      await this.sns.send(new PublishCommand({ PhoneNumber: phone, Message: toGsm7(text).slice(0, SMS_MAX) }));
    } catch (err) {
      throw classify(err);
    }
  }
}
