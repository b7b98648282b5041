-- A local stand-in for Supabase Vault (the `supabase_vault` extension, 0.3.x), for plain PostgreSQL
-- where the extension is absent: the same `vault.secrets` table, `vault.decrypted_secrets` view,
-- `vault.create_secret` / `vault.update_secret` functions and the same grants hosted Supabase
-- gives `postgres` and `service_role`, so the migrations that use Vault run unchanged on both.
-- Never part of supabase/migrations/. Idempotent. Runs as a superuser, after platform.sql, with
-- the setting mintid.owner_role (the role that owns and runs the migrations, hosted's `postgres`).
-- Skipped where the real extension is installed.
--
-- Cipher: AES-256-CBC with a fresh random IV per encryption, then HMAC-SHA256 over everything
-- (encrypt-then-MAC), both keys derived from one 32-byte root key. The associated data (the
-- secret's id, as hosted Vault binds it) and the row's nonce are covered by the MAC, so a
-- ciphertext moved to another row or altered in any bit fails authentication.
--
-- The root key lives in schema `vault_local_key`, owned by the superuser, with no privilege for
-- anybody else: not PUBLIC, not the API roles, not the migration owner. Only the two SECURITY
-- DEFINER functions below (owned by the superuser) read it, and neither ever returns it.

create schema if not exists vault_local_key;
comment on schema vault_local_key is
  'Local stand-in for Supabase Vault: holds the root key. Superuser only; no other role has any privilege here.';
revoke all on schema vault_local_key from public;

create table if not exists vault_local_key.root_key (
  singleton boolean primary key default true check (singleton),
  key bytea not null check (octet_length(key) = 32),
  created_at timestamptz not null default now()
);
comment on table vault_local_key.root_key is
  'The local Vault''s root key (32 random bytes). Read only by vault._crypto_aead_det_encrypt/_decrypt.';
revoke all on table vault_local_key.root_key from public;
insert into vault_local_key.root_key (key) values (extensions.gen_random_bytes(32)) on conflict (singleton) do nothing;

create schema if not exists vault;
comment on schema vault is 'Local stand-in for Supabase Vault (supabase_vault 0.3.x): same table, view, functions and grants.';
revoke all on schema vault from public;

-- The key for one purpose ('enc' or 'mac') of one key id and context. Private to the two functions.
create or replace function vault_local_key.subkey(_purpose text, _key_id bigint, _context bytea)
returns bytea
language sql
stable
set search_path = ''
as $$
  select extensions.hmac(
    convert_to('mintid-local-vault/v1/' || _purpose || '/' || coalesce(_key_id, 0)::text || '/', 'utf8') || coalesce(_context, ''::bytea),
    k.key, 'sha256')
  from vault_local_key.root_key k;
$$;
revoke all on function vault_local_key.subkey(text, bigint, bytea) from public;

-- What the MAC covers: version, IV, associated data, nonce and ciphertext, each length-prefixed.
create or replace function vault_local_key.mac_input(_iv bytea, _additional bytea, _nonce bytea, _ciphertext bytea)
returns bytea
language sql
immutable
set search_path = ''
as $$
  select '\x01'::bytea
    || _iv
    || int4send(octet_length(coalesce(_additional, ''::bytea))) || coalesce(_additional, ''::bytea)
    || int4send(octet_length(coalesce(_nonce, ''::bytea))) || coalesce(_nonce, ''::bytea)
    || _ciphertext;
$$;
revoke all on function vault_local_key.mac_input(bytea, bytea, bytea, bytea) from public;

-- A fresh nonce, as pgsodium's crypto_aead_det_noncegen (16 random bytes). Default of vault.secrets.nonce.
create or replace function vault._crypto_aead_det_noncegen()
returns bytea
language sql
volatile
set search_path = ''
as $$
  select extensions.gen_random_bytes(16);
$$;

-- Encrypts and authenticates: 0x01 || iv(16) || AES-256-CBC(message) || HMAC-SHA256 tag(32).
-- Same signature as hosted Vault's. A fresh random IV every time, so re-encrypting a row (as
-- update_secret does with the row's nonce) never reuses an IV. Callers: vault.create_secret and
-- vault.update_secret only (hosted grants it to nobody either).
create or replace function vault._crypto_aead_det_encrypt(
  message bytea, additional bytea, key_id bigint, context bytea = 'pgsodium', nonce bytea = null
)
returns bytea
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _iv bytea := extensions.gen_random_bytes(16);
  _ciphertext bytea;
begin
  -- Not STRICT: a null nonce (the default) is authenticated as empty, not an early null.
  if message is null then
    return null;
  end if;
  _ciphertext := extensions.encrypt_iv(message, vault_local_key.subkey('enc', key_id, context), _iv, 'aes-cbc/pad:pkcs');
  return '\x01'::bytea || _iv || _ciphertext
    || extensions.hmac(vault_local_key.mac_input(_iv, additional, nonce, _ciphertext),
                       vault_local_key.subkey('mac', key_id, context), 'sha256');
end;
$$;

-- Verifies the tag, then decrypts; raises XX001 'vault: ciphertext failed authentication' for any
-- altered, truncated or moved ciphertext, naming nothing of the message. The tags are compared
-- through a second HMAC so the comparison leaks no timing about the expected tag.
-- Callers: vault.decrypted_secrets; granted as hosted does (migration owner, service_role).
create or replace function vault._crypto_aead_det_decrypt(
  message bytea, additional bytea, key_id bigint, context bytea = 'pgsodium', nonce bytea = null
)
returns bytea
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  _length int := octet_length(message);
  _mac_key bytea;
  _iv bytea;
  _ciphertext bytea;
  _tag bytea;
  _expected bytea;
begin
  if message is null then
    return null;
  end if;
  if _length < 1 + 16 + 16 + 32 or (_length - 1 - 16 - 32) % 16 <> 0 or substring(message from 1 for 1) <> '\x01'::bytea then
    raise exception using errcode = 'XX001', message = 'vault: ciphertext failed authentication';
  end if;
  _mac_key := vault_local_key.subkey('mac', key_id, context);
  _iv := substring(message from 2 for 16);
  _ciphertext := substring(message from 18 for _length - 1 - 16 - 32);
  _tag := substring(message from _length - 31 for 32);
  _expected := extensions.hmac(vault_local_key.mac_input(_iv, additional, nonce, _ciphertext), _mac_key, 'sha256');
  if extensions.hmac(_tag, _mac_key, 'sha256') <> extensions.hmac(_expected, _mac_key, 'sha256') then
    raise exception using errcode = 'XX001', message = 'vault: ciphertext failed authentication';
  end if;
  return extensions.decrypt_iv(_ciphertext, vault_local_key.subkey('enc', key_id, context), _iv, 'aes-cbc/pad:pkcs');
end;
$$;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default vault._crypto_aead_det_noncegen(),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is 'Table with encrypted `secret` column for storing sensitive information on disk.';
-- Hosted Vault's index (same name): a name, when given, is unique across the whole vault.
create unique index if not exists secrets_name_idx on vault.secrets using btree (name) where name is not null;

create or replace view vault.decrypted_secrets as
select s.id,
  s.name,
  s.description,
  s.secret,
  convert_from(
    vault._crypto_aead_det_decrypt(
      message := decode(s.secret, 'base64'),
      additional := convert_to(s.id::text, 'utf8'),
      key_id := 0,
      context := 'pgsodium'::bytea,
      nonce := s.nonce
    ),
    'utf8'
  ) as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;

-- Stores a new secret, encrypted; returns its id. Same signature and defaults as hosted Vault's
-- (new_key_id is unused there too). A null secret or description fails the NOT NULL constraint,
-- a taken name the unique index, as on hosted Supabase.
create or replace function vault.create_secret(
  new_secret text, new_name text = null, new_description text = '', new_key_id uuid = null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  _id uuid := gen_random_uuid();
  _nonce bytea := vault._crypto_aead_det_noncegen();
begin
  insert into vault.secrets (id, secret, name, description, nonce)
  values (
    _id,
    encode(vault._crypto_aead_det_encrypt(
      message := convert_to(new_secret, 'utf8'),
      additional := convert_to(_id::text, 'utf8'),
      key_id := 0,
      context := 'pgsodium'::bytea,
      nonce := _nonce
    ), 'base64'),
    new_name,
    new_description,
    _nonce
  );
  return _id;
end;
$$;

-- Changes what is given (null = unchanged) and stamps updated_at, as hosted Vault's does; an
-- unknown id changes nothing and raises nothing (hosted behaves the same).
create or replace function vault.update_secret(
  secret_id uuid, new_secret text = null, new_name text = null, new_description text = null, new_key_id uuid = null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update vault.secrets s
  set
    secret = case when new_secret is null then s.secret
                  else encode(vault._crypto_aead_det_encrypt(
                    message := convert_to(new_secret, 'utf8'),
                    additional := convert_to(s.id::text, 'utf8'),
                    key_id := 0,
                    context := 'pgsodium'::bytea,
                    nonce := s.nonce
                  ), 'base64') end,
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    updated_at = now()
  where s.id = secret_id;
end;
$$;

revoke all on function
  vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_noncegen(),
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid)
from public;
revoke all on vault.secrets, vault.decrypted_secrets from public;

-- The grants hosted Supabase gives after creating the extension (supabase/postgres:
-- postgresql_extension_custom_scripts/supabase_vault/after-create.sql), to the migration owner in
-- place of `postgres`, and to service_role.
do $$
declare
  _owner text := current_setting('mintid.owner_role');
begin
  execute format('grant usage on schema vault to %I with grant option', _owner);
  execute format('grant select, delete on vault.secrets, vault.decrypted_secrets to %I with grant option', _owner);
  execute format('grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid), '
    || 'vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) to %I with grant option', _owner);
end
$$;
grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) to service_role;
