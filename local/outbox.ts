/**
 * The local stand-in for SNS: every notification the service publishes, as each protocol would
 * receive it, kept in memory for `GET /local/outbox`. Topics are "created" by remembering them.
 */
import { SMS_MAX, toGsm7 } from '../lambdas/adapters/sns/messages';
import { subscriptionsWanted } from '../lambdas/adapters/sns/provisioner';
import { topicName } from '../lambdas/adapters/sns/publisher';
import { LocalSnsPusher, type PushOutcome } from './sns-push';
import type { NotificationPublisher, PublishContext, RenderedMessage, Organization, OrganizationProvisioner } from '../lambdas/domain/ports';

export interface OutboxMessage {
  orgId: string | null;
  incidentId: string | null;
  /** The organization's topic it went to: `<org>` (all its contacts) or `<org>_red` (those cleared for TLP:RED). */
  topic?: string;
  /** Each push to the organization's endpoints and how it was answered. */
  pushes?: PushOutcome[];
  /** The contact ids it was for (each contact's subscriptions filter on them); absent on direct texts. */
  contacts?: string[];
  /** Set on direct text messages (replies to inbound SMS). */
  to?: string;
  sms: string;
  email: { subject: string; body: string } | null;
  at: string;
}

export class LocalOutbox implements NotificationPublisher, OrganizationProvisioner {
  readonly messages: OutboxMessage[] = [];
  /** Each topic's subscriptions, as SNS would hold them: `email:…`, `sms:…`, `https:<url>`. */
  readonly topics = new Map<string, string[]>();
  /** Signs and posts pushes to organizations' (loopback) endpoints as SNS would. */
  readonly pusher = new LocalSnsPusher(() => process.env.CONCORD_PUBLIC_BASE_URL ?? 'http://localhost');
  private seq = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async publish(orgId: string, message: RenderedMessage, { incidentId, audience = 'all', endpoints: named = [], contacts = [], sms }: PublishContext): Promise<string> {
    const topic = topicName(orgId, audience);
    // As SMS subscriptions' filter policy does: a message not for SMS reaches no phone (`sms` empty).
    const entry: OutboxMessage = { orgId, incidentId: incidentId ?? null, topic, contacts: [...contacts], sms: sms === false ? '' : message.sms, email: message.email, at: this.now().toISOString() };
    this.messages.push(entry);
    // As the subscriptions' filter policies do in SNS: an endpoint receives only messages that name it.
    const endpoints = (this.topics.get(topic) ?? []).filter((s) => s.startsWith('https:') || s.startsWith('http:')).map((s) => s.slice(s.indexOf(':') + 1))
      .filter((url) => named.includes(url));
    if (message.https && endpoints.length) {
      const envelope = this.pusher.envelope(`arn:aws:sns:local:000000000000:concord-org-${topic}`, message.email.subject, message.https);
      entry.pushes = await Promise.all(endpoints.map((url) => this.pusher.push(url, envelope)));
    }
    return `local-${++this.seq}`;
  }

  async sendSms(phone: string, text: string): Promise<void> {
    // As the SNS adapter sends it: GSM-7, one message.
    this.messages.push({ orgId: null, incidentId: null, to: phone, sms: toGsm7(text).slice(0, SMS_MAX), email: null, at: this.now().toISOString() });
  }

  async provision(org: Organization): Promise<void> {
    for (const audience of ['all', 'red'] as const) this.topics.set(topicName(org.id, audience), [...subscriptionsWanted(org, audience)]);
  }
}
