// Starts one in-memory DynamoDB Local for the whole run, exactly as `npm start` starts it
// (local/dynamodb-local.ts); each test file makes its own table.
import { startEmbeddedEngine, type EmbeddedEngine } from '../../local/dynamodb-local';

declare global { var __dynamoDbLocal: EmbeddedEngine | undefined }

export default async function globalSetup(): Promise<void> {
  if (process.env.CONCORD_TEST_DYNAMODB_ENDPOINT) return;
  const engine = await startEmbeddedEngine(':memory:');
  process.env.CONCORD_TEST_DYNAMODB_ENDPOINT = engine.endpoint;
  globalThis.__dynamoDbLocal = engine;
}
