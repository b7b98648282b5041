// `mintid audit verify` through the real binary, connected directly to a test database.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createArgs, seedBrands, serviceCaller, type BrandFixture } from '../support/fixtures.js';
import { mintidRunner } from '../support/cli.js';

let db: TestDatabase;
let f: BrandFixture;
let revoked: string;
beforeAll(async () => {
  db = await createTestDatabase();
  f = await seedBrands(db);
  const create = async (brandId: string) =>
    (await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(brandId))).credential_id;
  revoked = await create(f.brandId);
  await create(f.otherBrandId);
  await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: revoked, _reason: 'leaked' });
});
afterAll(() => db.close());

const mintid = mintidRunner(() => ({ DATABASE_URL: db.urls.admin }), ['audit']);

describe('mintid audit verify', () => {
  it('exits 0 and says what it checked when nothing was touched', async () => {
    const run = await mintid(['verify']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Audit trail verified: 2 brand\(s\), 3 record\(s\), 2 credential\(s\); no break\.$/m);
  });

  it('prints the report as JSON with --json and checks one brand with --brand', async () => {
    const run = await mintid(['verify', '--json', '--brand', f.otherBrandId.toUpperCase()]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true, brands: 1, records: 1, credentials: 1, breaks: [],
      heads: [{ brandId: f.otherBrandId, seq: '1', digest: expect.stringMatching(/^[0-9a-f]{64}$/) }],
    });
  });

  it('keeps chain heads in an --anchor file and exits 8 when records were later cut from the end', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mintid-anchor-'));
    const file = path.join(dir, 'anchor.json');
    try {
      await db.rpc(serviceCaller, 'add_brand_member', { _brand_id: f.brandId, _email: 'otherAdmin@example.test', _role: 'member' });
      const first = await mintid(['verify', '--anchor', file]);
      expect(first.code, first.stderr).toBe(0);
      const saved = JSON.parse(await readFile(file, 'utf8')) as { heads: { brandId: string; seq: string }[] };
      expect(saved.heads.find((h) => h.brandId === f.brandId)?.seq).toBe('3');
      await db.asOwner(async (tx) => {
        await tx`alter table mintid.audit_records disable trigger refuse_audit_record_update_delete`;
        await tx`delete from mintid.audit_records where brand_id = ${f.brandId} and seq = 3`;
        await tx`alter table mintid.audit_records enable always trigger refuse_audit_record_update_delete`;
      });
      expect((await mintid(['verify'])).code).toBe(0); // nothing else contradicts it
      const second = await mintid(['verify', '--anchor', file]);
      expect(second.code).toBe(8);
      expect(second.stderr.split('\n')[0]).toBe(`Audit trail BROKEN at brand ${f.brandId}, seq 3: the chain ends at seq 2 but the anchor saved earlier has seq 3: records were removed from its end`);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(saved); // a broken run does not move the anchor
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 8 naming the first break (brand, seq, what) after the owner un-revokes with the guard disabled', async () => {
    const [{ seq }] = await db.admin`select seq::text from mintid.audit_records where credential_id = ${revoked} and action = 'revoked'` as unknown as [{ seq: string }];
    await db.asOwner(async (tx) => {
      await tx`alter table mintid.api_credentials disable trigger guard_api_credential`;
      await tx`update mintid.api_credentials set revoked_at = null, revoked_by = null, revocation_reason = null, revocation_reason_code = null where id = ${revoked}`;
      await tx`alter table mintid.api_credentials enable always trigger guard_api_credential`;
    });
    const run = await mintid(['verify']);
    expect(run.code).toBe(8);
    expect(run.stderr.split('\n')[0]).toBe(
      `Audit trail BROKEN at brand ${f.brandId}, seq ${seq}: credential ${revoked}: has a revoked record but is not revoked (un-revoked)`);
    const other = await mintid(['verify', '--brand', f.otherBrandId]);
    expect(other.code, other.stderr).toBe(0);
    const json = await mintid(['verify', '--json']);
    expect(json.code).toBe(8);
    const report = JSON.parse(json.stdout) as { ok: boolean; breaks: { brandId: string; seq: string }[] };
    expect([report.ok, report.breaks[0]?.brandId, report.breaks[0]?.seq]).toEqual([false, f.brandId, seq]);
  });

  it.each([
    [['verify', '--brand', 'not-a-uuid'], /--brand must be a UUID/],
    [['verify', '--bogus'], /Unknown option '--bogus'/],
    [['check'], /unknown command 'check'/],
    [[], /Usage: mintid audit/],
  ] as [string[], RegExp][])('exits 2 (usage) for %j', async (args, message) => {
    const run = await mintid(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('prints its usage with --help and exits 0, touching nothing', async () => {
    const run = await mintid(['verify', '--help'], { env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } });
    expect([run.code, run.stdout.startsWith('Usage: mintid audit verify')]).toEqual([0, true]);
  });

  it('exits 1 saying what to do on a database without the migrations', async () => {
    const run = await mintid(['verify'], { env: { DATABASE_URL: db.urls.admin.replace(/\/[^/?]+(\?|$)/, '/postgres$1') } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/has no MintID audit trail .*mintid migrate/);
  });

  it('exits 1 with a message when the database cannot be reached', async () => {
    const run = await mintid(['verify'], { env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^mintid: /);
  });
});
