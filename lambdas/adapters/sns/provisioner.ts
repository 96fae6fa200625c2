/**
 * OrganizationProvisioner on SNS: the organization's topic (created idempotently: CreateTopic
 * returns the existing one), its contacts subscribed by email and SMS, each subscription filtering
 * on its contact's id (a message reaches only the contacts it names), removed contacts
 * unsubscribed. Subscriptions still pending confirmation cannot be removed through the API (they
 * lapse on their own after two days); a push endpoint's filter keeps them from receiving anything
 * they are no longer listed for.
 */
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SetSubscriptionAttributesCommand, SubscribeCommand, UnsubscribeCommand, type SNSClient, type Subscription } from '@aws-sdk/client-sns';
import { audienceOf } from '../../domain/notifications';
import { type Audience } from '../../domain/ports';
import type { Organization, OrganizationProvisioner } from '../../domain/ports';
import { NO_SMS_ATTRIBUTE, endpointId, topicName } from './publisher';
import { allInOrder, inPool } from '../../shared/pool';

/** SNS calls one topic's provisioning makes at once (each phase: subscribe, set filters, unsubscribe). */
const SNS_CALLS_AT_ONCE = 4;


/**
 * Everyone on the `all` topic; only contacts cleared for TLP:RED on the `red` one. Endpoints the
 * same: every one on `all`, those marked `red` on `red` too.
 */
export const subscriptionsWanted = (org: Organization, audience: Audience = 'all') => {
  const { contacts, endpoints } = audienceOf(org, audience);
  return new Set([
    ...contacts.flatMap((c) => [
      ...(c.email ? [`email:${c.email.toLowerCase()}`] : []),
      ...(c.phone ? [`sms:${c.phone}`] : []),
    ]),
    ...endpoints.map((e) => `${new URL(e.url).protocol.slice(0, -1)}:${e.url}`),
  ]);
};

/**
 * Each contact subscription's filter: the contact ids it receives messages for (one, unless two
 * contacts share an address). Messages name the contacts they are for (PublishContext.contacts).
 */
export const contactFilters = (org: Organization, audience: Audience = 'all') => {
  const filters = new Map<string, string[]>();
  for (const c of audienceOf(org, audience).contacts) {
    for (const key of [...(c.email ? [`email:${c.email.toLowerCase()}`] : []), ...(c.phone ? [`sms:${c.phone}`] : [])]) {
      filters.set(key, [...(filters.get(key) ?? []), c.id]);
    }
  }
  return filters;
};

export const contactFilterPolicy = (ids: readonly string[], protocol?: string) =>
  // An SMS subscription also takes only messages not marked not for SMS (correlation notices: email and the app only).
  JSON.stringify({ contacts: [...ids], ...(protocol === 'sms' ? { [NO_SMS_ATTRIBUTE]: [{ exists: false }] } : {}) });

/**
 * How SNS retries a push to a partner's endpoint: 3 immediate retries, then backing off from 1 s to
 * 60 s, 50 attempts in all (about 40 minutes), at most 10 pushes a second to one endpoint. What
 * still fails goes to the dead-letter queue (RedrivePolicy), which alarms.
 */
export const PUSH_DELIVERY_POLICY = {
  healthyRetryPolicy: {
    minDelayTarget: 1, maxDelayTarget: 60, numRetries: 50,
    numNoDelayRetries: 3, numMinDelayRetries: 2, numMaxDelayRetries: 35, backoffFunction: 'exponential',
  },
  throttlePolicy: { maxReceivesPerSecond: 10 },
  requestPolicy: { headerContentType: 'application/json; charset=UTF-8' },
} as const;

export class SnsProvisioner implements OrganizationProvisioner {
  /**
   * @param pushDeadLetter the SQS queue undeliverable pushes go to: its ARN, or its name in the
   *   topics' account and region (the operator's scripts know only the name)
   */
  constructor(private readonly sns: SNSClient, private readonly topicPrefix: string, private readonly kmsKeyId?: string, private readonly pushDeadLetter?: string) {}

  /**
   * What SNS needs to push to an HTTPS endpoint: retries, where to put what never arrives, and a
   * filter that lets through only messages naming this endpoint. Notifications name the endpoints
   * listed when they are sent, so an endpoint removed or no longer cleared for RED receives nothing
   * more even if its subscription, still pending, is confirmed later (SNS cannot always remove a
   * pending one); messages that name none (key notices) reach contacts only.
   */
  private pushAttributes(topicArn: string, url: string): Record<string, string> {
    const [, partition, , region, account] = topicArn.split(':');
    const queueArn = this.pushDeadLetter?.startsWith('arn:') ? this.pushDeadLetter : this.pushDeadLetter && `arn:${partition}:sqs:${region}:${account}:${this.pushDeadLetter}`;
    return {
      DeliveryPolicy: JSON.stringify(PUSH_DELIVERY_POLICY),
      ...(queueArn ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn }) } : {}),
      FilterPolicy: JSON.stringify({ endpoints: [endpointId(url)] }),
    };
  }

  /**
   * Both of the organization's topics, each with exactly its subscriptions. The two topics are
   * provisioned at once, and each one's subscriptions a few at a time: in AWS every SNS call is a
   * round trip of tens of milliseconds, and an organization's PUT waits for all of them. Both are
   * finished, or have failed, before this returns.
   */
  async provision(org: Organization): Promise<void> {
    await allInOrder([this.provisionTopic(org, 'all'), this.provisionTopic(org, 'red')]);
  }

  private async provisionTopic(org: Organization, audience: Audience): Promise<void> {
    const { TopicArn } = await this.sns.send(new CreateTopicCommand({
      Name: `${this.topicPrefix}${topicName(org.id, audience)}`,
      // Pushes are signed with SHA256 (SignatureVersion 2).
      Attributes: { SignatureVersion: '2', ...(this.kmsKeyId ? { KmsMasterKeyId: this.kmsKeyId } : {}) },
      Tags: [{ Key: 'concord:organization', Value: org.id }, { Key: 'concord:audience', Value: audience }],
    }));
    const existing: Subscription[] = [];
    let next: string | undefined;
    do {
      const page = await this.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn, NextToken: next }));
      existing.push(...(page.Subscriptions ?? []));
      next = page.NextToken;
    } while (next);
    const key = (s: Subscription) => `${s.Protocol}:${s.Protocol === 'email' ? s.Endpoint?.toLowerCase() : s.Endpoint}`;
    const have = new Set(existing.map(key));
    const wanted = subscriptionsWanted(org, audience);
    const filters = contactFilters(org, audience);
    await inPool([...wanted].filter((w) => !have.has(w)), SNS_CALLS_AT_ONCE, async (w) => {
      const [protocol, ...rest] = w.split(':');
      const push = protocol === 'https' || protocol === 'http';
      const attributes = push ? this.pushAttributes(TopicArn!, rest.join(':')) : { FilterPolicy: contactFilterPolicy(filters.get(w) ?? [], protocol) };
      await this.sns.send(new SubscribeCommand({ TopicArn, Protocol: protocol, Endpoint: rest.join(':'), Attributes: attributes }));
    });
    const confirmed = existing.filter((s) => s.SubscriptionArn?.startsWith('arn:'));
    // Contacts subscribed before messages named them, or whose ids changed, and SMS subscriptions made
    // before messages could be marked not for SMS: their filter now (setting it again changes nothing).
    await inPool(confirmed.filter((s) => filters.has(key(s))), SNS_CALLS_AT_ONCE, (s) =>
      this.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: contactFilterPolicy(filters.get(key(s))!, s.Protocol) })));
    await inPool(confirmed.filter((s) => !wanted.has(key(s))), SNS_CALLS_AT_ONCE, (s) =>
      this.sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn })));
  }
}
