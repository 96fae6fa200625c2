/**
 * The CDK app: the stateful stack, the service stack, and cdk-nag's AwsSolutions, NIST 800-53 rev 5
 * and Serverless checks — a finding nobody acknowledged (with its reason, in lib/) fails the synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { stageConfig } from '../lib/config';
import { ServiceStack } from '../lib/service-stack';
import { StatefulStack } from '../lib/stateful-stack';

export function buildApp(app = new App()) {
  // Cross-stack references protect the producer (the table stays while the service uses it).
  if (app.node.tryGetContext('@aws-cdk/core:defaultCrossStackReferences') === undefined) app.node.setContext('@aws-cdk/core:defaultCrossStackReferences', 'strong');
  const config = stageConfig(app.node);
  // `-c region=us-gov-west-1` deploys to AWS GovCloud (US): the partition follows the region.
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: config.region ?? process.env.CDK_DEFAULT_REGION };
  const stateful = new StatefulStack(app, `Concord-${config.stage}-Stateful`, { stage: config.stage, env, terminationProtection: config.stage === 'prod' });
  const service = new ServiceStack(app, `Concord-${config.stage}-Service`, {
    env, config, table: stateful.table, key: stateful.key, signingSecret: stateful.signingSecret,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new ServerlessChecks(app));
  return { app, stateful, service };
}

if (require.main === module) buildApp().app.synth();
