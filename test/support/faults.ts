/** DynamoDB failures on demand, for fault-injection tests: the next N calls (of one command, if named) fail. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The error DynamoDB answers when a table is over its capacity (after the SDK's own retries). */
export const throttled = () => Object.assign(new Error('Throughput exceeds the current capacity of your table or index.'), { name: 'ProvisionedThroughputExceededException', $metadata: {} });

export function throttling() {
  let next = 0;
  let only: string | null = null;
  let failure: () => Error = throttled;
  return {
    /** Pass as `overrides.onDynamoDbClient`. */
    inject(client: DynamoDBDocumentClient) {
      client.middlewareStack.add((run, context) => async (args) => {
        if (next > 0 && (!only || String(context.commandName).startsWith(only))) {
          next--;
          throw failure();
        }
        return run(args);
      }, { step: 'initialize', name: 'throttle' });
    },
    /** Fail the next `count` calls, of commands whose name starts with `command` if given, with `error` (throttling by default). */
    failNext(count: number, command: string | null = null, error: () => Error = throttled) { next = count; only = command; failure = error; },
    reset() { next = 0; only = null; failure = throttled; },
  };
}
