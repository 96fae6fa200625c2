/**
 * Turning an API Gateway proxy event into validated input: the caller (from the authorizer's
 * context), the JSON body and the query string, each checked against the route's schemas.
 * Every problem of body and query is reported at once.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import {
  ForbiddenError, NotFoundError, UnauthorizedError, ValidationError, type FieldError,
} from '../domain/errors';
import { ROLES, type Caller, type Role } from '../domain/actor';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './errors';
import { DuplicateKeyError, parseJsonLossless } from '../shared/json';
import { escapeBidi } from '../shared/bidi';
import { PARSE } from './parse-options';
import type { RouteSpec } from './routes';

export const MAX_BODY_BYTES = 64 * 1024;
/** Deeper JSON than this is refused before anything walks it recursively. */
export const MAX_JSON_DEPTH = 32;

/** The authorizer's verdict, as API Gateway passes it in `requestContext.authorizer`. */
export function callerFrom(event: APIGatewayProxyEvent): Caller | null {
  const ctx = event.requestContext?.authorizer;
  if (!ctx || typeof ctx.orgId !== 'string' || !ROLES.includes(ctx.role)) return null;
  const person = typeof ctx.personId === 'string' && ctx.personId
    ? { id: ctx.personId, name: String(ctx.personName ?? ctx.personId), ...(typeof ctx.personEmail === 'string' && ctx.personEmail ? { email: ctx.personEmail } : {}) }
    : undefined;
  return { orgId: ctx.orgId, role: ctx.role as Role, keyId: String(ctx.keyId ?? ''), ...(person ? { person } : {}) };
}

export function authorize(event: APIGatewayProxyEvent, auth: RouteSpec['auth']): Caller | null {
  if (auth === 'public') return null;
  const caller = callerFrom(event);
  if (!caller) throw new UnauthorizedError('A valid API key or token is required: Authorization: Bearer <key or token>.');
  if (!auth.includes(caller.role)) throw new ForbiddenError(`A ${caller.role} ${caller.person ? 'person' : 'key'} may not do this; it needs one of: ${auth.join(', ')}.`);
  return { ...caller, requestId: event.requestContext?.requestId ?? 'unknown' };
}

/** A header by name, whatever its case (API Gateway keeps the client's). */
export function headerIn(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === wanted && v !== undefined) return v;
  return undefined;
}

export const header = (event: APIGatewayProxyEvent, name: string) => headerIn(event.headers, name);

/**
 * How many Authorization headers a request carries, whatever their case: API Gateway's `headers`
 * keeps one value of each name, `multiValueHeaders` every one.
 */
type HeaderMaps = { headers?: Record<string, string | undefined> | null; multiValueHeaders?: Record<string, string[] | undefined> | null };

export function authorizationCount(event: HeaderMaps): number {
  const named = (k: string) => k.toLowerCase() === 'authorization';
  const multi = Object.entries(event.multiValueHeaders ?? {}).filter(([k]) => named(k)).reduce((n, [, v]) => n + (v?.length ?? 0), 0);
  const single = Object.entries(event.headers ?? {}).filter(([k, v]) => named(k) && v !== undefined).length;
  return Math.max(multi, single);
}

/**
 * Two Authorization headers are 400: which one counts would otherwise depend on the host (the
 * first in Node, the last in API Gateway's `headers`). Checked before any caller is trusted; the
 * authorizer lets such a request on with no caller at all (it cannot answer 400 itself).
 */
export function assertOneAuthorization(event: HeaderMaps): void {
  const count = authorizationCount(event);
  if (count > 1) {
    throw new ValidationError(`Send one Authorization header; this request has ${count}.`, [{ path: 'Authorization', message: `sent ${count} times; send it once` }]);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text; bytes that are not UTF-8 are refused (415), never replaced with U+FFFD. */
export function rawBody(event: APIGatewayProxyEvent): string {
  if (!event.body) return '';
  if (!event.isBase64Encoded) return event.body;
  try {
    return UTF8.decode(Buffer.from(event.body, 'base64'));
  } catch {
    throw new UnsupportedMediaTypeError('The body is not valid UTF-8.');
  }
}

const isJsonMediaType = (contentType: string) => {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
};

/** The `charset` parameter of a content type, lowercased and unquoted; null when absent. */
function charsetOf(contentType: string): string | null {
  for (const param of contentType.split(';').slice(1)) {
    const [name, ...value] = param.split('=');
    if (name!.trim().toLowerCase() === 'charset') return value.join('=').trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return null;
}

/** Depth and Unicode checks the parser does not make: lone surrogates cannot be stored as UTF-8. */
function checkParsed(value: unknown): string | null {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return 'The body contains a string with an unpaired UTF-16 surrogate.';
    } else if (v !== null && typeof v === 'object') {
      if (depth > MAX_JSON_DEPTH) return `The body is nested deeper than ${MAX_JSON_DEPTH} levels.`;
      for (const [k, child] of Object.entries(v)) {
        if (!k.isWellFormed()) return 'The body contains a key with an unpaired UTF-16 surrogate.';
        stack.push([child, depth + 1]);
      }
    }
  }
  return null;
}

/** Parses the JSON body; an empty body is `undefined`. */
export function parseJsonBody(event: APIGatewayProxyEvent, { anyContentType = false } = {}): unknown {
  const text = rawBody(event);
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  if (text.trim() === '') return undefined;
  const contentType = header(event, 'content-type');
  if (!anyContentType && (!contentType || !isJsonMediaType(contentType))) {
    throw new UnsupportedMediaTypeError(`Send the body as JSON with content-type: application/json (got ${contentType ? JSON.stringify(contentType.slice(0, 100)) : 'none'}).`);
  }
  // JSON is UTF-8 (RFC 8259); a body declared in another charset would be misread, not converted.
  const charset = contentType ? charsetOf(contentType) : null;
  if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeError(`The body must be UTF-8; charset=${JSON.stringify(charset.slice(0, 40))} is not accepted.`);
  }
  let parsed: unknown;
  try {
    // Numbers kept as sent and every key kept: `details` are returned exactly (shared/json.ts).
    parsed = parseJsonLossless(text);
  } catch (err) {
    if (err instanceof DuplicateKeyError) {
      throw new ValidationError(`The body has the key "${escapeBidi(err.key.slice(0, 100))}" twice in one object.`, [{ path: escapeBidi([...err.path, err.key].join('.')) || 'body', message: 'duplicate key' }]);
    }
    throw new ValidationError(`The body is not valid JSON: ${err instanceof SyntaxError ? err.message.slice(0, 200) : 'unreadable'}.`);
  }
  const problem = checkParsed(parsed);
  if (problem) throw new ValidationError(problem);
  return parsed;
}

/**
 * Every issue as `{path, message}`. A path may hold names the client sent (an unknown field, a
 * record's key): their bidirectional controls are written out, whichever answer names them.
 */
export function fieldErrors(error: z.core.$ZodError, root: string): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'unknown field' }));
    }
    if (issue.code === 'invalid_key') {
      // A record's key refused by its own schema: say why, not only "Invalid key in record".
      return [{ path: path.join('.') || root, message: `key ${issue.issues.map((i) => i.message).join('; ')}` }];
    }
    return [{ path: path.join('.') || root, message: issue.message }];
  }).map((e) => ({ ...e, path: escapeBidi(e.path) }));
}

export interface ParsedInput<B = unknown, Q = unknown> {
  caller: Caller | null;
  body: B;
  query: Q;
  params: Record<string, string>;
  requestId: string;
}

function queryOf(event: APIGatewayProxyEvent): Record<string, string> {
  // Without a prototype, so `?__proto__=` is an (unknown) parameter, not a prototype change.
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

export function parseInput(event: APIGatewayProxyEvent, spec: RouteSpec): ParsedInput {
  assertOneAuthorization(event);
  const caller = authorize(event, spec.auth);
  const errors: FieldError[] = [];
  let body: unknown;
  if (spec.body) {
    const raw = parseJsonBody(event, { anyContentType: spec.anyContentType });
    if (raw === undefined && !spec.bodyOptional) {
      throw new ValidationError('A JSON body is required.', [{ path: 'body', message: 'is required' }]);
    }
    const result = spec.body.safeParse(raw ?? {}, PARSE);
    if (result.success) body = result.data;
    else errors.push(...fieldErrors(result.error, 'body'));
  }
  if (!spec.body && !spec.html && !spec.rawBody && rawBody(event).trim() !== '') {
    // A body where none is taken is refused, never ignored: `DELETE …` with `{"bogus":1}` must not pass.
    errors.push({ path: 'body', message: 'this route takes no body' });
  }
  let query: unknown;
  if (spec.query) {
    const result = spec.query.safeParse(queryOf(event), PARSE);
    if (result.success) query = result.data;
    else errors.push(...fieldErrors(result.error, 'query'));
  } else {
    // A route that takes no query refuses every parameter: `?dryRun=true` must not pass unnoticed.
    errors.push(...Object.keys(queryOf(event)).map((key) => ({ path: key, message: 'unknown field' })));
  }
  if (errors.length) throw new ValidationError(`${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${errors.map((e) => e.path).join(', ')}.`, errors);
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) params[k] = v;
  if (spec.params) {
    const checked = spec.params.safeParse(params, PARSE);
    if (!checked.success) {
      // A path that cannot name a resource: nothing is there (404), unless PUT was to create it there.
      if (spec.method !== 'PUT') throw new NotFoundError(`Nothing at ${event.path ?? 'this path'}.`);
      const errors = fieldErrors(checked.error, 'path');
      throw new ValidationError(`${errors.length} invalid path parameter${errors.length === 1 ? '' : 's'}: ${errors.map((e) => e.path).join(', ')}.`, errors);
    }
  }
  return { caller, body, query, params, requestId: event.requestContext?.requestId ?? 'unknown' };
}
