// SPEC §5 "Hashed-only secrets": only argon2id PHC strings inside the window, at the RPCs and in
// the table itself, and no error text ever contains the submitted value.
import { hash as nodeRsHash } from '@node-rs/argon2';
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectNotLeaked, expectPgError } from '../support/errors.js';
import {
  b64, createArgs, phc, serviceCaller, type BrandFixture, openSeededDatabase,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const salt16 = b64(Buffer.alloc(16, 7));
const hash32 = b64(Buffer.alloc(32, 9));

/** Refused hashes and the reason the contract gives. */
const refused: [string, string, string][] = [
  ['a plaintext secret', 'mintid_Zm9vYmFyYmF6cXV4cXV1eHh5enp5', 'hash_not_argon2id'],
  ['a bcrypt hash', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', 'hash_not_argon2id'],
  ['an argon2i hash', `$argon2i$v=19$m=19456,t=2,p=1$${salt16}$${hash32}`, 'hash_not_argon2id'],
  ['an argon2d hash', `$argon2d$v=19$m=19456,t=2,p=1$${salt16}$${hash32}`, 'hash_not_argon2id'],
  ['a scrypt hash', `$scrypt$ln=16,r=8,p=1$${salt16}$${hash32}`, 'hash_not_argon2id'],
  ['version 16', `$argon2id$v=16$m=19456,t=2,p=1$${salt16}$${hash32}`, 'hash_version_unsupported'],
  ['no version', `$argon2id$m=19456,t=2,p=1$${salt16}$${hash32}`, 'hash_malformed'],
  ['parameters in another order', `$argon2id$v=19$t=2,m=19456,p=1$${salt16}$${hash32}`, 'hash_malformed'],
  ['an extra parameter', `$argon2id$v=19$m=19456,t=2,p=1,data=abc$${salt16}$${hash32}`, 'hash_malformed'],
  ['a leading zero', `$argon2id$v=19$m=019456,t=2,p=1$${salt16}$${hash32}`, 'hash_malformed'],
  ['a missing hash part', `$argon2id$v=19$m=19456,t=2,p=1$${salt16}`, 'hash_malformed'],
  ['m below 19456', phc({ m: 19455, t: 2 }), 'hash_params_out_of_range'],
  ['m above 65536', phc({ m: 65537, t: 1 }), 'hash_params_out_of_range'],
  ['t of 0', phc({ t: 0 }), 'hash_params_out_of_range'],
  ['t above 4', phc({ m: 19456, t: 5 }), 'hash_params_out_of_range'],
  ['m·t below 38912', phc({ m: 19456, t: 1 }), 'hash_params_out_of_range'],
  ['m·t above 196608', phc({ m: 65536, t: 4 }), 'hash_params_out_of_range'],
  ['p of 0', phc({ p: 0 }), 'hash_params_out_of_range'],
  ['p above 4', phc({ p: 5 }), 'hash_params_out_of_range'],
  ['a salt of 15 bytes', phc({ salt: 15 }), 'hash_salt_length'],
  ['a salt of 65 bytes', phc({ salt: 65 }), 'hash_salt_length'],
  ['a hash of 31 bytes', phc({ hash: 31 }), 'hash_length'],
  ['a hash of 65 bytes', phc({ hash: 65 }), 'hash_length'],
  ['url-safe base64', `$argon2id$v=19$m=19456,t=2,p=1$${salt16.replace(/./, '-')}$${hash32.replace(/./, '_')}`, 'hash_base64_invalid'],
  ['padded base64', `$argon2id$v=19$m=19456,t=2,p=1$${salt16}==$${hash32}=`, 'hash_base64_invalid'],
  ['an impossible base64 length', `$argon2id$v=19$m=19456,t=2,p=1$${salt16}AAA$${hash32}`, 'hash_base64_invalid'],
  ['non-canonical trailing bits', `$argon2id$v=19$m=19456,t=2,p=1$${salt16.slice(0, -1)}B$${hash32}`, 'hash_base64_invalid'],
];

/** Accepted hashes: the corners of the window. */
const accepted: [string, string][] = [
  ['the OWASP minimum (m=19456, t=2, p=1)', phc({ m: 19456, t: 2, p: 1 })],
  ['m=65536, t=3 (m·t = 196608)', phc({ m: 65536, t: 3 })],
  ['m=38912, t=1 (m·t = 38912)', phc({ m: 38912, t: 1 })],
  ['p=4 with a 64-byte salt and hash', phc({ p: 4, salt: 64, hash: 64 })],
];

describe('the RPCs accept only argon2id PHC strings inside the window', () => {
  it.each(refused)('create refuses %s', async (_name, hash, reason) => {
    const error = await expectPgError(
      db.rpc(serviceCaller, 'create_api_credential_record', createArgs(f.brandId, { _client_secret_hash: hash })),
      { ...CATEGORY.invalid, reason },
    );
    expectNotLeaked(error, hash);
    expect(error.message).toContain('_client_secret_hash');
  });

  it.each(refused)('rotate refuses %s', async (_name, hash, reason) => {
    const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.brandId));
    const error = await expectPgError(
      db.rpc(serviceCaller, 'rotate_api_credential_secret_record', {
        _brand_id: f.brandId, _credential_id: credential_id, _new_secret_hash: hash, _reason: 'rotation',
      }),
      { ...CATEGORY.invalid, reason },
    );
    expectNotLeaked(error, hash);
  });

  it.each(accepted)('create accepts %s', async (_name, hash) => {
    await expect(
      db.rpc(serviceCaller, 'create_api_credential_record', createArgs(f.brandId, { _client_secret_hash: hash })),
    ).resolves.toMatchObject({ ok: true });
  });

  it('accepts what @node-rs/argon2 produces with the default parameters', async () => {
    const hash = await nodeRsHash('mintid_example-secret', { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    await expect(
      db.rpc(serviceCaller, 'create_api_credential_record', createArgs(f.brandId, { _client_secret_hash: hash })),
    ).resolves.toMatchObject({ ok: true });
  });

  it('refuses node-argon2 output, which orders the parameters m, p, t', async () => {
    const hash = await argon2.hash('mintid_example-secret', { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(hash).toContain('m=19456,p=1,t=2');
    await expectPgError(
      db.rpc(serviceCaller, 'create_api_credential_record', createArgs(f.brandId, { _client_secret_hash: hash })),
      { ...CATEGORY.invalid, reason: 'hash_malformed' },
    );
  });
});

describe('the table itself refuses non-conforming hashes, even from the owner', () => {
  it.each(refused.slice(0, 8))('an owner INSERT of %s fails without echoing it', async (_name, hash, reason) => {
    const error = await expectPgError(
      db.asOwner((tx) => tx`insert into mintid.api_credentials (brand_id, name, client_id, client_secret_hash, scopes, created_by)
        values (${f.brandId}, 'console', ${`console-${Math.random()}`}, ${hash}, ${['a:b']}, 'postgres')`),
      { ...CATEGORY.invalid, reason },
    );
    expectNotLeaked(error, hash);
  });

  it('an owner UPDATE to a plaintext secret fails without echoing it', async () => {
    const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.brandId));
    const plaintext = 'mintid_plaintext-that-must-not-leak';
    const error = await expectPgError(
      db.asOwner((tx) => tx`update mintid.api_credentials set client_secret_hash = ${plaintext} where id = ${credential_id}`),
      { ...CATEGORY.invalid, reason: 'hash_not_argon2id' },
    );
    expectNotLeaked(error, plaintext);
  });

  it('an owner INSERT with a missing column does not print the row (and its hash)', async () => {
    const hash = phc();
    const error = await expectPgError(
      db.asOwner((tx) => tx`insert into mintid.api_credentials (brand_id, client_id, client_secret_hash, scopes, created_by)
        values (${f.brandId}, ${`console-${Math.random()}`}, ${hash}, ${['a:b']}, 'postgres')`),
      { ...CATEGORY.invalid, reason: 'name_required' },
    );
    expectNotLeaked(error, hash);
  });

  it('an owner INSERT without created_by does not print the row either', async () => {
    const hash = phc();
    const error = await expectPgError(
      db.asOwner((tx) => tx`insert into mintid.api_credentials (brand_id, name, client_id, client_secret_hash, scopes)
        values (${f.brandId}, 'x', ${`console-${Math.random()}`}, ${hash}, ${['a:b']})`),
      { ...CATEGORY.invalid, reason: 'credential_row_incomplete' },
    );
    expectNotLeaked(error, hash);
  });
});

describe('no stored hash leaves through errors or events', () => {
  it('a rotation to the stored hash is refused without echoing it', async () => {
    const hash = phc();
    const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record',
      createArgs(f.brandId, { _client_secret_hash: hash }));
    const error = await expectPgError(db.rpc(serviceCaller, 'rotate_api_credential_secret_record', {
      _brand_id: f.brandId, _credential_id: credential_id, _new_secret_hash: hash, _reason: 'same',
    }), { ...CATEGORY.conflict, reason: 'secret_unchanged' });
    expectNotLeaked(error, hash);
  });

  it('events never contain a hash', async () => {
    const hash = phc();
    const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record',
      createArgs(f.brandId, { _client_secret_hash: hash }));
    const next = phc();
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record', {
      _brand_id: f.brandId, _credential_id: credential_id, _new_secret_hash: next, _reason: 'routine',
    });
    const rows = await db.admin`select to_jsonb(e)::text as event from mintid.audit_records e where credential_id = ${credential_id}`;
    expect(rows).toHaveLength(2);
    for (const { event } of rows) {
      expect(event.includes(hash)).toBe(false);
      expect(event.includes(next)).toBe(false);
      expect(event.includes('$argon2id$')).toBe(false);
    }
  });
});
