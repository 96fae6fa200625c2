/**
 * The local host: turns HTTP requests into API Gateway proxy events and calls the very same
 * authorizer and handler functions that Lambda runs. One code path, two hosts.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { authenticate, contextOf } from '../lambdas/handlers/authorize';
import { NotFoundError } from '../lambdas/domain/errors';
import { MethodNotAllowedError, PayloadTooLargeError, RequestTimeoutError } from '../lambdas/http/errors';
import { errorAsPage } from '../lambdas/http/ack-pages';
import { toProblem, type ErrorRenderer } from '../lambdas/http/handler';
import { MAX_BODY_BYTES, assertOneAuthorization } from '../lambdas/http/request';
import { problem, problemType } from '../lambdas/http/responses';
import { isTaxiiPath, taxiiError } from '../lambdas/http/taxii';
import { ALL_ROUTES, type RouteSpec } from '../lambdas/http/routes';
import { HANDLERS, type ProxyHandler } from './handlers';

interface CompiledRoute { spec: RouteSpec; pattern: RegExp; names: string[]; handler: ProxyHandler }

function compile(routes: readonly RouteSpec[], handlers: Record<string, ProxyHandler>): CompiledRoute[] {
  return routes.map((spec) => {
    const names: string[] = [];
    const source = spec.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const handler = handlers[spec.handler];
    if (!handler) throw new Error(`No handler "${spec.handler}" for ${spec.method} ${spec.path}`);
    // TAXII writes its URLs with a trailing slash; the same URL without it is accepted too.
    const slash = spec.path.length > 1 && spec.path.endsWith('/') ? '?' : '';
    return { spec, pattern: new RegExp(`^${source}${slash}$`), names, handler };
  });
}

class BodyTooLarge extends Error {}
class BodyTimedOut extends Error {}

/** How long a body may pause between two chunks, and take in all, before the request is answered 408. */
export const BODY_IDLE_MS = 5_000;
export const BODY_TOTAL_MS = 30_000;

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;
/** Whether a request's Host names the loopback interface (DNS rebinding gives another name). */
export const isLoopbackHost = (host: string | undefined) => host !== undefined && LOOPBACK_HOST.test(host);

/**
 * The path as the client sent it, for routing: API Gateway routes the raw path, so `%2e%2e` is a
 * segment like any other there. (WHATWG URL parsing resolves `..`, `%2e%2e` and `\\` first, which
 * let `/v1/incidents/x/%2e%2e/%2e%2e/incidents` reach POST /v1/incidents.)
 */
export function rawPathOf(requestTarget: string | undefined): string {
  let target = requestTarget ?? '/';
  // absolute-form (`GET http://localhost/v1/… HTTP/1.1`): the path after the authority.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  const end = target.search(/[?#]/);
  return end < 0 ? target : target.slice(0, end);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The body, at most MAX_BODY_BYTES, arriving without a pause of BODY_IDLE_MS and within
 * BODY_TOTAL_MS: a Content-Length that promises more than is sent no longer holds the server
 * until Node's own request timeout (300 s).
 */
function readBody(req: IncomingMessage, { idleMs = BODY_IDLE_MS, totalMs = BODY_TOTAL_MS } = {}): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout;
    const stop = (err: Error) => {
      clearTimeout(idle);
      clearTimeout(total);
      req.removeAllListeners('data');
      req.resume();
      fail(err);
    };
    const total = setTimeout(() => stop(new BodyTimedOut()), totalMs);
    const wait = () => { clearTimeout(idle); idle = setTimeout(() => stop(new BodyTimedOut()), idleMs); };
    wait();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        stop(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
      wait();
    });
    req.on('end', () => { clearTimeout(idle); clearTimeout(total); done(Buffer.concat(chunks)); });
    req.on('error', (err) => { clearTimeout(idle); clearTimeout(total); fail(err); });
  });
}

function lambdaContext(requestId: string, functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function send(res: ServerResponse, result: APIGatewayProxyResult, requestId: string): void {
  const headers: Record<string, string | number | boolean> = { ...(result.headers ?? {}), 'x-request-id': requestId };
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String).join(', ');
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
  res.writeHead(result.statusCode, { ...headers, 'content-length': body.length });
  res.end(body);
}

export interface LocalServerOptions {
  routes?: readonly RouteSpec[];
  handlers?: Record<string, ProxyHandler>;
  /** Called for requests that match no route, before the 404: local stand-ins hook in here. */
  fallback?: (req: IncomingMessage, body: Buffer, url: URL) => Promise<APIGatewayProxyResult | null>;
  /** Whole applications served before any route (the local identity provider); true when one answered. */
  mounts?: Array<(req: IncomingMessage, res: ServerResponse) => Promise<boolean>>;
}

export function createLocalServer(options: LocalServerOptions = {}): Server {
  const server = createServer(createRequestListener(options));
  // Requests Node refuses before any handler runs (a URL or headers over 16 KB, a malformed
  // request line) still get a problem document and a request id.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: problemType(tooLarge ? 'headers-too-large' : 'malformed-request'),
      title: tooLarge ? 'Request line or headers too large' : 'Malformed HTTP request',
      status,
      detail: tooLarge ? 'The URL and headers must fit in 16 KB.' : 'The request could not be parsed as HTTP/1.1.',
    });
    socket.end(`HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/problem+json\r\nx-request-id: ${randomUUID()}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  return server;
}

/** The request listener alone, for mounting on another server (HTTPS in tests). */
export function createRequestListener(options: LocalServerOptions = {}): RequestListener {
  const routes = compile(options.routes ?? ALL_ROUTES, options.handlers ?? HANDLERS);

  async function handle(req: IncomingMessage, requestId: string): Promise<APIGatewayProxyResult> {
    // The path as sent (`rawPathOf`), for routing and for the handler; the query as URL parses it.
    const path = rawPathOf(req.url);
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
      if (err instanceof BodyTimedOut) throw new RequestTimeoutError(`The body did not arrive: nothing came for ${BODY_IDLE_MS / 1000} s, or it took over ${BODY_TOTAL_MS / 1000} s (is Content-Length larger than the body?).`);
      throw err;
    }
    const candidates = routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((c) => c.m);
    const match = candidates.find((c) => c.r.spec.method === method || (method === 'HEAD' && c.r.spec.method === 'GET'));
    if (!match) {
      // The stand-ins match on a parsed URL: only when parsing changed nothing of the path.
      const local = url?.pathname === path ? await options.fallback?.(req, body, url) : null;
      if (local) return local;
      if (candidates.length) throw new MethodNotAllowedError(`${method} is not allowed here.`, [...new Set(candidates.map((c) => c.r.spec.method))]);
      throw new NotFoundError(`No route ${method} ${path.slice(0, 200)}.`);
    }
    const { spec, handler, names } = match.r;
    const pathParameters: Record<string, string> = {};
    // A segment that is not valid percent-encoding (`%ZZ`) reaches the handler as it came, as API
    // Gateway passes it, so both hosts give the handler's answer (an ack page's 403, an incident's 404).
    names.forEach((name, i) => { pathParameters[name] = decodeSegment(match.m![i + 1]!); });
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    // Every value as sent: Node keeps only the first of some headers in `req.headers` (Authorization among them).
    for (const [k, v] of Object.entries(req.headersDistinct)) if (v !== undefined) multiValueHeaders[k] = v;
    // Before the authorizer, as the handler would: two Authorization headers are 400, not the first one's caller.
    assertOneAuthorization({ headers, multiValueHeaders });
    // Without a prototype: a parameter named __proto__ or constructor is a key like any other.
    const query: Record<string, string> = Object.create(null);
    const multiQuery: Record<string, string[]> = Object.create(null);
    for (const [k, v] of url?.searchParams ?? []) { query[k] = v; (multiQuery[k] ??= []).push(v); }

    // What API Gateway's REQUEST authorizer does before the handler runs.
    const authorizer = spec.auth === 'public' ? null : contextOf(await authenticate(headers, requestId));

    const utf8 = isUtf8(body);
    const event: APIGatewayProxyEvent = {
      resource: spec.path,
      path,
      httpMethod: method,
      headers,
      multiValueHeaders,
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
      pathParameters: names.length ? pathParameters : null,
      stageVariables: null,
      // Bytes that are not UTF-8 go as base64, as API Gateway sends binary, so the handler refuses them (415).
      body: body.length ? (utf8 ? body.toString('utf8') : body.toString('base64')) : null,
      isBase64Encoded: body.length > 0 && !utf8,
      requestContext: {
        accountId: '000000000000', apiId: 'local', stage: 'local', requestId, protocol: 'HTTP/1.1',
        httpMethod: method, path, resourceId: spec.operationId, resourcePath: spec.path,
        requestTimeEpoch: Date.now(), authorizer,
        identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? null } as APIGatewayProxyEvent['requestContext']['identity'],
      },
    };
    const result = await handler(event, lambdaContext(requestId, spec.handler));
    if (method === 'HEAD') return { ...result, body: '' };
    return result;
  }

  /**
   * Errors raised before a handler runs (401, 404, 405, 413, …) answer as the path's route would:
   * HTML on ack pages, TAXII error messages under /taxii2.
   */
  function rendererFor(req: IncomingMessage): ErrorRenderer {
    const pathname = rawPathOf(req.url);
    if (routes.some((r) => r.spec.html && r.pattern.test(pathname))) return errorAsPage;
    if (isTaxiiPath(pathname)) return taxiiError;
    return toProblem;
  }

  const mounts = options.mounts ?? [];
  return (req, res) => {
    const requestId = randomUUID();
    if (!isLoopbackHost(req.headers.host)) {
      // A page on another site that rebinds its name to 127.0.0.1 must not reach the local stand-ins
      // (the outbox, tokens for demo people): only loopback names are served.
      send(res, problem({ status: 421, slug: 'misdirected-request', title: 'Not served under this name', detail: 'The local server answers only to localhost, 127.0.0.1 and [::1].' }), requestId);
      return;
    }
    if (mounts.length) {
      void (async () => {
        for (const mount of mounts) if (await mount(req, res)) return;
        serve(req, res, requestId);
      })().catch((err: unknown) => {
        if (!res.headersSent) send(res, toProblem(err, requestId), requestId);
      });
      return;
    }
    serve(req, res, requestId);
  };

  function serve(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    handle(req, requestId)
      .catch((err: unknown) => rendererFor(req)(err, requestId))
      .then((result) => {
        if (res.headersSent) return;
        // A refused oversized or stalled body may still be arriving: close rather than read it.
        if (result.statusCode === 413 || result.statusCode === 408) res.setHeader('connection', 'close');
        send(res, result, requestId);
      });
  }
}
