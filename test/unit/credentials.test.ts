import { credentialIn } from '../../lambdas/handlers/authorize';

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
