/**
 * `GET /local/outbox`, `POST /local/sms` and `POST /local/token`: local stand-ins for what AWS does around the service,
 * for development and tests only. They exist only in local mode.
 */
import type { APIGatewayProxyResult, SNSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ValidationError } from '../lambdas/domain/errors';
import { MethodNotAllowedError, UnsupportedMediaTypeError } from '../lambdas/http/errors';
import { handler as receiveSms } from '../lambdas/handlers/receive-sms';
import { fieldErrors, parseJsonBody } from '../lambdas/http/request';
import { json } from '../lambdas/http/responses';
import { InboundSmsMessage } from '../lambdas/integrations/sms';
import * as z from 'zod';
import type { LocalIdentityProvider } from './identity-provider';
import type { LocalOutbox } from './outbox';
import { SIGNING_CERT_PATH } from './sns-push';
import { PARSE } from '../lambdas/http/parse-options';

const TokenRequest = z.strictObject({ login: z.string().min(1).max(64) });

export function localRoutes(outbox: LocalOutbox, idp?: LocalIdentityProvider) {
  return async (req: IncomingMessage, body: Buffer, url: URL): Promise<APIGatewayProxyResult | null> => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === '/local/token' && idp) {
      if (method !== 'POST') throw new MethodNotAllowedError(`${method} is not allowed here.`, ['POST']);
      const raw = parseJsonBody({ body: body.toString('utf8'), headers: req.headers as Record<string, string>, isBase64Encoded: false } as never);
      const parsed = TokenRequest.safeParse(raw ?? {}, PARSE);
      if (!parsed.success) throw new ValidationError('Send {"login": "<a login of the directory file\'s people>"}.', fieldErrors(parsed.error, 'body'));
      const login = parsed.data.login.trim().toLowerCase();
      if (!idp.people.some((p) => p.login === login)) {
        throw new ValidationError(`No person with login "${parsed.data.login}" in the directory file.`, [{ path: 'login', message: 'unknown login' }]);
      }
      return json(200, await idp.token(login));
    }
    if (url.pathname === SIGNING_CERT_PATH) {
      if (method !== 'GET') throw new MethodNotAllowedError(`${method} is not allowed here.`, ['GET']);
      return { statusCode: 200, headers: { 'content-type': 'application/x-pem-file' }, body: outbox.pusher.certificate };
    }
    if (url.pathname === '/local/outbox') {
      if (method !== 'GET') throw new MethodNotAllowedError(`${method} is not allowed here.`, ['GET']);
      return json(200, { messages: outbox.messages });
    }
    if (url.pathname === '/local/sms') {
      if (method !== 'POST') throw new MethodNotAllowedError(`${method} is not allowed here.`, ['POST']);
      const raw = parseJsonBody({ body: body.toString('utf8'), headers: req.headers as Record<string, string>, isBase64Encoded: false } as never);
      if (raw === undefined) throw new UnsupportedMediaTypeError('Send the inbound SMS as JSON.');
      const parsed = InboundSmsMessage.safeParse(raw, PARSE);
      if (!parsed.success) throw new ValidationError('Not an inbound SMS.', fieldErrors(parsed.error, 'body'));
      const event: SNSEvent = {
        Records: [{
          EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn:aws:sns:local:000000000000:concord-inbound-sms:local',
          Sns: {
            Type: 'Notification', MessageId: randomUUID(), TopicArn: 'arn:aws:sns:local:000000000000:concord-inbound-sms',
            Subject: '', Message: JSON.stringify({ destinationNumber: '+18005550199', ...parsed.data }), Timestamp: new Date().toISOString(),
            SignatureVersion: '1', Signature: '', SigningCertUrl: '', UnsubscribeUrl: '', MessageAttributes: {},
          },
        }],
      };
      const { replies } = await receiveSms(event);
      return json(200, { replies });
    }
    return null;
  };
}
