// The SQLSTATE→HTTP table (POSTGREST.md §5.2), custom statuses (§5.3) and the error body/headers (§5.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusForSqlState } from '../../src/gateway/index.js';
import { post, startGatewayFixture, type GatewayFixture } from './helpers.js';

let f: GatewayFixture;
beforeAll(async () => {
  f = await startGatewayFixture();
});
afterAll(() => f.close());

const json = async (res: Response) => JSON.parse(await res.text()) as Record<string, unknown>;

// One representative SQLSTATE per row of the table, raised by test_api.raise_sqlstate(code).
const TABLE: [string, number][] = [
  ['08000', 503], ['08006', 503], ['09000', 500], ['0L000', 403], ['0P000', 403],
  ['23503', 409], ['23505', 409], ['25006', 405], ['21000', 500], ['22023', 400],
  ['25001', 500], ['28000', 403], ['28P01', 403], ['2D000', 500], ['38000', 500], ['39000', 500], ['3B000', 500], ['40001', 500],
  ['53400', 500], ['53100', 503], ['54000', 500], ['55000', 500], ['57P01', 503], ['57014', 500],
  ['58000', 500], ['F0000', 500], ['HV000', 500], ['P0001', 400], ['P0002', 500], ['P0004', 500], ['XX000', 500],
  ['42883', 404], ['42P01', 404], ['42P17', 500], ['PT402', 402], ['PT418', 418], ['PT40A', 500],
  ['22P02', 400], ['22001', 400], ['23502', 400], ['23514', 400], ['2200N', 400], ['42601', 400],
];

describe('SQLSTATE → HTTP status', () => {
  it.each(TABLE)('answers %s with %i and passes code, message, details and hint through', async (code, status) => {
    const res = await f.rest('/rpc/raise_sqlstate', post({ code }));
    expect(res.status).toBe(status);
    expect(await json(res)).toEqual({ code, message: `raised ${code}`, details: `detail of ${code}`, hint: `hint of ${code}` });
    expect(res.headers.get('proxy-status')).toBe(`PostgREST; error=${code}`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('answers 42501 with 403 for a signed-in role', async () => {
    const res = await f.rest('/rpc/raise_sqlstate', post({ code: '42501' }, { Authorization: `Bearer ${f.userToken}` }));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('answers 42501 with 401 and WWW-Authenticate for anon', async () => {
    const res = await f.rest('/rpc/raise_sqlstate', post({ code: '42501' }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('adds Retry-After to a 503', async () => {
    const res = await f.rest('/rpc/raise_sqlstate', post({ code: '53300' }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('sets Content-Length on error bodies', async () => {
    const res = await f.rest('/rpc/raise_sqlstate', post({ code: 'P0001' }));
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(await res.text()));
  });

  it('answers 22023 "role … does not exist" with 401 and other 22023 messages with 400', async () => {
    expect((await f.rest('/rpc/raise_message', post({ message: 'role "x" does not exist' }))).status).toBe(401);
    expect((await f.rest('/rpc/raise_message', post({ message: 'Invalid input: bad' }))).status).toBe(400);
  });

  it('maps 21000 to 400 only for the pg-safeupdate message', () => {
    expect(statusForSqlState('21000', 'UPDATE requires a WHERE clause', true)).toBe(400);
    expect(statusForSqlState('21000', 'more than one row returned by a subquery', true)).toBe(500);
    expect(statusForSqlState('42883', 'function xmlagg(integer) does not exist', true)).toBe(406);
  });

  it('omits the body of an error answered to HEAD', async () => {
    const res = await f.rest('/rpc/raise_sqlstate?code=P0001', { method: 'HEAD' });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('');
  });
});

describe('custom errors raised by functions', () => {
  it('answers a plain RAISE EXCEPTION with 400 P0001 and its hint', async () => {
    const res = await f.rest('/rpc/raise_plain', post({}));
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ code: 'P0001', message: 'Disabled ID --> 3', details: null, hint: 'Please contact administrator' });
  });

  it('answers SQLSTATE PT402 with 402 and the raised texts', async () => {
    const res = await f.rest('/rpc/raise_pt402', post({}));
    expect(res.status).toBe(402);
    expect(await json(res)).toEqual({ code: 'PT402', message: 'Payment Required', details: 'Quota exceeded', hint: 'Upgrade your plan' });
    expect(res.headers.get('proxy-status')).toBe('PostgREST; error=PT402');
  });

  it('answers a non-numeric PT code with 500', async () => {
    const res = await f.rest('/rpc/raise_pt40a', post({}));
    expect(res.status).toBe(500);
    expect((await json(res)).code).toBe('PT40A');
  });

  it('answers RAISE SQLSTATE \'PGRST\' with the status, headers and body it specifies', async () => {
    const res = await f.rest('/rpc/raise_pgrst', post({}));
    expect(res.status).toBe(332);
    expect(res.headers.get('x-header')).toBe('str');
    expect(res.headers.get('proxy-status')).toBe('PostgREST; error=123');
    expect(await json(res)).toEqual({ code: '123', message: 'ABC', details: 'DEF', hint: 'XYZ' });
  });

  it.each([
    ['bad_message', "Invalid JSON value for MESSAGE: 'INVALID'",
      "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."],
    ['bad_detail', "Invalid JSON value for DETAIL: 'INVALID'",
      "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."],
    ['no_detail', 'DETAIL is missing in the RAISE statement',
      "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."],
  ])('answers 500 PGRST121 for a PGRST raise with %s', async (kind, details, hint) => {
    const res = await f.rest('/rpc/raise_pgrst', post({ kind }));
    expect(res.status).toBe(500);
    expect(await json(res)).toEqual({
      code: 'PGRST121', message: 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error', details, hint,
    });
  });
});
