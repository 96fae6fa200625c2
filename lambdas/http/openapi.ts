/**
 * The OpenAPI 3.1 document, generated from the route table and the very zod schemas that validate
 * requests. Schemas with an `id` become components; everything else is inlined.
 */
import * as z from './zod-mini';
import { ROUTE_DOCS, type RouteDocs } from './route-docs';
// The response schemas land in the global registry. Problem is named here, not only by its id:
// a bundle drops a schema nothing uses (each is a pure call), and every error response refers to it.
import { Problem } from './response-schemas';
import { EVERY_ROUTE, type RouteName, type RouteSpec } from './routes';
import { JSON_TYPE, PROBLEM_TYPE } from './responses';

type JsonSchema = Record<string, unknown>;

const COMPONENT = (id: string) => `#/components/schemas/${id}`;
const options = { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' } as const;

function schemaOf(schema: z.core.$ZodType): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: COMPONENT(id) };
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { ...options, metadata: z.globalRegistry, override: undefined }) as JsonSchema;
  return rewriteRefs(rest);
}

/** Nested schemas with ids are emitted under `$defs`; point them at the components instead. */
function rewriteRefs(schema: JsonSchema): JsonSchema {
  const text = JSON.stringify(schema).replace(/"#\/\$defs\/([^"]+)"/g, (_m, id) => JSON.stringify(COMPONENT(id)));
  const { $defs: _defs, ...rest } = JSON.parse(text) as JsonSchema;
  return rest;
}

function queryParameters(schema: z.core.$ZodType) {
  const json = rewriteRefs(z.toJSONSchema(schema, options) as JsonSchema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name, in: 'query', required: json.required?.includes(name) ?? false, schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

const problemResponse = (description: string) => ({ description, content: { [PROBLEM_TYPE]: { schema: schemaOf(Problem) } } });

function operation(route: RouteSpec, docs: RouteDocs) {
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(docs.responses)) {
    responses[status] = r.schema
      ? { description: r.description, content: { [r.contentType ?? JSON_TYPE]: { schema: schemaOf(r.schema) } } }
      : { description: r.description };
  }
  if (route.body || route.query) responses['400'] ??= problemResponse('Invalid request: `errors` lists every invalid field. Nothing changed.');
  if (route.auth !== 'public') {
    responses['401'] ??= problemResponse('Missing or unknown API key.');
    responses['403'] ??= problemResponse('The key\'s role may not do this.');
  }
  if (route.path.includes('{')) responses['404'] ??= problemResponse('No such resource, or one you may not see.');
  if (/acknowledge|assign|resolve|participants|reopen|updates|\/links$/.test(route.path)) responses['409'] ??= problemResponse('The incident\'s status does not allow this; `currentStatus` says which it is.');
  // A conditional edit: If-Match with the version the caller saw (the ETag of every incident answer).
  const conditional = route.method === 'PATCH';
  if (conditional) responses['412'] ??= problemResponse('If-Match names a version the incident has moved on from; `currentVersion` and the `etag` header give the current one.');
  const ifMatch = conditional ? [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string', example: '"3"' }, description: 'The incident\'s version as its ETag shows it ("3"); `*` or absent: unconditional. Not a version: 400.' }] : [];
  if (route.body) {
    responses['413'] ??= problemResponse('Body over 64 KiB.');
    responses['415'] ??= problemResponse('Body that is not JSON.');
  }
  responses['429'] ??= problemResponse('Throttled; see `retry-after`.');
  return {
    operationId: route.operationId,
    summary: docs.summary,
    ...(docs.description ? { description: docs.description } : {}),
    ...(route.auth === 'public' ? { security: [] } : { 'x-concord-roles': route.auth }),
    parameters: [...pathParams, ...ifMatch, ...(route.query ? queryParameters(route.query) : [])],
    ...(route.body ? { requestBody: { required: !route.bodyOptional, content: { [JSON_TYPE]: { schema: schemaOf(route.body) }, ...(conditional ? { 'application/merge-patch+json': { schema: schemaOf(route.body) } } : {}) } } } : {}),
    // Signed over its exact bytes (Slack): a form, read raw by the handler.
    ...(route.rawBody ? { requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', additionalProperties: { type: 'string' } } } } } } : {}),
    responses,
  };
}

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const { schemas } = z.toJSONSchema(z.globalRegistry, { ...options, uri: COMPONENT });
  const components = Object.fromEntries(Object.entries(schemas).map(([id, s]) => {
    const { $schema: _s, $id: _id, ...rest } = s as JsonSchema;
    return [id, rest];
  }));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, route] of Object.entries(EVERY_ROUTE) as Array<[RouteName, RouteSpec]>) {
    if (route.localOnly) continue;
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, ROUTE_DOCS[name]);
  }
  const doc = {
    openapi: '3.1.0',
    info: {
      title: 'Concord',
      version: '1.0.0',
      description: 'Shared incident response for agencies and companies. Errors are RFC 9457 problem documents; every response carries x-request-id; bodies over 64 KiB are refused with 413, non-JSON bodies with 415, and unknown fields with 400.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>.' } } },
    paths,
  };
  cached = doc;
  return doc;
}
