/**
 * An organization's Slack credentials: its bot token (posting) and signing secret (verifying what
 * Slack sends). In AWS, one Secrets Manager secret per organization, `<prefix><orgId>` (the stack
 * sets the prefix, `concord/<stage>/slack/`, and grants only the functions that read it), JSON
 * `{"botToken": "xoxb-…", "signingSecret": "…"}`, read once per cold start and kept. In local
 * mode, every organization's signing secret is CONCORD_SLACK_SIGNING_SECRET and its bot token is
 * read from `<data folder>/slack/<orgId>.json` (`{"botToken": "…"}`), or is a local placeholder the
 * stand-in accepts. Never logged, never answered, never in the directory or the audit trail.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localMode, type Config } from '../../config/env';

export interface SlackCredentials { botToken: string; signingSecret: string }

/** A missing secret is asked for again after this long (an admin may create it meanwhile). */
const MISSING_TTL_MS = 5 * 60_000;

const parse = (text: string | undefined): Partial<SlackCredentials> => {
  try {
    const v = JSON.parse(text ?? '') as Record<string, unknown>;
    return { ...(typeof v.botToken === 'string' ? { botToken: v.botToken } : {}), ...(typeof v.signingSecret === 'string' ? { signingSecret: v.signingSecret } : {}) };
  } catch {
    return {};
  }
};

export function slackCredentials(config: Config, client?: Pick<SecretsManagerClient, 'send'>) {
  const cache = new Map<string, Promise<SlackCredentials | null> | { missingUntil: number }>();
  let sm = client;

  async function readLocal(orgId: string): Promise<SlackCredentials | null> {
    const signingSecret = config.slackSigningSecret;
    if (!signingSecret) return null;
    const file = config.slackDir ? join(config.slackDir, `${orgId}.json`) : null;
    const stored = file && existsSync(file) ? parse(readFileSync(file, 'utf8')) : {};
    return { botToken: stored.botToken ?? `xoxb-local-${orgId}`, signingSecret };
  }

  async function readSecret(orgId: string): Promise<SlackCredentials | null> {
    if (!config.slackSecretPrefix) return null;
    sm ??= new SecretsManagerClient({});
    try {
      const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: `${config.slackSecretPrefix}${orgId}` }));
      const parsed = parse(SecretString);
      return parsed.botToken && parsed.signingSecret ? { botToken: parsed.botToken, signingSecret: parsed.signingSecret } : null;
    } catch (err) {
      if (err instanceof Error && err.name === 'ResourceNotFoundException') return null;
      throw err;
    }
  }

  /** The organization's credentials, or null when it has none (nothing is posted; every signed request is 401). */
  return async function credentialsOf(orgId: string): Promise<SlackCredentials | null> {
    const held = cache.get(orgId);
    if (held && !('missingUntil' in held)) return held;
    if (held && held.missingUntil > Date.now()) return null;
    const read = (localMode() ? readLocal(orgId) : readSecret(orgId)).then((c) => {
      if (!c) cache.set(orgId, { missingUntil: Date.now() + MISSING_TTL_MS });
      return c;
    }, (err: unknown) => { cache.delete(orgId); throw err; });
    cache.set(orgId, read);
    return read;
  };
}

export type SlackCredentialsOf = ReturnType<typeof slackCredentials>;
