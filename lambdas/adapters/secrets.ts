/**
 * The signing secret: from the environment locally, from Secrets Manager in AWS (read once). The
 * client is imported when first needed: most functions bundle this for a cursor or a link they may
 * never sign, and need not load a second SDK client at every cold start.
 */
import { ENV, type Config } from '../config/env';

export async function loadSigningSecret(config: Config): Promise<string> {
  if (config.signingSecret) return config.signingSecret;
  if (!config.signingSecretArn) throw new Error(`Invalid configuration: set ${ENV.signingSecret} or ${ENV.signingSecretArn} (this function signs or verifies)`);
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: config.signingSecretArn }));
  if (!SecretString || SecretString.length < 32) throw new Error('The signing secret is missing or shorter than 32 characters.');
  return SecretString;
}
