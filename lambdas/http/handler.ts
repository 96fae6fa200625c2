/**
 * The shared middy stack every HTTP handler is composed of:
 *   problemDetails  (onError) domain errors → problem+json 4xx; anything else → a generic 500
 *   requestId       (after/onError) `x-request-id` on every response
 *   validate        (before) caller, body and query checked against the route's spec
 * A handler then takes parsed input, calls one use case and maps the result to a response.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Caller } from '../domain/actor';
import { logger } from '../runtime/logger';
import { parseInput, type ParsedInput } from './request';
import { problemFor } from './problems';
import { problem } from './responses';
import type { RouteSpec } from './routes';

export type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

const requestIdOf = (event: APIGatewayProxyEvent) => event.requestContext?.requestId ?? 'unknown';

export function toProblem(err: unknown, requestId: string): APIGatewayProxyResult {
  const known = problemFor(err);
  if (known) return problem({ ...known, detail: (err as Error).message });
  logger.error('unhandled error', { requestId, error: err });
  return problem({ status: 500, slug: 'internal', title: 'Internal error', detail: `Something went wrong on our side. Quote request id ${requestId} when reporting it.` });
}

export type ErrorRenderer = (err: unknown, requestId: string) => APIGatewayProxyResult;

const problemDetails = (render: ErrorRenderer): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  onError: (request: Request) => {
    request.response = render(request.error, requestIdOf(request.event));
  },
});

export const requestId = (): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => {
  const stamp = (request: Request) => {
    if (request.response) request.response.headers = { ...request.response.headers, 'x-request-id': requestIdOf(request.event) };
  };
  return { after: stamp, onError: stamp };
};

type Infer<T> = T extends z.ZodMiniType ? z.output<T> : undefined;
type CallerOf<S extends RouteSpec> = S['auth'] extends 'public' ? null : Caller;

export type Input<S extends RouteSpec> = Omit<ParsedInput<Infer<S['body']>, Infer<S['query']>>, 'caller'> & { caller: CallerOf<S> };

/**
 * Composes an HTTP handler for `spec`. `handle` is exported separately by each handler file so
 * tests can call it without API Gateway events. Errors are problem documents unless the route
 * answers HTML (`spec.html`), whose handler passes the renderer of its pages.
 */
export function httpHandler<S extends RouteSpec>(
  spec: S,
  handle: (input: Input<S>, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
  renderError: ErrorRenderer = toProblem,
) {
  const validated = new WeakMap<APIGatewayProxyEvent, Input<S>>();
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>({ timeoutEarlyInMillis: 0 })
    // onError runs in reverse order of registration: the problem first, then its x-request-id.
    .use(requestId())
    .use(problemDetails(renderError))
    .before((request: Request) => {
      validated.set(request.event, parseInput(request.event, spec) as Input<S>);
    })
    .handler((event) => handle(validated.get(event)!, event));
}
