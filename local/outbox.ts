/**
 * The local stand-in for SNS: every notification the service publishes, as each protocol would
 * receive it, kept in memory for `GET /local/outbox`. Topics are "created" by remembering them.
 */
import { SMS_MAX, toGsm7 } from '../lambdas/adapters/sns/messages';
import { topicName } from '../lambdas/adapters/sns/publisher';
import type { NotificationPublisher, PublishContext, RenderedMessage } from '../lambdas/domain/notifications';
import type { Organization, OrganizationProvisioner } from '../lambdas/domain/ports';

export interface OutboxMessage {
  orgId: string | null;
  incidentId: string | null;
  /** The organization's topic it went to: `<org>` (all its contacts) or `<org>_red` (those cleared for TLP:RED). */
  topic?: string;
  /** Set on direct text messages (replies to inbound SMS). */
  to?: string;
  sms: string;
  email: { subject: string; body: string } | null;
  at: string;
}

export class LocalOutbox implements NotificationPublisher, OrganizationProvisioner {
  readonly messages: OutboxMessage[] = [];
  readonly topics = new Map<string, string[]>();
  private seq = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async publish(orgId: string, message: RenderedMessage, { incidentId, audience = 'all' }: PublishContext): Promise<string> {
    this.messages.push({ orgId, incidentId: incidentId ?? null, topic: topicName(orgId, audience), sms: message.sms, email: message.email, at: this.now().toISOString() });
    return `local-${++this.seq}`;
  }

  async sendSms(phone: string, text: string): Promise<void> {
    // As the SNS adapter sends it: GSM-7, one message.
    this.messages.push({ orgId: null, incidentId: null, to: phone, sms: toGsm7(text).slice(0, SMS_MAX), email: null, at: this.now().toISOString() });
  }

  async provision(org: Organization): Promise<void> {
    for (const audience of ['all', 'red'] as const) {
      this.topics.set(topicName(org.id, audience), org.contacts.filter((c) => audience === 'all' || c.red)
        .flatMap((c) => [...(c.email ? [`email:${c.email}`] : []), ...(c.phone ? [`sms:${c.phone}`] : [])]));
    }
  }
}
