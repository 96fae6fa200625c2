/** Where the responders' app signs people in: read by get-app, set by the stack and by `npm start`. */
export const APP_ENV = {
  issuer: 'CONCORD_APP_ISSUER',
  clientId: 'CONCORD_APP_CLIENT_ID',
  resource: 'CONCORD_APP_RESOURCE',
  scope: 'CONCORD_APP_SCOPE',
  /** `access_token` (default) or `id_token`: which token the app sends to the API (Cognito: `id_token`). */
  sendToken: 'CONCORD_APP_SEND_TOKEN',
  /** Origins beyond the issuer's that the page must reach (Cognito's token endpoint is on its hosted domain). */
  extraOrigins: 'CONCORD_APP_CONNECT_ORIGINS',
  /** The token claim that names the person's organization, for display (default `org`; Cognito: `custom:org`). */
  orgClaim: 'CONCORD_APP_ORG_CLAIM',
} as const;

/** The app's sign-in settings, as `GET /app/config.json` gives them to the page. */
export interface AppSignIn {
  /** Without an issuer the page offers the API-key sign-in only. */
  issuer: string | null;
  clientId: string | null;
  resource: string | null;
  scope: string;
  sendToken: 'access_token' | 'id_token';
  orgClaim: string;
}

export interface AppSettings extends AppSignIn {
  /** The origins the page may reach besides its own (its Content-Security-Policy's `connect-src`): the issuer's and the extra ones. */
  connectOrigins: string[];
}

const SEND_TOKENS = ['access_token', 'id_token'] as const;

const originOf = (value: string): string | undefined => {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.host ? url.origin : undefined;
  } catch { return undefined; }
};

/**
 * Reads the app's settings, every problem at once, as `readConfig` does the service's: a
 * malformed issuer, token choice or origin names its variable instead of quietly falling back.
 * Unset (or empty) settings take their defaults.
 */
export function readAppSettings(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const problems: string[] = [];
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);

  const issuerSetting = value(APP_ENV.issuer)?.replace(/\/$/, '');
  if (issuerSetting !== undefined && !originOf(issuerSetting)) problems.push(`${APP_ENV.issuer}: an http(s) URL`);
  const issuer = issuerSetting ?? null;

  const send = value(APP_ENV.sendToken);
  if (send !== undefined && !(SEND_TOKENS as readonly string[]).includes(send)) problems.push(`${APP_ENV.sendToken}: ${SEND_TOKENS.join(' or ')}`);

  const extra = (value(APP_ENV.extraOrigins) ?? '').split(/[\s,]+/).filter(Boolean);
  const extraOrigins = extra.map((o) => originOf(o));
  if (extraOrigins.some((o) => o === undefined)) problems.push(`${APP_ENV.extraOrigins}: http(s) URLs, separated by commas or spaces`);

  if (problems.length) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  const issuerOrigin = issuer ? originOf(issuer) : undefined;
  return {
    issuer,
    clientId: issuer ? value(APP_ENV.clientId) ?? 'concord-app' : null,
    resource: value(APP_ENV.resource) ?? null,
    scope: value(APP_ENV.scope) ?? 'openid profile',
    sendToken: (send as AppSignIn['sendToken'] | undefined) ?? 'access_token',
    orgClaim: value(APP_ENV.orgClaim) ?? 'org',
    connectOrigins: [...new Set([issuerOrigin, ...extraOrigins].filter((o): o is string => !!o))],
  };
}
