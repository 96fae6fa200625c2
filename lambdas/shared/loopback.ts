/**
 * Host names that reach the machine itself: `localhost` and its subdomains, 127.0.0.0/8, 0.0.0.0,
 * ::1, :: and IPv4-mapped forms of those (as URL writes them: `127.1` is `127.0.0.1`). Only local
 * mode (`npm start`, config/env.ts `localMode`) accepts them as issuers or push endpoints.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost')
    || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '0.0.0.0'
    || h === '[::1]' || h === '[::]' || /^\[::ffff:(7f[0-9a-f]{2}:[0-9a-f]{1,4}|0:0)\]$/.test(h);
}
