/** Our SNS signature verifier: made, then asked about one message (refused before any fetch). */
import { makeSnsVerifier } from '../../lambdas/adapters/sns/message-verifier';

export const handler = async () => {
  const verifier = makeSnsVerifier();
  const refused = await verifier.verify(MESSAGE as never).then(() => false, () => true);
  return { statusCode: refused ? 403 : 200, body: '' };
};

const MESSAGE = { Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: '{}', Timestamp: '2026-11-01T00:00:00.000Z', SignatureVersion: '1', Signature: 'AAAA', SigningCertURL: 'https://example.com/cert.pem' };
