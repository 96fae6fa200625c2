/**
 * The test environment: Node's, with a DynamoDB Local of its own for every test file outside
 * test/unit (those run on fakes), started before the file and stopped after it.
 *
 * One engine for the whole run slowed as the run went on: DynamoDB Local grows slower with every
 * table it has held (with its stream and items, dropped or not), so the run's later files ran on a
 * crawling engine (`e2e/authorization-matrix`: 33 s on a fresh engine, 101–114 s on one that had
 * held twenty small tables; 277 s late in a whole run). A fresh engine costs ~2.4 s to start.
 *
 * `CONCORD_TEST_DYNAMODB_ENDPOINT` set before the run (an engine you started) is used by every
 * file instead, as before.
 */
import { TestEnvironment } from 'jest-environment-node';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { sep } from 'node:path';
import { startEmbeddedEngine, type EmbeddedEngine } from '../../local/dynamodb-local';

export default class EngineEnvironment extends TestEnvironment {
  private engine: EmbeddedEngine | null = null;
  private readonly needsEngine: boolean;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.needsEngine = !process.env.CONCORD_TEST_DYNAMODB_ENDPOINT && !context.testPath.includes(`${sep}test${sep}unit${sep}`);
  }

  override async setup(): Promise<void> {
    await super.setup();
    if (!this.needsEngine) return;
    this.engine = await startEmbeddedEngine(':memory:');
    this.global.process.env.CONCORD_TEST_DYNAMODB_ENDPOINT = this.engine.endpoint;
  }

  override async teardown(): Promise<void> {
    try {
      await this.engine?.stop();
    } finally {
      this.engine = null;
      await super.teardown();
    }
  }
}
