// The gateway's `routes` option, which mounts the local /auth/v1: prefixes are checked at start-up.
import { describe, expect, it } from 'vitest';
import { parseGatewayOptions } from '../../src/gateway/options.js';

const base = { databaseUrl: 'postgres://x@127.0.0.1/db', jwtSecret: 'a'.repeat(32), apiKeys: ['k'] };
const handler = async () => new Response(null, { status: 204 });

describe('gateway routes option', () => {
  it('accepts path prefixes like /auth/v1 and defaults to none', () => {
    expect(Object.keys(parseGatewayOptions({ ...base, routes: { '/auth/v1': handler } }).routes)).toEqual(['/auth/v1']);
    expect(parseGatewayOptions(base).routes).toEqual({});
  });

  it('refuses a prefix that is not a path, ends in a slash, or a handler that is not a function', () => {
    for (const prefix of ['auth/v1', '/auth/v1/', '/', '/auth v1']) {
      expect(() => parseGatewayOptions({ ...base, routes: { [prefix]: handler } }), prefix).toThrow(/routes/);
    }
    expect(() => parseGatewayOptions({ ...base, routes: { '/auth/v1': 'not a function' } })).toThrow(/routes/);
  });
});
