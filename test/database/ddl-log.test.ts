// docs/sql/ddl-log.sql: a superuser's DDL log records what the owner does with DDL (the moves the
// audit trail cannot prevent), and the owner can neither edit it nor switch it off.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.admin.unsafe(await readFile(fileURLToPath(new URL('../../docs/sql/ddl-log.sql', import.meta.url)), 'utf8'));
});
afterAll(() => db.close());

const entries = () => db.admin<{ login: string; role: string; command_tag: string; object_identity: string }[]>`
  select login, role, command_tag, object_identity from mintid_ddl_log.entries order by id`;

describe('the DDL log', () => {
  it('records the owner disabling a table rule, replacing a function and rewriting a column', async () => {
    await db.asOwner(async (tx) => {
      await tx`alter table mintid.api_credentials disable trigger guard_api_credential`;
      await tx`alter table mintid.api_credentials enable always trigger guard_api_credential`;
      await tx.unsafe(`create or replace function mintid.credential_status(_revoked_at timestamptz, _expires_at timestamptz)
        returns text language sql stable set search_path = '' as $$ select case when _revoked_at is not null then 'revoked'
        when _expires_at <= now() then 'expired' else 'active' end $$`);
      await tx`alter table mintid.audit_records alter column reason type text using reason`;
    });
    const logged = await entries();
    expect(logged.map((e) => [e.command_tag, e.object_identity])).toEqual([
      ['ALTER TABLE', 'mintid.api_credentials'],
      ['ALTER TABLE', 'mintid.api_credentials'],
      ['CREATE FUNCTION', 'mintid.credential_status(timestamp with time zone,timestamp with time zone)'],
      ['ALTER TABLE', 'mintid.audit_records'],
    ]);
    expect(new Set(logged.map((e) => e.role))).toEqual(new Set([db.ownerRole]));
  });

  it('records a dropped constraint', async () => {
    await db.asOwner((tx) => tx`alter table mintid.audit_records drop constraint audit_records_details_object_check`);
    expect((await entries()).map((e) => e.object_identity)).toContainEqual(expect.stringContaining('audit_records_details_object_check'));
  });

  it('cannot be edited by the owner', async () => {
    await expect(db.asOwner((tx) => tx`delete from mintid_ddl_log.entries`)).rejects.toMatchObject({ code: '42501' });
  });

  it('cannot be switched off or dropped by the owner', async () => {
    await expect(db.asOwner((tx) => tx`alter event trigger mintid_ddl_log_ddl disable`)).rejects.toMatchObject({ code: '42501' });
    await expect(db.asOwner((tx) => tx`drop event trigger mintid_ddl_log_drop`)).rejects.toMatchObject({ code: '42501' });
  });

  it('keeps recording under session_replication_role = replica', async () => {
    const before = (await entries()).length;
    await db.admin.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`alter table mintid.api_credentials enable always trigger guard_secret_change`;
    });
    expect((await entries()).length).toBe(before + 1);
  });
});
