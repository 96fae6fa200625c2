/** What a route declares: the shape every entry of the route table has. */
import type * as z from 'zod/mini';
import type { Role } from '../domain/actor';
import type { ApiFunctionName } from '../functions';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  operationId: string;
  method: Method;
  /** API Gateway style: `/v1/incidents/{id}`. */
  path: string;
  /** The function that serves it: its file under `lambdas/handlers/`, named in the manifest (lambdas/functions.ts). */
  handler: ApiFunctionName;
  /** `public` routes skip the authorizer; otherwise the roles allowed. */
  auth: 'public' | readonly Role[];
  body?: z.ZodMiniType;
  /** Whether the body may be left out entirely (every field optional). */
  bodyOptional?: boolean;
  query?: z.ZodMiniType;
  /**
   * The path parameters. A value that cannot name a resource is 404 (no such resource), except
   * on PUT, which creates the resource at that path: there it is 400 naming the parameter.
   */
  params?: z.ZodMiniType<Record<string, string>>;
  /** Parse the body as JSON whatever its content type (SNS posts JSON as text/plain). */
  anyContentType?: boolean;
  /**
   * The handler reads the raw body itself (`http/request.ts` rawBody): requests signed over their
   * exact bytes (Slack's form-encoded ones), which no schema may parse first.
   */
  rawBody?: boolean;
  /** Served by `npm start` only: a stand-in for something AWS does. */
  localOnly?: boolean;
  /** Answers HTML pages, errors included (the acknowledgement pages people open from emails). */
  html?: boolean;
  /** A TAXII 2.1 route: answers TAXII media types, and errors as TAXII error messages. */
  taxii?: boolean;
}

export const route = <const R extends RouteSpec>(r: R): R => r;
