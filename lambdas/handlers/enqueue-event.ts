/**
 * `POST /v2/enqueue`, the PagerDuty Events API v2. Answers as PagerDuty does, so the tools that
 * send it (Alertmanager, Grafana, Datadog…) understand every reply.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { container } from '../wiring/incidents';
import { ingest } from '../wiring/ingest';
import { BusyError, RateLimitedError, ValidationError } from '../domain/errors';
import { problemFor } from '../http/problems';
import { PagerDutyEvent, type PdEvent } from '../integrations/pagerduty';
import { requestId, type Request } from '../http/handler';
import { logger } from '../runtime/logger';
import { fieldErrors, parseJsonBody } from '../http/request';
import { json } from '../http/responses';
import { PARSE } from '../http/parse-options';

const invalid = (message: string, errors: string[] = [], status = 400) =>
  json(status, { status: 'invalid event', message, errors });

/** PagerDuty's error shapes for every failure on this route. */
const pagerDutyErrors = (): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  onError: (request: Request) => {
    const err = request.error;
    const known = problemFor(err);
    if (err instanceof RateLimitedError || err instanceof BusyError) {
      request.response = json(known!.status, { status: 'throttle event', message: err.message }, known!.headers);
    } else if (err instanceof ValidationError) {
      request.response = invalid('Event object is invalid', err.errors.length ? err.errors.map((e) => `${e.path}: ${e.message}`) : [err.message]);
    } else if (known) {
      request.response = invalid((err as Error).message, [], known.status);
    } else {
      logger.error('unhandled error', { requestId: request.event.requestContext?.requestId, error: err });
      request.response = json(500, { status: 'error', message: 'Internal error; retry later.' });
    }
  },
});

export async function enqueueEvent(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const unknownQuery = Object.keys(event.queryStringParameters ?? {});
  if (unknownQuery.length) throw new ValidationError('Event object is invalid', unknownQuery.map((name) => ({ path: `query.${name}`, message: 'unknown parameter' })));
  const parsed = PagerDutyEvent.safeParse(parseJsonBody(event) ?? {}, PARSE);
  if (!parsed.success) throw new ValidationError('Event object is invalid', fieldErrors(parsed.error, 'event'));
  const body = parsed.data as PdEvent;
  const { directory } = await container();
  const { events } = await ingest();
  const routing = await directory.routingKey(body.routing_key);
  // Unknown, revoked and non-partner keys get the same answer: nothing tells them apart.
  if (!routing) throw new ValidationError('Event object is invalid', [{ path: 'routing_key', message: 'Invalid routing key' }]);
  const dedupKey = await events.enqueue(routing.caller, routing.defaults, body);
  return json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(requestId())
  .use(pagerDutyErrors())
  .handler(enqueueEvent);
