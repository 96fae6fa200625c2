/** The CDK app: the stateful stack, the service stack, and cdk-nag's AwsSolutions checks. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig } from '../lib/config';
import { ServiceStack } from '../lib/service-stack';
import { StatefulStack } from '../lib/stateful-stack';

export function buildApp(app = new App()) {
  // Cross-stack references protect the producer (the table stays while the service uses it).
  if (app.node.tryGetContext('@aws-cdk/core:defaultCrossStackReferences') === undefined) app.node.setContext('@aws-cdk/core:defaultCrossStackReferences', 'strong');
  const config = stageConfig(app.node);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const stateful = new StatefulStack(app, `Concord-${config.stage}-Stateful`, { stage: config.stage, env, terminationProtection: config.stage === 'prod' });
  const service = new ServiceStack(app, `Concord-${config.stage}-Service`, {
    env, config, table: stateful.table, key: stateful.key, signingSecret: stateful.signingSecret,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, service };
}

if (require.main === module) buildApp().app.synth();
