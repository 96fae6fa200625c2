/**
 * Verifies messages that SNS delivers to an HTTPS endpoint: the signing certificate must come from
 * an `sns.<region>.amazonaws.com` host over HTTPS, and the signature must match the message's
 * canonical string (SignatureVersion 1: SHA1, 2: SHA256). Certificates are cached per URL.
 */
import { verify } from 'node:crypto';
import type * as z from 'zod/mini';
import type { SnsEnvelope } from '../../integrations/cloudwatch';
import { ForbiddenError } from '../../domain/errors';

/** A message as SNS posts it to an HTTPS subscription, as its schema (http/schemas.ts) accepts it. */
export type SnsMessage = z.output<typeof SnsEnvelope>;

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** Only AWS's own SNS endpoints, over HTTPS: anything else could hand us a certificate of its choosing. */
export function isSnsUrl(value: string, pathSuffix?: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && SNS_HOST.test(url.hostname) && url.port === '' && (!pathSuffix || url.pathname.endsWith(pathSuffix));
  } catch {
    return false;
  }
}

export function stringToSign(m: SnsMessage): string {
  const fields: Array<keyof SnsMessage> = m.Type === 'Notification'
    ? ['Message', 'MessageId', ...(m.Subject ? ['Subject' as const] : []), 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return fields.map((f) => `${f}\n${m[f] ?? ''}\n`).join('');
}

export type FetchText = (url: string) => Promise<string>;

const MAX_CERTIFICATE_BYTES = 16 * 1024;

export const fetchText: FetchText = async (url) => {
  const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_CERTIFICATE_BYTES) throw new Error(`GET ${url}: too large`);
  return text;
};

export function makeSnsVerifier(get: FetchText = (url) => fetchText(url)) {
  const certificates = new Map<string, Promise<string>>();
  const refuse = () => new ForbiddenError('The message is not signed by Amazon SNS.');
  return {
    async verify(message: SnsMessage): Promise<void> {
      if (!isSnsUrl(message.SigningCertURL, '.pem')) throw refuse();
      let certificate = certificates.get(message.SigningCertURL);
      if (!certificate) {
        certificate = get(message.SigningCertURL);
        certificates.set(message.SigningCertURL, certificate);
        certificate.catch(() => certificates.delete(message.SigningCertURL));
      }
      let valid = false;
      try {
        const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
        valid = verify(algorithm, Buffer.from(stringToSign(message), 'utf8'), await certificate, Buffer.from(message.Signature, 'base64'));
      } catch {
        valid = false;
      }
      if (!valid) throw refuse();
    },

    /** Confirms a subscription by visiting its SubscribeURL, which must be SNS's own. */
    async confirm(message: SnsMessage): Promise<void> {
      if (!message.SubscribeURL || !isSnsUrl(message.SubscribeURL)) throw refuse();
      await get(message.SubscribeURL);
    },
  };
}

export type SnsVerifier = ReturnType<typeof makeSnsVerifier>;
