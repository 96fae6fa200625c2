/** The SNS adapter: exact Publish inputs per protocol, topic per organization, SMS within 140 GSM-7 characters. */
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import fc from 'fast-check';
import { render, renderSms, SMS_MAX, toGsm7 } from '../../lambdas/adapters/sns/messages';
import { SnsProvisioner } from '../../lambdas/adapters/sns/provisioner';
import { SnsPublisher, endpointId } from '../../lambdas/adapters/sns/publisher';
import { report, SEVERITIES, type TimelineEvent } from '../../lambdas/domain/incident';
import { TLPS } from '../../lambdas/domain/tlp';
import { PublishError } from '../../lambdas/domain/notifications';
import { type Notice } from '../../lambdas/domain/ports';
import { resetAdapters } from '../../lambdas/wiring/adapters';
import { publisher } from '../../lambdas/wiring/publisher';

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

const GSM7 = /^[@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà]*$/;

function notice(title: string, overrides: Partial<Notice> = {}, tlp: (typeof TLPS)[number] = 'AMBER', severity: (typeof SEVERITIES)[number] = 'critical'): Notice {
  const { incident, events } = report('inc_01M899CQ51KBW81DJ4QTE6713E', 'facebook', { title, severity, category: 'misinformation', tlp, participants: ['fbi'] }, '2026-11-03T12:00:00.000Z');
  return { incident, event: events[0]!, ackCode: '4821', recipient: 'fbi', ackLinks: [{ contact: 'Duty officer', url: 'https://concord.example/v1/ack/t' }], ...overrides };
}

describe('rendering', () => {
  it('puts what participants wrote where it cannot pass for Concord\'s own lines (issue #10, item 8)', () => {
    const fake = 'Polling update\n\nAcknowledge for FBI (each link is personal and valid for 24 hours):\n  Duty officer: https://evil.example/ack';
    const n = notice('t');
    const reportBody = render({ ...n, incident: { ...n.incident, title: 'Line one\nAcknowledge: https://evil.example', description: fake } }).email.body;
    const noteBody = render({ ...n, event: { ...n.event, type: 'note', data: { text: fake } } }).email.body;
    for (const body of [reportBody, noteBody]) {
      const lines = body.split('\n');
      // The only unquoted acknowledgement lines are Concord's own, and they come before anything a participant wrote.
      expect(lines.filter((l) => l.startsWith('Acknowledge for'))).toEqual(['Acknowledge for FBI (each link is personal and valid for 24 hours):']);
      expect(lines.filter((l) => l.includes('evil.example')).every((l) => l.startsWith('  | ') || l.startsWith('Title:'))).toBe(true);
      expect(lines.findIndex((l) => l.startsWith('Acknowledge for'))).toBeLessThan(lines.findIndex((l) => l.startsWith('  | ')));
    }
    expect(reportBody).toContain('Title:        Line one Acknowledge: https://evil.example');
  });

  it('keeps every SMS within 140 GSM-7 characters with the ack code, whatever the title', () => {
    const events: Array<Pick<TimelineEvent, 'type' | 'data'>> = [
      { type: 'reported', data: {} }, { type: 'escalated', data: { level: 3, unacknowledgedSeconds: 86400 } },
      { type: 'acknowledged', data: {} }, { type: 'assigned', data: { assignee: { orgId: 'microsoft' } } }, { type: 'note', data: { text: 'x' } },
    ];
    fc.assert(fc.property(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), fc.constantFrom(...TLPS), fc.constantFrom(...SEVERITIES), fc.constantFrom(...events),
      (title, tlp, severity, e) => {
        const n = notice(title, {}, tlp, severity);
        const sms = renderSms({ ...n, event: { ...n.event, ...e, actor: { orgId: 'account-takeover-team', by: null, via: 'api' } } });
        expect(sms.length).toBeLessThanOrEqual(SMS_MAX);
        expect(sms).toMatch(GSM7);
        expect(sms).toMatch(/Reply ACK 4821$/);
        expect(sms).toContain(severity.toUpperCase());
      },
    ), { numRuns: 300 });
  });

  it('transliterates what GSM-7 lacks', () => {
    expect(toGsm7('“Fake” polls — Zürich Łódź […] ~€5 ☃')).toBe('"Fake" polls - Zürich Lodz (...) -EUR5 ?');
  });

  it('puts the TLP label on top of the email, with a link per contact, and omits ACK once acknowledged', () => {
    const m = render(notice('Polling places "closed"'));
    expect(m.email.body.split('\n')[0]).toBe('TLP:AMBER - Share on a need-to-know basis within your organization and its clients only.');
    expect(m.email.body).toContain('Duty officer: https://concord.example/v1/ack/t');
    expect(m.email.subject).toMatch(/^\[TLP:AMBER\] \[CRITICAL\] New critical misinformation incident reported by FACEBOOK/);
    expect(m.email.subject.length).toBeLessThanOrEqual(100);
    const acked = notice('t');
    acked.incident.acknowledgements.push({ orgId: 'fbi', by: null, via: 'api', at: 'x' });
    expect(renderSms(acked)).not.toContain('Reply ACK');
  });
});

describe('SnsPublisher', () => {
  it('publishes one per-protocol message to the organization\'s own topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const message = render(notice('Polling places closed'));
    const id = await new SnsPublisher(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:123456789012:concord-org-').publish('fbi', message, { incidentId: 'inc_1' });
    expect(id).toBe('m-1');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:concord-org-fbi',
      MessageStructure: 'json',
      Subject: message.email.subject,
      Message: JSON.stringify({ default: message.default, sms: message.sms, email: message.email.body, https: message.https }),
      MessageAttributes: { incidentId: { DataType: 'String', StringValue: 'inc_1' } },
    });
    // RED goes to the organization's second topic, its cleared contacts'.
    await new SnsPublisher(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:123456789012:concord-org-').publish('fbi', message, { incidentId: 'inc_1', audience: 'red' });
    expect(sns.commandCalls(PublishCommand)[1]!.args[0].input.TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:concord-org-fbi_red');
  });

  it('classifies throttling as transient and a missing topic as permanent', async () => {
    const publisher = new SnsPublisher(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:1:p-');
    sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }))
      .rejectsOnce(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException', $metadata: { httpStatusCode: 404 } }));
    const first = await publisher.publish('fbi', render(notice('t')), { incidentId: 'i' }).catch((e: unknown) => e);
    const second = await publisher.publish('fbi', render(notice('t')), { incidentId: 'i' }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(PublishError);
    expect(second).toBeInstanceOf(PublishError);
    expect([(first as PublishError).transient, (second as PublishError).transient]).toEqual([true, false]);
  });
});

describe('SnsProvisioner', () => {
  it('creates the prefixed, encrypted topic, subscribes new contacts and unsubscribes removed ones', async () => {
    sns.on(CreateTopicCommand, { Name: 'concord-org-fbi' }).resolves({ TopicArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi' });
    sns.on(CreateTopicCommand, { Name: 'concord-org-fbi_red' }).resolves({ TopicArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi_red' });
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi' }).resolves({ Subscriptions: [
      { Protocol: 'email', Endpoint: 'DUTY@fbi.example', SubscriptionArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi:a' },
      { Protocol: 'sms', Endpoint: '+12025550999', SubscriptionArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi:b' },
      { Protocol: 'email', Endpoint: 'gone@fbi.example', SubscriptionArn: 'PendingConfirmation' },
    ] });
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi_red' }).resolves({ Subscriptions: [
      // Once cleared, no longer: unsubscribed from the RED topic.
      { Protocol: 'email', Endpoint: 'duty@fbi.example', SubscriptionArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi_red:c' },
    ] });
    await new SnsProvisioner(new SNSClient({ region: 'us-east-1' }), 'concord-org-', 'alias/concord').provision({
      id: 'fbi', name: 'FBI', kind: 'agency', createdAt: '', updatedAt: '',
      contacts: [{ id: 'duty', name: 'Duty', email: 'duty@fbi.example', phone: '+12025550101' }, { id: 'cleared', name: 'Cleared', email: 'cleared@fbi.example', phone: null, red: true }],
    });
    expect(sns).toHaveReceivedCommandWith(CreateTopicCommand, { Name: 'concord-org-fbi', Attributes: { SignatureVersion: '2', KmsMasterKeyId: 'alias/concord' } });
    expect(sns).toHaveReceivedCommandWith(CreateTopicCommand, { Name: 'concord-org-fbi_red', Attributes: { SignatureVersion: '2', KmsMasterKeyId: 'alias/concord' } });
    // The two topics are provisioned at once: what each receives, in any order between them.
    const sorted = (inputs: object[]) => {
      const order = (i: object) => ['SubscriptionArn', 'TopicArn', 'Protocol', 'Endpoint'].map((k) => (i as Record<string, unknown>)[k] ?? '').join(' ');
      return [...inputs].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    };
    expect(sorted(sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input))).toEqual([
      // Each contact's subscriptions take only messages that name the contact (issue #24); SMS ones,
      // only those not marked not for SMS (correlation notices, issue #25).
      { TopicArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi', Protocol: 'email', Endpoint: 'cleared@fbi.example', Attributes: { FilterPolicy: '{"contacts":["cleared"]}' } },
      { TopicArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi', Protocol: 'sms', Endpoint: '+12025550101', Attributes: { FilterPolicy: '{"contacts":["duty"],"sms":[{"exists":false}]}' } },
      // The RED topic: cleared contacts only.
      { TopicArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi_red', Protocol: 'email', Endpoint: 'cleared@fbi.example', Attributes: { FilterPolicy: '{"contacts":["cleared"]}' } },
    ]);
    expect(sorted(sns.commandCalls(UnsubscribeCommand).map((c) => c.args[0].input))).toEqual([
      { SubscriptionArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi:b' },
      { SubscriptionArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi_red:c' },
    ]);
  });

  // #27: in AWS each SNS call is tens of milliseconds, and an organization's PUT waits for them all.
  it('provisions both topics at once, and a contact\'s subscriptions a few at a time', async () => {
    const inFlight = { now: 0, most: 0 };
    const answered = async <T>(answer: T) => {
      inFlight.most = Math.max(inFlight.most, ++inFlight.now);
      await new Promise((r) => setTimeout(r, 5));
      inFlight.now--;
      return answer;
    };
    const created: string[] = [];
    let listedBeforeBothCreated = false;
    sns.on(CreateTopicCommand).callsFake((input) => { created.push(input.Name); return answered({ TopicArn: `arn:aws:sns:us-east-1:1:${input.Name}` }); });
    sns.on(ListSubscriptionsByTopicCommand).callsFake(() => { listedBeforeBothCreated ||= created.length < 2; return answered({ Subscriptions: [] }); });
    sns.on(SubscribeCommand).callsFake(() => answered({}));
    const contacts = Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, name: `C${i}`, email: `c${i}@fbi.example`, phone: null, red: true as const }));
    await new SnsProvisioner(new SNSClient({ region: 'us-east-1' }), 'concord-org-').provision({ id: 'fbi', name: 'FBI', kind: 'agency', createdAt: '', updatedAt: '', contacts });
    expect(created.sort()).toEqual(['concord-org-fbi', 'concord-org-fbi_red']);
    // Both topics were asked for before either's subscriptions were listed: they ran side by side.
    expect(listedBeforeBothCreated).toBe(false);
    // 12 subscriptions (6 contacts on two topics), never more than 4 a topic at once.
    expect(sns.commandCalls(SubscribeCommand)).toHaveLength(12);
    expect(inFlight.most).toBe(8);
  });

  it('a topic that fails fails the provisioning, once the other topic is done', async () => {
    let allTopicDone = false;
    sns.on(CreateTopicCommand, { Name: 'concord-org-fbi_red' }).rejects(new Error('throttled'));
    sns.on(CreateTopicCommand, { Name: 'concord-org-fbi' }).resolves({ TopicArn: 'arn:aws:sns:us-east-1:1:concord-org-fbi' });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    sns.on(SubscribeCommand).callsFake(async () => { await new Promise((r) => setTimeout(r, 20)); allTopicDone = true; return {}; });
    await expect(new SnsProvisioner(new SNSClient({ region: 'us-east-1' }), 'concord-org-').provision({
      id: 'fbi', name: 'FBI', kind: 'agency', createdAt: '', updatedAt: '', contacts: [{ id: 'duty', name: 'Duty', email: 'duty@fbi.example', phone: null }],
    })).rejects.toThrow('throttled');
    // Nothing of the provisioning is left running after it answers (a Lambda is frozen then).
    expect(allTopicDone).toBe(true);
  });

  // Review s8: a topic's subscriptions run four at a time; one failing must not leave the others
  // subscribing after the provisioning has failed (the PUT has answered 503; a Lambda is frozen).
  it('a subscription that fails fails the provisioning once none of its topic\'s calls is running, and starts no more', async () => {
    const inFlight = { now: 0 };
    sns.on(CreateTopicCommand).callsFake((input) => ({ TopicArn: `arn:aws:sns:us-east-1:1:${input.Name}` }));
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    sns.on(SubscribeCommand).callsFake(async (input) => {
      inFlight.now++;
      try {
        if (input.Endpoint === 'c0@fbi.example') throw new Error('throttled');
        await new Promise((r) => setTimeout(r, 20));
        return {};
      } finally { inFlight.now--; }
    });
    const contacts = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, name: `C${i}`, email: `c${i}@fbi.example`, phone: null }));
    await expect(new SnsProvisioner(new SNSClient({ region: 'us-east-1' }), 'concord-org-').provision({ id: 'fbi', name: 'FBI', kind: 'agency', createdAt: '', updatedAt: '', contacts }))
      .rejects.toThrow('throttled');
    expect(inFlight.now).toBe(0);
    const calls = sns.commandCalls(SubscribeCommand).length;
    await new Promise((r) => setTimeout(r, 100));
    // Nothing subscribes after the failure is answered.
    expect(sns.commandCalls(SubscribeCommand).length).toBe(calls);
    expect(calls).toBeLessThan(10);
  });

  it('subscribes partners\' HTTPS endpoints with the delivery policy and the dead-letter queue; RED ones to the RED topic too', async () => {
    sns.on(CreateTopicCommand, { Name: 'concord-org-fbi' }).resolves({ TopicArn: 'arn:aws-us-gov:sns:us-gov-west-1:1:concord-org-fbi' });
    sns.on(CreateTopicCommand, { Name: 'concord-org-fbi_red' }).resolves({ TopicArn: 'arn:aws-us-gov:sns:us-gov-west-1:1:concord-org-fbi_red' });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    await new SnsProvisioner(new SNSClient({ region: 'us-east-1' }), 'concord-org-', undefined, 'concord-prod-push-dead-letters').provision({
      id: 'fbi', name: 'FBI', kind: 'agency', createdAt: '', updatedAt: '', contacts: [],
      endpoints: [{ url: 'https://soar.fbi.example/concord', red: false }, { url: 'https://cti.fbi.example/in', red: true }],
    });
    const attributes = {
      DeliveryPolicy: JSON.stringify({
        healthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 60, numRetries: 50, numNoDelayRetries: 3, numMinDelayRetries: 2, numMaxDelayRetries: 35, backoffFunction: 'exponential' },
        throttlePolicy: { maxReceivesPerSecond: 10 },
        requestPolicy: { headerContentType: 'application/json; charset=UTF-8' },
      }),
      // The queue's ARN in the topics' own partition, region and account.
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws-us-gov:sqs:us-gov-west-1:1:concord-prod-push-dead-letters' }),
    };
    // Each endpoint takes only messages that name it (below): never a key notice, never a RED
    // incident after it stopped being cleared, even if its subscription is confirmed late.
    const only = (url: string) => ({ ...attributes, FilterPolicy: JSON.stringify({ endpoints: [endpointId(url)] }) });
    expect(sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: 'arn:aws-us-gov:sns:us-gov-west-1:1:concord-org-fbi', Protocol: 'https', Endpoint: 'https://soar.fbi.example/concord', Attributes: only('https://soar.fbi.example/concord') },
      { TopicArn: 'arn:aws-us-gov:sns:us-gov-west-1:1:concord-org-fbi', Protocol: 'https', Endpoint: 'https://cti.fbi.example/in', Attributes: only('https://cti.fbi.example/in') },
      { TopicArn: 'arn:aws-us-gov:sns:us-gov-west-1:1:concord-org-fbi_red', Protocol: 'https', Endpoint: 'https://cti.fbi.example/in', Attributes: only('https://cti.fbi.example/in') },
    ]);
  });

  /** SNS's filter on message attributes, as far as these policies use it: every key present, a String.Array matching if any element is listed. */
  const delivered = (filterPolicy: string, attributes: Record<string, { DataType: string; StringValue?: string }> = {}) =>
    Object.entries(JSON.parse(filterPolicy) as Record<string, string[]>).every(([key, allowed]) => {
      const a = attributes[key];
      if (!a?.StringValue) return false;
      const values = a.DataType === 'String.Array' ? JSON.parse(a.StringValue) as string[] : [a.StringValue];
      return values.some((v) => allowed.includes(v));
    });

  it('pushes to an endpoint only messages that name it: incidents for the endpoints listed when they are sent, never key notices', async () => {
    const cti = 'https://cti.fbi.example/in';
    sns.on(CreateTopicCommand).callsFake((input) => ({ TopicArn: `arn:aws:sns:us-east-1:1:${input.Name}` }));
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await new SnsProvisioner(new SNSClient({ region: 'us-east-1' }), 'concord-org-').provision({
      id: 'fbi', name: 'FBI', kind: 'agency', createdAt: '', updatedAt: '', contacts: [], endpoints: [{ url: cti, red: true }],
    });
    const redFilter = sns.commandCalls(SubscribeCommand).find((c) => c.args[0].input.TopicArn!.endsWith('_red'))!.args[0].input.Attributes!.FilterPolicy!;
    const publisher = new SnsPublisher(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:1:concord-org-');
    const message = { ...render(notice('t', {}, 'RED')), https: '{}' };
    await publisher.publish('fbi', message, { incidentId: 'inc_1', audience: 'red', endpoints: [cti] });
    // Later the endpoint is no longer cleared: its subscription may still be pending, and be confirmed after.
    await publisher.publish('fbi', message, { incidentId: 'inc_2', audience: 'red', endpoints: [] });
    await publisher.publish('fbi', { ...render(notice('key')), https: undefined }, {});
    const sent = sns.commandCalls(PublishCommand).map((c) => c.args[0].input.MessageAttributes);
    expect(sent.map((attributes) => delivered(redFilter, attributes as never))).toEqual([true, false, false]);
  });
});

describe('the publisher as a function wires it', () => {
  const saved = { ...process.env };
  afterEach(() => { process.env = { ...saved }; resetAdapters(); });

  it('texts a phone without a topic prefix (receive-sms is given none) but publishes to topics only with one', async () => {
    process.env = { ...saved, CONCORD_TABLE_NAME: 'concord-test' };
    delete process.env.CONCORD_TOPIC_ARN_PREFIX;
    resetAdapters();
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
    const wired = await publisher();
    await wired.sendSms('+12025550000', 'Concord: acknowledged for FBI');
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { PhoneNumber: '+12025550000', Message: 'Concord: acknowledged for FBI' });
    await expect(wired.publish('fbi', render(notice('t')), { incidentId: 'i' })).rejects.toThrow('CONCORD_TOPIC_ARN_PREFIX is required');
  });
});
