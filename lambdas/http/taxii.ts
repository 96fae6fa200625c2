/**
 * TAXII 2.1 over HTTP: media types, content negotiation (406 on Accept, 415 on POST's
 * Content-Type), and the TAXII error message, which every TAXII path answers errors with instead
 * of a problem document: `{"title", "description", "error_id", "http_status", "details"?}` as
 * `application/taxii+json;version=2.1`, with the same statuses and headers the rest of the API uses.
 */
import { escapeBidiDeep } from '../shared/bidi';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DomainError, ValidationError } from '../domain/errors';
import { stringifyJson } from '../shared/json';
import { logger } from '../runtime/logger';
import { httpHandler, type Input } from './handler';
import { problemFor } from './problems';
import { PRIVATE } from './responses';
import { header } from './request';
import type { RouteSpec } from './routes';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';
/** Every TAXII path starts here; errors below it are TAXII error messages. */
export const TAXII_PREFIX = '/taxii2';
export const API_ROOT = 'concord';

export const isTaxiiPath = (path: string) => path === TAXII_PREFIX || path.startsWith(`${TAXII_PREFIX}/`);

/** The Accept header names nothing TAXII can answer with. */
export class NotAcceptableError extends DomainError {}

/** A TAXII JSON answer: private, as every answer of the API (it may carry RED incidents). */
export function taxiiJson(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': TAXII_MEDIA_TYPE, ...PRIVATE, ...headers }, body: stringifyJson(body) };
}

/** A TAXII error message (TAXII 2.1 §3.6.1) for any error; a fault of ours is a 500 whose cause is logged, never sent. */
export function taxiiError(err: unknown, requestId: string): APIGatewayProxyResult {
  const message = (status: number, title: string, description: string, headers: Record<string, string> = {}, details?: unknown) =>
    taxiiJson(status, escapeBidiDeep({ title, description, error_id: requestId, http_status: String(status), ...(details ? { details } : {}) }), headers);
  if (err instanceof NotAcceptableError) return message(406, 'Not acceptable', err.message);
  const known = problemFor(err);
  if (known) {
    const details = err instanceof ValidationError && err.errors.length ? { errors: err.errors } : undefined;
    const headers = known.status === 401 ? { ...known.headers, 'www-authenticate': 'Basic realm="Concord TAXII", Bearer' } : known.headers;
    return message(known.status, known.title, (err as Error).message, headers, details);
  }
  logger.error('unhandled error', { requestId, error: err });
  return message(500, 'Internal error', `Something went wrong on our side. Quote request id ${requestId} when reporting it.`);
}

interface MediaRange { type: string; params: Record<string, string>; q: number }

function mediaRanges(value: string): MediaRange[] {
  return value.split(',').map((part) => {
    const [type, ...rest] = part.split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const [k, ...v] = p.split('=');
      if (k && k.trim()) params[k.trim().toLowerCase()] = v.join('=').trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    }
    const q = params.q === undefined ? 1 : Number(params.q);
    delete params.q;
    return { type: type!.trim().toLowerCase(), params, q: Number.isFinite(q) ? q : 0 };
  }).filter((r) => r.type !== '');
}

/** Whether a media range admits TAXII 2.1 JSON: `application/taxii+json` with no version or 2.1, or a wildcard. */
const admitsTaxii = (r: MediaRange) =>
  r.q > 0 && (r.type === '*/*' || r.type === 'application/*'
    || (r.type === 'application/taxii+json' && (r.params.version === undefined || r.params.version === '2.1')));

/** Whether a Content-Type is TAXII 2.1 JSON (`application/taxii+json;version=2.1`, version optional). */
export function isTaxiiContentType(value: string | undefined): boolean {
  if (!value) return false;
  const [range] = mediaRanges(value);
  return !!range && range.type === 'application/taxii+json' && (range.params.version === undefined || range.params.version === '2.1')
    && (range.params.charset === undefined || range.params.charset === 'utf-8');
}

/** Throws 406 unless the request accepts TAXII 2.1 JSON; an absent Accept accepts anything. */
export function negotiate(event: APIGatewayProxyEvent): void {
  const accept = header(event, 'accept');
  if (accept === undefined || accept.trim() === '') return;
  if (!mediaRanges(accept).some(admitsTaxii)) {
    throw new NotAcceptableError(`This TAXII server answers ${TAXII_MEDIA_TYPE}; the Accept header ${JSON.stringify(accept.slice(0, 100))} admits none of it.`);
  }
}

/**
 * An HTTP handler for a TAXII route: Accept is negotiated (and, when `contentType` is set, the
 * body's Content-Type checked) before anything else, and every error is a TAXII error message.
 */
export function taxiiHandler<S extends RouteSpec>(
  spec: S,
  handle: (input: Input<S>, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
  checkBefore?: (event: APIGatewayProxyEvent) => void,
) {
  const inner = httpHandler(spec, handle, taxiiError);
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    try {
      negotiate(event);
      checkBefore?.(event);
    } catch (err) {
      const requestId = event.requestContext?.requestId ?? 'unknown';
      const result = taxiiError(err, requestId);
      return { ...result, headers: { ...result.headers, 'x-request-id': requestId } };
    }
    return inner(event, context);
  };
}
