/**
 * CloudWatch alarms through an SNS HTTPS subscription: subscription confirmed, signatures verified
 * with a locally generated certificate, ALARM triggers and OK resolves by alarm ARN.
 */
import { createSign } from 'node:crypto';
import { stringToSign, type SnsMessage } from '../../lambdas/adapters/sns/message-verifier';
import { selfSignedCertificate } from '../support/certificates';
import { KEYS, startTestApi, type TestApi } from '../support/harness';

const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';
const SUBSCRIBE_URL = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:alarms&Token=t0k3n';
const ALARM_ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:voter-portal-5xx';
const tls = selfSignedCertificate('sns.amazonaws.com');
const impostor = selfSignedCertificate('sns.amazonaws.com');

let api: TestApi;
const fetched: string[] = [];
const realFetch = globalThis.fetch;
beforeAll(async () => {
  // SNS's hosts are simulated; every other request (to the local server) goes through.
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!new URL(url).hostname.endsWith('.amazonaws.com')) return realFetch(input, init);
    fetched.push(url);
    return new Response(url.endsWith('.pem') ? tls.cert : '<ConfirmSubscriptionResponse/>', { status: 200 });
  });
  api = await startTestApi();
});
afterAll(async () => {
  jest.restoreAllMocks();
  await api.stop();
});

function signed(fields: Omit<SnsMessage, 'Signature' | 'SignatureVersion' | 'SigningCertURL'>, key = tls.key, version: '1' | '2' = '2'): SnsMessage {
  const message = { ...fields, SignatureVersion: version, SigningCertURL: CERT_URL, Signature: '' } as SnsMessage;
  const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(stringToSign(message));
  return { ...message, Signature: signer.sign(key, 'base64') };
}

const alarm = (state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA', id: string) => signed({
  Type: 'Notification', MessageId: id, TopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms', Subject: `${state}: "voter-portal-5xx" in US East (N. Virginia)`,
  Timestamp: '2026-11-03T14:00:00.000Z',
  Message: JSON.stringify({
    AlarmName: 'voter-portal-5xx', AlarmDescription: 'Voter portal returns 5xx', AWSAccountId: '123456789012', NewStateValue: state,
    NewStateReason: 'Threshold Crossed: 1 datapoint [57.0] was greater than the threshold (10.0).', StateChangeTime: '2026-11-03T14:00:00.000+0000',
    Region: 'US East (N. Virginia)', AlarmArn: ALARM_ARN, OldStateValue: 'OK', Trigger: { MetricName: '5XXError', Namespace: 'AWS/ApiGateway' },
  }),
});

// SNS posts JSON as text/plain.
const post = (routingKey: string, message: unknown) =>
  api.call(null, 'POST', `/v1/integrations/cloudwatch/${routingKey}`, JSON.stringify(message), { 'content-type': 'text/plain; charset=UTF-8' });

const incidents = async () => (await api.call(KEYS.partner.cisa, 'GET', '/v1/incidents')).body.items.filter((i: { dedupKey: string }) => i.dedupKey === ALARM_ARN);

it('confirms the subscription by visiting SNS\'s SubscribeURL', async () => {
  const res = await post(KEYS.partner.cisa, signed({ Type: 'SubscriptionConfirmation', MessageId: 'm0', TopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms', Message: 'You have chosen to subscribe…', Timestamp: '2026-11-03T13:59:00.000Z', Token: 't0k3n', SubscribeURL: SUBSCRIBE_URL }, tls.key, '1'));
  expect(res.status).toBe(200);
  expect(fetched).toContain(SUBSCRIBE_URL);
});

it('triggers on ALARM once, ignores INSUFFICIENT_DATA, resolves on OK', async () => {
  expect((await post(KEYS.partner.cisa, alarm('ALARM', 'm1'))).status).toBe(200);
  expect((await post(KEYS.partner.cisa, alarm('ALARM', 'm2'))).status).toBe(200);
  const [incident] = await incidents();
  expect(await incidents()).toHaveLength(1);
  expect(incident).toMatchObject({ severity: 'high', status: 'reported', reporter: { orgId: 'cisa' }, details: { alarmArn: ALARM_ARN, pagerduty: { client: 'Amazon CloudWatch' } } });
  expect(incident.title).toContain('voter-portal-5xx');
  expect((await post(KEYS.partner.cisa, alarm('INSUFFICIENT_DATA', 'm3'))).body.status).toBe('ignored');
  expect((await post(KEYS.partner.cisa, alarm('OK', 'm4'))).status).toBe(200);
  expect((await incidents())[0].status).toBe('resolved');
});

it('refuses bad signatures, foreign certificate hosts and bad routing keys with 403, changing nothing', async () => {
  const before = await incidents();
  const forged = alarm('ALARM', 'm5');
  const cases = [
    { ...forged, Message: forged.Message.replace('57.0', '99.0') },
    signed({ Type: 'Notification', MessageId: 'm6', TopicArn: 'arn:aws:sns:us-east-1:1:x', Message: '{}', Timestamp: 't' }, impostor.key),
    { ...forged, SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem' },
    { ...forged, SigningCertURL: 'http://sns.us-east-1.amazonaws.com/cert.pem' },
  ];
  for (const message of cases) {
    const res = await post(KEYS.partner.cisa, message);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  }
  expect((await post('not-a-routing-key-at-all-000000', alarm('ALARM', 'm7'))).status).toBe(403);
  expect(fetched.filter((u) => u.includes('evil'))).toEqual([]);
  expect(await incidents()).toEqual(before);
});

it('refuses envelopes that are not SNS messages with 400', async () => {
  const res = await post(KEYS.partner.cisa, { hello: 'world' });
  expect(res.status).toBe(400);
  expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['Type', 'Signature']));
});
