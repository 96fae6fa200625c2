/**
 * What SNS does for an organization's HTTPS endpoints, for `npm start`: each notification is
 * POSTed as SNS posts it — the JSON envelope (`Type`, `MessageId`, `TopicArn`, `Subject`,
 * `Message`, `Timestamp`, `SignatureVersion` 2, `Signature`, `SigningCertURL`, `UnsubscribeURL`)
 * and SNS's headers — signed SHA256withRSA with a local certificate served at
 * `/local/sns/signing-cert.pem`. Only loopback endpoints are pushed to: nothing leaves the machine.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringToSign } from '../lambdas/adapters/sns/message-verifier';

export const SIGNING_CERT_PATH = '/local/sns/signing-cert.pem';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const isLoopback = (url: string) => {
  try {
    return LOOPBACK.has(new URL(url).hostname);
  } catch {
    return false;
  }
};

/** A key and a self-signed certificate for it (openssl when the machine has it, else the bare public key). */
function makeSigningIdentity(): { privateKey: string; certificate: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'concord-sns-'));
  try {
    writeFileSync(join(dir, 'key.pem'), keyPem, { mode: 0o600 });
    execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-days', '365', '-subj', '/CN=concord-local-sns', '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { privateKey: keyPem, certificate: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return { privateKey: keyPem, certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PushOutcome { url: string; status: number | string }

export class LocalSnsPusher {
  private identity?: { privateKey: string; certificate: string };

  /** @param baseUrl where the local server answers (for SigningCertURL); read when a push is made */
  constructor(private readonly baseUrl: () => string) {}

  get certificate(): string {
    this.identity ??= makeSigningIdentity();
    return this.identity.certificate;
  }

  /** The envelope SNS would post for this message, signed. */
  envelope(topicArn: string, subject: string, message: string): Record<string, string> {
    this.identity ??= makeSigningIdentity();
    const unsigned = {
      Type: 'Notification', MessageId: randomUUID(), TopicArn: topicArn, Subject: subject, Message: message,
      Timestamp: new Date().toISOString(), SignatureVersion: '2',
      SigningCertURL: `${this.baseUrl()}${SIGNING_CERT_PATH}`,
      UnsubscribeURL: `${this.baseUrl()}/local/sns/unsubscribe?SubscriptionArn=${encodeURIComponent(`${topicArn}:local`)}`,
    };
    const signature = sign('RSA-SHA256', Buffer.from(stringToSign({ ...unsigned, Signature: '' } as never), 'utf8'), this.identity.privateKey).toString('base64');
    return { ...unsigned, Signature: signature };
  }

  /** POSTs the envelope to a loopback endpoint, as SNS would (TLS certificates of loopback servers are not checked). */
  push(url: string, envelope: Record<string, string>): Promise<PushOutcome> {
    if (!isLoopback(url)) return Promise.resolve({ url, status: 'not pushed: npm start pushes to loopback endpoints only' });
    const body = JSON.stringify(envelope);
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(target, {
        method: 'POST', timeout: 3000, rejectUnauthorized: false,
        headers: {
          'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body),
          'x-amz-sns-message-type': 'Notification', 'x-amz-sns-message-id': envelope.MessageId!,
          'x-amz-sns-topic-arn': envelope.TopicArn!, 'x-amz-sns-subscription-arn': `${envelope.TopicArn}:local`, 'user-agent': 'Amazon Simple Notification Service Agent',
        },
      }, (res) => { res.resume(); res.on('end', () => resolve({ url, status: res.statusCode ?? 0 })); });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => resolve({ url, status: `failed: ${err.message}` }));
      req.end(body);
    });
  }
}
