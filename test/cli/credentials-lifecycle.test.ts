// `mintid credentials rotate --grace`, `revoke --reason-code`, revoking many, `end-grace`, through
// the real binary against the real gateway; and the duration and selector parsers on their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { UsageError } from '../../src/cli/args.js';
import { parseGrace, parseMetadataSelector } from '../../src/cli/credentials-lifecycle.js';
import { apiEnv, mintidRunner } from '../support/cli.js';

let t: TestApi;
beforeAll(async () => { t = await startTestApi(); });
afterAll(() => t.close());

const mintid = mintidRunner(() => apiEnv(t, t.tokens.admin), ['credentials']);
async function create(metadata?: Record<string, string>): Promise<{ credential_id: string; client_id: string; client_secret: string }> {
  const run = await mintid(['create', '--name', 'CLI', '--scopes', 'products:read', '--json', ...(metadata ? ['--metadata', JSON.stringify(metadata)] : [])]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}
const row = async (id: string) =>
  (await t.db.admin`select previous_secret_expires_at, secret_rotated_at, revoked_at, revocation_reason_code from mintid.api_credentials where id = ${id}`)[0]!;

describe('parseGrace', () => {
  it.each([['0', 0], ['90', 90], ['90s', 90], ['30m', 1800], ['24h', 86_400], ['7d', 604_800], [' 2h ', 7200]])('reads %j as %d seconds', (text, seconds) => {
    expect(parseGrace(text)).toBe(seconds);
  });
  it.each([['8d'], ['604801'], ['-1'], ['1.5h'], ['h'], [''], ['24 h'], ['1w'], ['24H']])('refuses %j', (text) => {
    expect(() => parseGrace(text)).toThrow(UsageError);
  });
});

describe('parseMetadataSelector', () => {
  it('reads key=value pairs and JSON objects', () => {
    expect(parseMetadataSelector('integration=erp')).toEqual({ integration: 'erp' });
    expect(parseMetadataSelector('integration=erp, region=eu')).toEqual({ integration: 'erp', region: 'eu' });
    expect(parseMetadataSelector('{"tier":2}')).toEqual({ tier: 2 });
  });
  it.each([[''], ['integration'], ['=erp'], ['{}'], ['[1]'], ['{not json']])('refuses %j', (text) => {
    expect(() => parseMetadataSelector(text)).toThrow(UsageError);
  });
});

describe('mintid credentials rotate --grace', () => {
  it('keeps the old secret for the grace and says until when', async () => {
    const c = await create();
    const run = await mintid(['rotate', '--credential', c.credential_id, '--reason', 'quarterly', '--grace', '24h', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { rotated_at: string; previous_secret_expires_at: string };
    expect(Date.parse(out.previous_secret_expires_at) - Date.parse(out.rotated_at)).toBe(86_400_000);
    expect((await row(c.credential_id)).previous_secret_expires_at).toBeInstanceOf(Date);
  });

  it('prints the grace end in human output', async () => {
    const c = await create();
    const run = await mintid(['rotate', '--credential', c.credential_id, '--reason', 'quarterly', '--grace', '90m']);
    expect(run.stdout).toMatch(/previous secret keeps working until \S+/);
  });

  it.each([['8d'], ['soon'], ['-5']])('refuses --grace %s with exit code 2 before calling the server', async (grace) => {
    const c = await create();
    const run = await mintid(['rotate', '--credential', c.credential_id, '--reason', 'x', '--grace', grace]);
    expect(run.code).toBe(2);
    expect((await row(c.credential_id)).secret_rotated_at).toBeNull();
  });
});

describe('mintid credentials end-grace', () => {
  it('ends an open grace', async () => {
    const c = await create();
    await mintid(['rotate', '--credential', c.credential_id, '--reason', 'q', '--grace', '1h']);
    const run = await mintid(['end-grace', '--credential', c.credential_id, '--reason', 'cut over', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(Date.parse(JSON.parse(run.stdout).previous_secret_expires_at)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('answers exit code 6 with no_rotation_grace when there is none', async () => {
    const c = await create();
    const run = await mintid(['end-grace', '--credential', c.credential_id, '--reason', 'cut over', '--json']);
    expect(run.code).toBe(6);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: 'conflict', reason: 'no_rotation_grace' });
  });

  it('needs --reason (exit code 2)', async () => {
    expect((await mintid(['end-grace', '--credential', '00000000-0000-4000-8000-000000000000'])).code).toBe(2);
  });
});

describe('mintid credentials revoke', () => {
  it('stores --reason-code key_compromise', async () => {
    const c = await create();
    const run = await mintid(['revoke', '--credential', c.credential_id, '--reason', 'leaked', '--reason-code', 'key_compromise']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('key_compromise');
    expect((await row(c.credential_id)).revocation_reason_code).toBe('key_compromise');
  });

  it('revokes every credential with --metadata integration=erp, and only those', async () => {
    const tag = `erp${Date.now()}`;
    const [a, b, other] = [await create({ integration: tag }), await create({ integration: tag }), await create({ integration: 'shop' })];
    const run = await mintid(['revoke', '--metadata', `integration=${tag}`, '--reason', 'retired', '--reason-code', 'integration_retired', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { revoked: number; credential_ids: string[] };
    expect(out.revoked).toBe(2);
    expect([...out.credential_ids].sort()).toEqual([a.credential_id, b.credential_id].sort());
    expect((await row(other.credential_id)).revoked_at).toBeNull();
  });

  it('revokes a list with --credentials', async () => {
    const [a, b] = [await create(), await create()];
    const run = await mintid(['revoke', '--credentials', `${a.credential_id},${b.credential_id}`, '--reason', 'retired', '--json']);
    expect(JSON.parse(run.stdout).revoked).toBe(2);
  });

  it('counts what it revoked: 1 credential, 2 credentials', async () => {
    const [a, b, c] = [await create(), await create(), await create()];
    const one = await mintid(['revoke', '--credentials', a.credential_id, '--reason', 'retired']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^Revoked credential ${a.credential_id}\\n1 credential revoked at \\S+ \\(unspecified\\)\\n$`));
    const two = await mintid(['revoke', '--credentials', `${b.credential_id},${c.credential_id}`, '--reason', 'retired', '--reason-code', 'superseded']);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(/\n2 credentials revoked at \S+ \(superseded\)\n$/);
  });

  it('lists the reason code and rejected uses in human output', async () => {
    const c = await create();
    await mintid(['revoke', '--credential', c.credential_id, '--reason', 'x', '--reason-code', 'unused']);
    const run = await mintid(['list', '--status', 'revoked']);
    expect(run.stdout.split('\n').find((l) => l.startsWith(c.credential_id))).toContain('unused');
  });

  it.each([
    ['no selector', ['--reason', 'x']],
    ['two selectors', ['--credential', '00000000-0000-4000-8000-000000000000', '--metadata', 'a=b', '--reason', 'x']],
    ['an unknown reason code', ['--credential', '00000000-0000-4000-8000-000000000000', '--reason', 'x', '--reason-code', 'stolen']],
    ['a malformed --metadata', ['--metadata', 'integration', '--reason', 'x']],
  ])('refuses %s with exit code 2', async (_name, args) => {
    const run = await mintid(['revoke', ...args]);
    expect(run.code).toBe(2);
  });

  it('answers an unknown id in --credentials with exit code 5 and revokes none', async () => {
    const a = await create();
    const run = await mintid(['revoke', '--credentials', `${a.credential_id},00000000-0000-4000-8000-000000000000`, '--reason', 'x', '--json']);
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stderr).error.reason).toBe('credential_not_found');
    expect((await row(a.credential_id)).revoked_at).toBeNull();
  });
});
