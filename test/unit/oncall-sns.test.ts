/**
 * Paging only the paged (issue #24): each contact's SNS subscriptions filter on its contact id —
 * the exact Subscribe attributes, filters set on subscriptions made before — and SNS's filter,
 * evaluated on the messages the publisher sends, lets each message reach exactly the contacts it
 * names (as the pushes' filter is evaluated for endpoints).
 */
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand, SetSubscriptionAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SnsProvisioner } from '../../lambdas/adapters/sns/provisioner';
import { SnsPublisher } from '../../lambdas/adapters/sns/publisher';
import type { Organization, RenderedMessage } from '../../lambdas/domain/ports';

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

const ARN = 'arn:aws:sns:us-east-1:1:concord-org-';
const fbi: Organization = {
  id: 'fbi', name: 'FBI', kind: 'agency', createdAt: '', updatedAt: '',
  contacts: [
    { id: 'ana', name: 'Ana', email: 'ana@fbi.example', phone: '+12025550101', red: true },
    { id: 'bo', name: 'Bo', email: null, phone: '+12025550102' },
    // Two contacts sharing a desk's address: one subscription, filtering on both.
    { id: 'desk-day', name: 'Desk (day)', email: 'desk@fbi.example', phone: null },
    { id: 'desk-night', name: 'Desk (night)', email: 'DESK@fbi.example', phone: null },
  ],
  endpoints: [{ url: 'https://soar.fbi.example/in', red: false }],
};

/** SNS's filter on message attributes as these policies use it: every key present, a String.Array matching if any element is listed. */
const delivered = (filterPolicy: string, attributes: Record<string, { DataType: string; StringValue?: string }> = {}) =>
  Object.entries(JSON.parse(filterPolicy) as Record<string, Array<string | { exists: boolean }>>).every(([key, allowed]) => {
    const a = attributes[key];
    // SNS's `exists` operator: {"exists": false} matches a message without the attribute.
    const exists = allowed.find((x): x is { exists: boolean } => typeof x === 'object');
    if (exists) return exists.exists === (a?.StringValue !== undefined);
    if (!a?.StringValue) return false;
    const values = a.DataType === 'String.Array' ? JSON.parse(a.StringValue) as string[] : [a.StringValue];
    return values.some((v) => allowed.includes(v));
  });

function provisioned() {
  sns.on(CreateTopicCommand).callsFake((input) => ({ TopicArn: `arn:aws:sns:us-east-1:1:${input.Name}` }));
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: `${ARN}fbi` }).resolves({ Subscriptions: [
    // Subscribed before contacts had ids (no filter): confirmed ones get theirs; a pending one cannot be changed.
    { Protocol: 'sms', Endpoint: '+12025550102', SubscriptionArn: `${ARN}fbi:bo-sms` },
    { Protocol: 'email', Endpoint: 'ana@fbi.example', SubscriptionArn: 'PendingConfirmation' },
  ] });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: `${ARN}fbi_red` }).resolves({ Subscriptions: [] });
  return new SnsProvisioner(new SNSClient({ region: 'us-east-1' }), 'concord-org-').provision(fbi);
}

it('subscribes each contact\'s email and phone with a filter policy on its contact id, exactly', async () => {
  await provisioned();
  const pushFilter = expect.stringContaining('"endpoints"');
  expect(sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input)).toEqual([
    // SMS subscriptions also take only messages not marked not-for-SMS (correlation notices, #25).
    { TopicArn: `${ARN}fbi`, Protocol: 'sms', Endpoint: '+12025550101', Attributes: { FilterPolicy: '{"contacts":["ana"],"sms":[{"exists":false}]}' } },
    { TopicArn: `${ARN}fbi`, Protocol: 'email', Endpoint: 'desk@fbi.example', Attributes: { FilterPolicy: '{"contacts":["desk-day","desk-night"]}' } },
    { TopicArn: `${ARN}fbi`, Protocol: 'https', Endpoint: 'https://soar.fbi.example/in', Attributes: { DeliveryPolicy: expect.any(String), FilterPolicy: pushFilter } },
    { TopicArn: `${ARN}fbi_red`, Protocol: 'email', Endpoint: 'ana@fbi.example', Attributes: { FilterPolicy: '{"contacts":["ana"]}' } },
    { TopicArn: `${ARN}fbi_red`, Protocol: 'sms', Endpoint: '+12025550101', Attributes: { FilterPolicy: '{"contacts":["ana"],"sms":[{"exists":false}]}' } },
  ]);
  expect(sns.commandCalls(SetSubscriptionAttributesCommand).map((c) => c.args[0].input)).toEqual([
    { SubscriptionArn: `${ARN}fbi:bo-sms`, AttributeName: 'FilterPolicy', AttributeValue: '{"contacts":["bo"],"sms":[{"exists":false}]}' },
  ]);
});

it('delivers each published message to exactly the contacts it names', async () => {
  await provisioned();
  const filters = new Map<string, string>([
    ...sns.commandCalls(SubscribeCommand).filter((c) => c.args[0].input.TopicArn === `${ARN}fbi` && c.args[0].input.Protocol !== 'https')
      .map((c) => [`${c.args[0].input.Protocol}:${c.args[0].input.Endpoint}`, c.args[0].input.Attributes!.FilterPolicy!] as const),
    ...sns.commandCalls(SetSubscriptionAttributesCommand).map((c) => ['sms:+12025550102', c.args[0].input.AttributeValue!] as const),
  ]);
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  const publisher = new SnsPublisher(new SNSClient({ region: 'us-east-1' }), ARN);
  const message: RenderedMessage = { sms: 'x', email: { subject: 's', body: 'b' }, default: 'd' };
  await publisher.publish('fbi', message, { incidentId: 'inc_1', contacts: ['bo'] });
  await publisher.publish('fbi', message, { incidentId: 'inc_1', contacts: ['ana', 'desk-night'] });
  await publisher.publish('fbi', message, { incidentId: 'inc_2', contacts: fbi.contacts.map((c) => c.id) });
  await publisher.publish('fbi', message, { incidentId: 'inc_3' });
  // Not for SMS (a correlation notice): the named contacts' emails only.
  await publisher.publish('fbi', message, { incidentId: 'inc_4', contacts: fbi.contacts.map((c) => c.id), sms: false });
  const reached = sns.commandCalls(PublishCommand).map((c) => [...filters].filter(([, f]) => delivered(f, c.args[0].input.MessageAttributes as never)).map(([s]) => s));
  expect(reached).toEqual([
    ['sms:+12025550102'],
    ['sms:+12025550101', 'email:desk@fbi.example'],
    ['sms:+12025550101', 'email:desk@fbi.example', 'sms:+12025550102'],
    // A message naming nobody reaches nobody.
    [],
    ['email:desk@fbi.example'],
  ]);
  expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes).toEqual({
    incidentId: { DataType: 'String', StringValue: 'inc_1' },
    contacts: { DataType: 'String.Array', StringValue: '["bo"]' },
  });
});
