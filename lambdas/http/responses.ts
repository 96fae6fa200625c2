/** Building API Gateway proxy results. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { stringifyJson } from '../shared/json';
import { escapeBidiDeep } from '../shared/bidi';

export const JSON_TYPE = 'application/json';
export const PROBLEM_TYPE = 'application/problem+json';

/**
 * Answers carry incidents a browser must not keep (RED ones included): never stored by any cache,
 * never sniffed as another type. A route may say otherwise in `headers`.
 */
export const PRIVATE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': JSON_TYPE, ...PRIVATE, ...headers }, body: stringifyJson(body) };
}

/** An incident answer: the incident, and its version as a strong ETag (`"<version>"`) for If-Match. */
export function incidentJson(statusCode: number, incident: { version: number }, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return json(statusCode, incident, { etag: `"${incident.version}"`, ...headers });
}

export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: {}, body: '' };
}

export function html(statusCode: number, body: string, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'x-frame-options': 'DENY',
      ...headers,
    },
    body,
  };
}

export interface ProblemFields {
  status: number;
  slug: string;
  title: string;
  detail: string;
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export const problemType = (slug: string) => `https://concord.example/problems/${slug}`;

/**
 * An RFC 9457 problem document. Its text may echo outside text (a token's `iss`, a field name a
 * client sent): bidirectional controls are written out as visible `\u202E`, never passed on.
 */
export function problem({ status, slug, title, detail, extensions = {}, headers = {} }: ProblemFields): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': PROBLEM_TYPE, ...PRIVATE, ...headers },
    body: JSON.stringify(escapeBidiDeep({ type: problemType(slug), title, status, detail, ...extensions })),
  };
}
