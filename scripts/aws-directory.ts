/**
 * The directory use cases against a deployed stage, with the operator's AWS credentials: the same
 * code the functions run, pointed at `concord-<stage>` and its topics.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { parseArgs } from 'node:util';
import { createDocumentClient } from '../lambdas/adapters/dynamodb/client';
import { DynamoDirectoryRepository } from '../lambdas/adapters/dynamodb/directory-repository';
import { SnsProvisioner } from '../lambdas/adapters/sns/provisioner';
import { makeDirectory } from '../lambdas/domain/directory';
import { systemClock } from '../lambdas/domain/ids';
import { TOPIC_PREFIX } from '../lib/service-stack';

type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

export function stageArgs(extra: Options = {}) {
  const { values, positionals } = parseArgs({
    options: { stage: { type: 'string', default: 'dev' }, region: { type: 'string' }, ...extra },
    allowPositionals: true,
  });
  return { values: values as Record<string, string | undefined>, positionals };
}

export function awsDirectory(stage: string, region?: string) {
  const db = createDocumentClient(region ? { region } : {});
  const sns = new SNSClient(region ? { region } : {});
  return makeDirectory({
    directory: new DynamoDirectoryRepository(db, `concord-${stage}`),
    provisioner: new SnsProvisioner(sns, TOPIC_PREFIX(stage), `alias/concord-${stage}-service`),
    clock: systemClock,
  });
}
