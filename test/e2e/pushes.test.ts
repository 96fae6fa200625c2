/**
 * Signed pushes to partners' endpoints, as npm start stands in for SNS: an organization lists an
 * endpoint, every notification it gets is POSTed there as SNS posts it, and the signature verifies
 * against the certificate the local stand-in serves. RED goes only to endpoints marked for it.
 */
import { verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringToSign } from '../../lambdas/adapters/sns/message-verifier';
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
let receiver: Server;
let endpoint: string;
const received: Array<{ headers: Record<string, string | string[] | undefined>; body: Record<string, string> }> = [];

beforeAll(async () => {
  api = await startTestApi({ notifications: true });
  process.env.CONCORD_PUBLIC_BASE_URL = api.url;
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => { received.push({ headers: req.headers, body: JSON.parse(text) }); res.end('ok'); });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', () => done()));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api.stop();
  await new Promise((done) => receiver.close(done));
});

const fbiWith = (endpoints: unknown) => ({
  name: 'FBI', kind: 'agency', contacts: [{ name: 'fbi duty', email: 'duty@fbi.example', phone: '+12025550000', red: true }], endpoints,
});

it('pushes each notification to the endpoint, signed as SNS signs (SignatureVersion 2), with the incident and the event', async () => {
  // FBI's own admin would do this; the test directory's admin is CISA's, and FBI holds keys, so the operator's path:
  await api.services.directory.putOrganization('fbi', fbiWith([{ url: `${endpoint}/all`, red: false }, { url: `${endpoint}/cleared`, red: true }]) as never);
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'], tlp: 'AMBER' }));
  await eventually(() => received.filter((r) => r.body.Message?.includes(incident.id)).length === 2);
  const pushes = received.filter((r) => r.body.Message?.includes(incident.id));
  expect(pushes.map((p) => p.headers['x-amz-sns-message-type'])).toEqual(['Notification', 'Notification']);

  const [push] = pushes;
  expect(push!.body).toMatchObject({ Type: 'Notification', SignatureVersion: '2', TopicArn: expect.stringMatching(/:concord-org-fbi$/), SigningCertURL: `${api.url}/local/sns/signing-cert.pem` });
  const message = JSON.parse(push!.body.Message!);
  expect(message).toEqual({ type: 'reported', incident: expect.objectContaining({ id: incident.id, tlp: 'AMBER' }), event: expect.objectContaining({ seq: 1, type: 'reported' }) });

  // Verify as a partner would: fetch the certificate the message names, check SHA256withRSA over SNS's string to sign.
  const certificate = await (await fetch(push!.body.SigningCertURL!)).text();
  expect(certificate).toMatch(/BEGIN (CERTIFICATE|PUBLIC KEY)/);
  expect(verify('RSA-SHA256', Buffer.from(stringToSign(push!.body as never)), certificate, Buffer.from(push!.body.Signature!, 'base64'))).toBe(true);
  // A changed message does not verify.
  const forged = { ...push!.body, Message: push!.body.Message!.replace('reported', 'resolved') };
  expect(verify('RSA-SHA256', Buffer.from(stringToSign(forged as never)), certificate, Buffer.from(push!.body.Signature!, 'base64'))).toBe(false);

  // The outbox shows each push and its answer.
  const outbox = api.outbox.messages.find((m) => m.incidentId === incident.id && m.orgId === 'fbi')!;
  expect(outbox.pushes?.map((p) => p.status)).toEqual([200, 200]);
});

it('pushes RED only to endpoints marked for it, through the RED topic', async () => {
  const before = received.length;
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'], tlp: 'RED' }));
  await eventually(() => received.slice(before).some((r) => r.body.Message?.includes(incident.id)));
  await new Promise((r) => setTimeout(r, 300));
  const pushes = received.slice(before).filter((r) => r.body.Message?.includes(incident.id));
  expect(pushes).toHaveLength(1);
  expect(pushes[0]!.body.TopicArn).toMatch(/:concord-org-fbi_red$/);
});

it('refuses endpoints that are not https (http only on loopback), with credentials, or listed twice', async () => {
  const res = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', { name: 'CISA', kind: 'agency', contacts: [], endpoints: [
    { url: 'http://soar.example/in' }, { url: 'https://user:pw@soar.example/in' }, { url: 'ftp://x.example' },
  ] });
  expect(res.status).toBe(400);
  expect([...new Set(res.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual(['endpoints.0.url', 'endpoints.1.url', 'endpoints.2.url']);
  const twice = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', { name: 'CISA', kind: 'agency', contacts: [], endpoints: [{ url: 'https://a.example/x' }, { url: 'https://a.example/x', red: true }] });
  expect(twice.body.errors).toEqual([{ path: 'endpoints.1.url', message: 'listed twice' }]);
});

it('counts a RED endpoint as a cleared recipient, and a cleared contact with no email nor phone as none', async () => {
  const timelineOf = async (id: string, length: number) => (await eventually(async () => {
    const res = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/timeline`);
    return res.body.events.length >= length && res;
  })).body.events as Array<{ type: string; data: Record<string, unknown> }>;
  // Only a RED endpoint: the incident is pushed there, nothing fails.
  await api.services.directory.putOrganization('fbi', { name: 'FBI', kind: 'agency', contacts: [{ name: 'fbi duty', email: 'duty@fbi.example' }], endpoints: [{ url: `${endpoint}/cleared-only`, red: true }] } as never);
  const { body: pushed } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'], tlp: 'RED' }));
  await eventually(() => received.some((r) => r.body.Message?.includes(pushed.id)));
  const events = await timelineOf(pushed.id, 3);
  expect(events.filter((e) => e.data.orgId === 'fbi').map((e) => e.type)).toEqual(['notified']);
  // A contact marked cleared that has nowhere to receive anything: nobody hears it, so it is said.
  await api.services.directory.putOrganization('fbi', { name: 'FBI', kind: 'agency', contacts: [{ name: 'fbi duty', email: 'duty@fbi.example' }, { name: 'cleared, unreachable', red: true }] } as never);
  const { body: unheard } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'], tlp: 'RED' }));
  const failed = (await timelineOf(unheard.id, 3)).filter((e) => e.data.orgId === 'fbi');
  expect(failed.map((e) => e.type)).toEqual(['notification_failed']);
  expect(failed[0]!.data.reason).toMatch(/no contact cleared for TLP:RED/);
});

it('signs exactly the string AWS documents for SignatureVersion 2 (built here independently of the signer)', async () => {
  const push = received.find((r) => r.body.Type === 'Notification')!.body;
  // docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html: these keys, in this
  // order, each followed by a newline and its value and a newline; Subject only when present.
  const keys = ['Message', 'MessageId', ...(push.Subject !== undefined ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type'];
  const canonical = keys.map((k) => `${k}\n${push[k]}\n`).join('');
  const certificate = await (await fetch(push.SigningCertURL!)).text();
  expect(verify('RSA-SHA256', Buffer.from(canonical), certificate, Buffer.from(push.Signature!, 'base64'))).toBe(true);
});
