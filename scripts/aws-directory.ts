/**
 * The directory use cases against a deployed stage, with the operator's AWS credentials: the same
 * code the functions run, pointed at `concord-<stage>` and its topics.
 */
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { parseArgs } from 'node:util';
import { createDocumentClient } from '../lambdas/adapters/dynamodb/client';
import { DynamoDirectoryRepository } from '../lambdas/adapters/dynamodb/directory-repository';
import { renderKeyNotice } from '../lambdas/adapters/sns/key-notice';
import { SnsProvisioner } from '../lambdas/adapters/sns/provisioner';
import { publishInput } from '../lambdas/adapters/sns/publisher';
import { makeDirectory, makeKeyIssuer } from '../lambdas/domain/directory';
import { makeDirectoryLoader } from '../lambdas/domain/directory-file';
import { systemClock } from '../lambdas/shared/ids';
import { PUSH_DEAD_LETTERS, TOPIC_PREFIX } from '../lib/service-stack';

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
  const directory = new DynamoDirectoryRepository(db, `concord-${stage}`);
  const organizations = makeDirectory({ directory, provisioner: new SnsProvisioner(sns, TOPIC_PREFIX(stage), `alias/concord-${stage}-service`, PUSH_DEAD_LETTERS(stage)), clock: systemClock });
  return {
    ...organizations,
    files: makeDirectoryLoader({ directory, organizations, clock: systemClock }),
    ...makeKeyIssuer({
      directory,
      clock: systemClock,
      keyNotices: {
        // The organization's topic exists once it is provisioned; CreateTopic returns it by name.
        async keyCreated(notice) {
          const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${TOPIC_PREFIX(stage)}${notice.organization.id}` }));
          await sns.send(new PublishCommand(publishInput(TopicArn!, renderKeyNotice(notice))));
        },
      },
    }),
  };
}
