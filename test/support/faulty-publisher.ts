/** A NotificationPublisher whose failures a test chooses. */
import { PublishError } from '../../lambdas/domain/notifications';
import { type Audience, type NotificationPublisher, type PublishContext, type RenderedMessage } from '../../lambdas/domain/ports';

export interface Sent { orgId: string; incidentId: string | undefined; message: RenderedMessage; audience: Audience; contacts?: readonly string[] }

export class FaultyPublisher implements NotificationPublisher {
  readonly sent: Sent[] = [];
  readonly texts: Array<{ phone: string; text: string }> = [];
  calls = 0;
  /** The next N calls to an organization's topic are throttled (transient), whatever the order of calls. */
  readonly throttled = new Map<string, number>();
  /** Topics that fail for good. */
  readonly broken = new Set<string>();
  /** The Nth call (1-based) crashes the process, before sending. */
  crashOnCall: number | null = null;
  /** How long each publish takes (ms), so that concurrent runs overlap as they do against SNS. */
  delayMs = 0;
  /** Publishes about an incident wait until its promise settles (to show what else goes on meanwhile). */
  readonly held = new Map<string, Promise<void>>();
  /** Called after each message is sent. */
  onSent: ((sent: Sent) => void) | null = null;

  async publish(orgId: string, message: RenderedMessage, { incidentId, audience = 'all', contacts }: PublishContext): Promise<string> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (incidentId && this.held.has(incidentId)) await this.held.get(incidentId);
    if (this.crashOnCall === this.calls) throw new Error('simulated crash');
    const left = this.throttled.get(orgId) ?? 0;
    if (left > 0) { this.throttled.set(orgId, left - 1); throw new PublishError('ThrottledException: Rate exceeded', true); }
    if (this.broken.has(orgId)) throw new PublishError('NotFoundException: Topic does not exist', false);
    this.sent.push({ orgId, incidentId, message, audience, ...(contacts ? { contacts } : {}) });
    this.onSent?.(this.sent.at(-1)!);
    return `msg-${this.sent.length}`;
  }

  async sendSms(phone: string, text: string): Promise<void> {
    this.texts.push({ phone, text });
  }

  /** How many times each organization got a message about `incidentId`. */
  countsFor(incidentId: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of this.sent.filter((x) => x.incidentId === incidentId)) counts[s.orgId] = (counts[s.orgId] ?? 0) + 1;
    return counts;
  }
}
