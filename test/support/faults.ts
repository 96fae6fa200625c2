/** DynamoDB failures on demand, for fault-injection tests: the next N calls (of one command, if named) are throttled. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function throttling() {
  let next = 0;
  let only: string | null = null;
  return {
    /** Pass as `overrides.onDynamoDbClient`. */
    inject(client: DynamoDBDocumentClient) {
      client.middlewareStack.add((run, context) => async (args) => {
        if (next > 0 && (!only || String(context.commandName).startsWith(only))) {
          next--;
          throw Object.assign(new Error('Throughput exceeds the current capacity of your table or index.'), { name: 'ProvisionedThroughputExceededException', $metadata: {} });
        }
        return run(args);
      }, { step: 'initialize', name: 'throttle' });
    },
    /** Throttle the next `count` calls, of commands whose name starts with `command` if given. */
    failNext(count: number, command: string | null = null) { next = count; only = command; },
    reset() { next = 0; only = null; },
  };
}
