/**
 * The function manifest: every Lambda function, named once, by its handler file under
 * `lambdas/handlers/` (`<name>.ts`), with what invokes it. The route table (a route's `handler`),
 * the local server (local/handlers.ts) and the stack (lib/service-stack.ts: what each function may
 * touch) all take their names from `FunctionName` here, so a misspelt or missing name fails at
 * compile time. test/unit/structure.test.ts keeps this list equal to the files in lambdas/handlers/.
 */

/** What invokes a function: an API route, API Gateway's authorizer, the table's stream, a schedule or an SNS topic. */
export type Trigger = 'api' | 'authorizer' | 'stream' | 'schedule' | 'sns';

export const FUNCTIONS = {
  'acknowledge-incident': 'api',
  'add-note': 'api',
  'aggregate-metrics': 'stream',
  'assign-incident': 'api',
  'correlate-from-stream': 'stream',
  authorize: 'authorizer',
  'create-key': 'api',
  'delete-key': 'api',
  'enqueue-event': 'api',
  'edit-incident': 'api',
  'escalate-incidents': 'schedule',
  'get-ack-page': 'api',
  'get-app': 'api',
  'get-console': 'api',
  'get-health': 'api',
  'get-incident': 'api',
  'get-incident-audit': 'api',
  'get-incident-stix': 'api',
  'get-metrics': 'api',
  'get-openapi': 'api',
  'get-timeline': 'api',
  'invite-participants': 'api',
  'link-incident': 'api',
  'list-audit': 'api',
  'list-directory': 'api',
  'list-incidents': 'api',
  'list-keys': 'api',
  'list-organizations': 'api',
  'notify-from-stream': 'stream',
  'post-ack': 'api',
  'post-status-update': 'api',
  'put-organization': 'api',
  'receive-cloudwatch-alarm': 'api',
  'receive-sms': 'sns',
  'reopen-incident': 'api',
  'replay-notifications': 'api',
  'report-incident': 'api',
  'resolve-incident': 'api',
  schedules: 'api',
  'get-schedule-calendar': 'api',
  taxii: 'api',
  'taxii-add-objects': 'api',
  'unlink-incident': 'api',
} as const satisfies Record<string, Trigger>;

/** A function's name: its handler file, without `.ts`. */
export type FunctionName = keyof typeof FUNCTIONS;

/** The functions that serve API routes (API Gateway proxy handlers). */
export type ApiFunctionName = { [K in FunctionName]: (typeof FUNCTIONS)[K] extends 'api' ? K : never }[FunctionName];

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
