/**
 * OrganizationProvisioner on SNS: the organization's topic (created idempotently: CreateTopic
 * returns the existing one), its contacts subscribed by email and SMS, removed contacts
 * unsubscribed. Subscriptions still pending confirmation cannot be removed through the API; they
 * lapse on their own after three days.
 */
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SubscribeCommand, UnsubscribeCommand, type SNSClient, type Subscription } from '@aws-sdk/client-sns';
import type { Audience } from '../../domain/notifications';
import type { Organization, OrganizationProvisioner } from '../../domain/ports';
import { topicName } from './publisher';

/** Everyone on the `all` topic; only contacts cleared for TLP:RED on the `red` one. */
export const subscriptionsWanted = (org: Organization, audience: Audience = 'all') => new Set(org.contacts.filter((c) => audience === 'all' || c.red).flatMap((c) => [
  ...(c.email ? [`email:${c.email.toLowerCase()}`] : []),
  ...(c.phone ? [`sms:${c.phone}`] : []),
]));

export class SnsProvisioner implements OrganizationProvisioner {
  constructor(private readonly sns: SNSClient, private readonly topicPrefix: string, private readonly kmsKeyId?: string) {}

  /** Both of the organization's topics, each with exactly its subscriptions. */
  async provision(org: Organization): Promise<void> {
    for (const audience of ['all', 'red'] as const) await this.provisionTopic(org, audience);
  }

  private async provisionTopic(org: Organization, audience: Audience): Promise<void> {
    const { TopicArn } = await this.sns.send(new CreateTopicCommand({
      Name: `${this.topicPrefix}${topicName(org.id, audience)}`,
      Attributes: this.kmsKeyId ? { KmsMasterKeyId: this.kmsKeyId } : undefined,
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
    for (const w of wanted) {
      if (have.has(w)) continue;
      const [protocol, ...rest] = w.split(':');
      await this.sns.send(new SubscribeCommand({ TopicArn, Protocol: protocol, Endpoint: rest.join(':') }));
    }
    for (const s of existing) {
      if (!wanted.has(key(s)) && s.SubscriptionArn?.startsWith('arn:')) {
        await this.sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }));
      }
    }
  }
}
