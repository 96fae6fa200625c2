import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { callerFrom } from '../../lambdas/http/request';
import { contextOf, credentialIn, handler as authorizer } from '../../lambdas/handlers/authorize';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the credential an Authorization header presents', () => {
  it.each([
    ['Bearer the-key-0123456789abcdefghij', 'the-key-0123456789abcdefghij'],
    ['bearer   the-key-0123456789abcdefghij  ', 'the-key-0123456789abcdefghij'],
    [basic('taxii-client', 'the-key-0123456789abcdefghij'), 'the-key-0123456789abcdefghij'],
    [basic('', 'the-key-0123456789abcdefghij'), 'the-key-0123456789abcdefghij'],
  ])('%s → the key', (header, key) => {
    expect(credentialIn({ Authorization: header })).toBe(key);
  });

  it.each([
    ['no header', undefined],
    ['a scheme we do not take', 'Digest abc'],
    ['Basic without a colon', `Basic ${Buffer.from('just-a-user').toString('base64')}`],
    ['Basic with an empty password', basic('user', '')],
    ['Basic with spaces in the password', basic('user', 'two words')],
    ['Basic that is not base64', 'Basic %%%'],
  ])('%s → none', (_name, header) => {
    expect(credentialIn(header === undefined ? {} : { authorization: header })).toBeUndefined();
  });
});

describe('the authorizer and two Authorization headers (#22 item 6)', () => {
  it('lets the request on to the handler without any caller, so the handler answers 400 (an authorizer can only allow, deny with 401, or fail with 500)', async () => {
    const event = {
      type: 'REQUEST', methodArn: 'arn:aws:execute-api:us-east-1:1:api/prod/GET/v1/incidents',
      headers: { Authorization: 'Bearer second-key-0123456789abcdef' },
      multiValueHeaders: { Authorization: ['Bearer first-key-0123456789abcdef', 'Bearer second-key-0123456789abcdef'] },
      requestContext: { requestId: 'r' },
    } as unknown as APIGatewayRequestAuthorizerEvent;
    const policy = await authorizer(event);
    expect(policy.policyDocument.Statement).toEqual([expect.objectContaining({ Effect: 'Allow' })]);
    // No organization, no role: no handler can act for anyone on it.
    expect(callerFrom({ requestContext: { authorizer: policy.context } } as never)).toBeNull();
  });
});

describe('the authorizer\'s context, as the handlers read it back', () => {
  it('keeps a person\'s id, name and email (which ties them to their contact), and a key\'s id', () => {
    const person = { orgId: 'cisa', role: 'partner' as const, keyId: '', person: { id: 'https://idp.example#p', name: 'Priya Raman', email: 'priya@cisa.example' } };
    expect(callerFrom({ requestContext: { authorizer: contextOf(person) } } as never)).toEqual(person);
    const noEmail = { ...person, person: { id: 'https://idp.example#p', name: 'Priya Raman' } };
    expect(callerFrom({ requestContext: { authorizer: contextOf(noEmail) } } as never)).toEqual(noEmail);
    const key = { orgId: 'cisa', role: 'admin' as const, keyId: 'k1' };
    expect(callerFrom({ requestContext: { authorizer: contextOf(key) } } as never)).toEqual(key);
  });
});
