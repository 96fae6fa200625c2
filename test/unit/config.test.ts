/** The environment is parsed once; what a function needs and lacks fails its cold start, by name. */
import { ENV, readConfig, required } from '../../lambdas/config/env';
import { loadSigningSecret } from '../../lambdas/adapters/secrets';
import { APP_ENV, readAppSettings } from '../../lambdas/config/app-env';

const minimal = { [ENV.tableName]: 'concord-test', [ENV.signingSecret]: 'x'.repeat(32) };

it('parses the settings into the configuration, with defaults', () => {
  expect(readConfig({ ...minimal, [ENV.publicBaseUrl]: 'https://api.example/prod/', [ENV.escalationMinutes]: 'critical=5' })).toEqual({
    tableName: 'concord-test', signingSecret: 'x'.repeat(32), publicBaseUrl: 'https://api.example/prod',
    eventsPerMinute: 300, topicPrefix: 'concord-org-', escalationSeconds: { critical: 300 }, writeShards: 1,
  });
});

it('reads the write shards, 1 to 16, and names any other value', () => {
  expect(readConfig({ ...minimal, [ENV.writeShards]: '4' }).writeShards).toBe(4);
  for (const bad of ['0', '17', '2.5', 'four', '']) expect(() => readConfig({ ...minimal, [ENV.writeShards]: bad })).toThrow(/CONCORD_WRITE_SHARDS: a whole number from 1 to 16/);
});

it('reads how long a DynamoDB attempt may go unanswered in AWS, 100 to 60000 ms, and names any other value', () => {
  expect(readConfig({ ...minimal, [ENV.dynamodbAttemptTimeoutMs]: '30000' }).dynamodbAttemptTimeoutMs).toBe(30_000);
  expect(readConfig(minimal).dynamodbAttemptTimeoutMs).toBeUndefined();
  for (const bad of ['0', '99', '60001', '1.5', 'soon', '']) expect(() => readConfig({ ...minimal, [ENV.dynamodbAttemptTimeoutMs]: bad })).toThrow(/CONCORD_DYNAMODB_ATTEMPT_TIMEOUT_MS: milliseconds, from 100 to 60000/);
});

it('names every invalid setting', () => {
  expect(() => readConfig({ [ENV.tableName]: 'x', [ENV.eventsPerMinute]: 'many' })).toThrow(/CONCORD_TABLE_NAME.*CONCORD_EVENTS_PER_MINUTE|CONCORD_EVENTS_PER_MINUTE.*CONCORD_TABLE_NAME/);
});

it('never falls back to localhost for acknowledgement links: the functions that sign them require the base URL', () => {
  expect(() => required(readConfig(minimal), 'publicBaseUrl', ENV.publicBaseUrl)).toThrow('Invalid configuration: CONCORD_PUBLIC_BASE_URL is required by this function');
});

it('starts a function the stack grants no signing secret (most of them); only signing demands one, naming both settings', async () => {
  const unsigned = readConfig({ [ENV.tableName]: 'concord-test' });
  expect(unsigned).toMatchObject({ tableName: 'concord-test', signingSecret: undefined, signingSecretArn: undefined });
  await expect(loadSigningSecret(unsigned)).rejects.toThrow('Invalid configuration: set CONCORD_SIGNING_SECRET or CONCORD_SIGNING_SECRET_ARN');
});


describe('the responders\' app\'s settings (get-app reads them here, not from process.env)', () => {
  it('defaults to the API-key sign-in only, reaching nothing but the API', () => {
    expect(readAppSettings({})).toEqual({ issuer: null, clientId: null, resource: null, scope: 'openid profile', sendToken: 'access_token', orgClaim: 'org', connectOrigins: [] });
  });

  it('parses an issuer (without its trailing slash) and the origins the page must reach', () => {
    expect(readAppSettings({
      [APP_ENV.issuer]: 'https://idp.example/realms/x/', [APP_ENV.sendToken]: 'id_token',
      [APP_ENV.extraOrigins]: 'https://auth.example/path, https://idp.example', [APP_ENV.orgClaim]: 'custom:org',
    })).toEqual({
      issuer: 'https://idp.example/realms/x', clientId: 'concord-app', resource: null, scope: 'openid profile', sendToken: 'id_token', orgClaim: 'custom:org',
      connectOrigins: ['https://idp.example', 'https://auth.example'],
    });
  });

  it('names every malformed setting instead of quietly falling back', () => {
    expect(() => readAppSettings({ [APP_ENV.issuer]: 'idp.example', [APP_ENV.sendToken]: 'refresh_token', [APP_ENV.extraOrigins]: 'javascript:alert(1)' }))
      .toThrow('Invalid configuration: CONCORD_APP_ISSUER: an http(s) URL; CONCORD_APP_SEND_TOKEN: access_token or id_token; CONCORD_APP_CONNECT_ORIGINS: http(s) URLs, separated by commas or spaces');
  });
});
