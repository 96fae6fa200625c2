/** AWS's sns-validator doing what sns-verifier-ours.ts does. */
// @ts-expect-error sns-validator ships no types
import MessageValidator from 'sns-validator';

export const handler = async () => {
  const validator = new MessageValidator();
  const refused = await new Promise<boolean>((done) => validator.validate(MESSAGE, (err: unknown) => done(!!err)));
  return { statusCode: refused ? 403 : 200, body: '' };
};

const MESSAGE = { Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: '{}', Timestamp: '2026-11-01T00:00:00.000Z', SignatureVersion: '1', Signature: 'AAAA', SigningCertURL: 'https://example.com/cert.pem' };
