-- Brand secrets (SPEC §12): write-only values a brand's server-side steps need (another system's
-- client secret, an access token, a signing key). A secret has a visible name and description and
-- a value kept in Supabase Vault (vault.create_secret / vault.update_secret /
-- vault.decrypted_secrets; on the local stack, the stand-in of src/local/vault.sql). The value is
-- set and replaced here but read back only by read_brand_secret, for the service role. References
-- are by id, so a rename breaks nothing. Deleting a secret destroys its Vault row; the brand
-- secret row stays (marked deleted) as the subject of its audit records.
--
-- The Vault secret's own name is `mintid_brand_secret_<id>`, never the brand's name for it: Vault
-- names are unique across the whole vault, brand secret names only within a brand.

-- The audit actions (already registered by the audit trail migration; repeated so this file
-- stands on its own).
insert into mintid.audit_actions (subject_type, action) values
  ('secret', 'secret_created'), ('secret', 'secret_updated'), ('secret', 'secret_deleted')
on conflict do nothing;

create table mintid.brand_secrets (
  id uuid primary key default gen_random_uuid(),
  brand_id uuid not null references mintid.brands (id),
  name text not null check (name ~ '^[A-Za-z0-9._-]([A-Za-z0-9 ._-]{0,98}[A-Za-z0-9._-])?$'),
  description text not null default '' check (char_length(description) <= 500),
  vault_secret_id uuid unique,
  created_at timestamptz not null default now(),
  created_by text not null,
  updated_at timestamptz not null default now(),
  last_accessed_at timestamptz,
  deleted_at timestamptz,
  deleted_by text,
  check ((deleted_at is null) = (vault_secret_id is not null)),
  check ((deleted_at is null) = (deleted_by is null))
);
comment on table mintid.brand_secrets is
  'A brand''s secrets: name, description and the id of the Vault secret holding the value (null once deleted). Never holds a value.';
comment on column mintid.brand_secrets.vault_secret_id is 'vault.secrets.id of the value; null after deletion (the Vault row is destroyed).';
-- Unique per brand ignoring case, among secrets not deleted; also the listing's order.
create unique index brand_secrets_brand_name_key on mintid.brand_secrets (brand_id, lower(name)) where deleted_at is null;
create index brand_secrets_brand_page_idx on mintid.brand_secrets (brand_id, created_at desc, id desc) where deleted_at is null;

alter table mintid.brand_secrets enable row level security;
revoke all on mintid.brand_secrets from public, anon, authenticated, service_role;

-- Table rules: identity never changes, a deleted secret never changes again, and rows are never
-- deleted (they are the audit records' subjects). The row holds no value, so the errors can
-- name nothing secret. Private trigger function.
create function mintid.guard_brand_secret()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' or tg_op = 'TRUNCATE' then
    perform mintid.raise_error('conflict', 'secret_delete_forbidden', 'brand secrets are never deleted as rows',
      'Call delete_brand_secret: it destroys the value and keeps the record for the audit trail.');
  end if;
  if old.deleted_at is not null then
    perform mintid.raise_error('conflict', 'secret_deleted', 'a deleted brand secret never changes again',
      'Create a new secret.');
  end if;
  if new.id is distinct from old.id or new.brand_id is distinct from old.brand_id
     or new.created_at is distinct from old.created_at or new.created_by is distinct from old.created_by
     or (new.vault_secret_id is distinct from old.vault_secret_id and new.deleted_at is null) then
    perform mintid.raise_error('conflict', 'secret_identity_immutable',
      'the id, brand, creation and Vault reference of a brand secret never change',
      'Create a new secret instead.');
  end if;
  return new;
end;
$$;
comment on function mintid.guard_brand_secret() is 'Trigger: the table rules of brand secrets. Private.';
revoke all on function mintid.guard_brand_secret() from public, anon, authenticated, service_role;

create trigger guard_brand_secret_change
  before update or delete on mintid.brand_secrets
  for each row execute function mintid.guard_brand_secret();
create trigger guard_brand_secret_truncate
  before truncate on mintid.brand_secrets
  for each statement execute function mintid.guard_brand_secret();
alter table mintid.brand_secrets enable always trigger guard_brand_secret_change;
alter table mintid.brand_secrets enable always trigger guard_brand_secret_truncate;

-- _name: 1–100 characters of A-Z a-z 0-9 space . _ - after trimming; returns it trimmed. Private.
create function mintid.secret_name(_name text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  _trimmed text := btrim(_name, E' \t\r\n');
begin
  if _trimmed is null or _trimmed = '' then
    perform mintid.raise_error('invalid_input', 'name_required', '_name is required',
      'Name the secret: 1 to 100 characters of letters, digits, space, dot, underscore or hyphen.');
  end if;
  if char_length(_trimmed) > 100 or _trimmed !~ '^[A-Za-z0-9 ._-]+$' then
    perform mintid.raise_error('invalid_input', 'name_invalid',
      '_name must be 1 to 100 characters of A-Z a-z 0-9 space . _ - after trimming',
      'Use letters, digits, space, dot, underscore or hyphen, at most 100 characters.');
  end if;
  return _trimmed;
end;
$$;
comment on function mintid.secret_name(text) is 'Validates and trims a brand secret name (400 otherwise). Private.';
revoke all on function mintid.secret_name(text) from public, anon, authenticated, service_role;

-- _value: 1–16384 bytes of UTF-8, kept exactly as given. Never named in any error. Private.
create function mintid.assert_secret_value(_value text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _value is null or octet_length(_value) not between 1 and 16384 then
    perform mintid.raise_error('invalid_input', 'value_invalid', '_value must be 1 to 16384 bytes of UTF-8',
      'Pass the secret''s value (at most 16 KiB); it is stored as given, without trimming.');
  end if;
end;
$$;
comment on function mintid.assert_secret_value(text) is 'Raises 400 value_invalid unless the value is 1–16384 bytes. Private.';
revoke all on function mintid.assert_secret_value(text) from public, anon, authenticated, service_role;

-- _description: at most 500 characters after trimming; returns it trimmed (null stays null). Private.
create function mintid.secret_description(_description text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  _trimmed text := btrim(_description, E' \t\r\n');
begin
  if char_length(_trimmed) > 500 then
    perform mintid.raise_error('invalid_input', 'description_too_long', '_description must be at most 500 characters',
      'Shorten the description.');
  end if;
  return _trimmed;
end;
$$;
comment on function mintid.secret_description(text) is 'Validates and trims a brand secret description (400 otherwise). Private.';
revoke all on function mintid.secret_description(text) from public, anon, authenticated, service_role;

-- Authentication, then authorization, for the secret-managing RPCs: owner or admin of the brand
-- (403 not_brand_admin, the hint naming a member's role), or a trusted caller naming an existing
-- brand. Returns the audit actor. Private.
create function mintid.require_secret_manager(_brand_id uuid)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  return (mintid.require_brand_role(_brand_id, array['owner', 'admin']::mintid.brand_role[],
    'manage its secrets', 'managing secrets')).actor;
end;
$$;
comment on function mintid.require_secret_manager(uuid) is
  'Raises 401/403/400 unless the caller may manage the brand''s secrets; returns the audit actor. Private.';
revoke all on function mintid.require_secret_manager(uuid) from public, anon, authenticated, service_role;

-- Locks a live secret of the brand, or raises 400 secret_not_found (a secret of another brand,
-- or a deleted one, answers exactly the same). Private.
create function mintid.lock_brand_secret(_brand_id uuid, _secret_id uuid)
returns mintid.brand_secrets
language plpgsql
volatile
set search_path = ''
as $$
declare
  _row mintid.brand_secrets;
begin
  perform mintid.assert_present(_secret_id, '_secret_id');
  select s.* into _row
  from mintid.brand_secrets s
  where s.id = lock_brand_secret._secret_id and s.brand_id = lock_brand_secret._brand_id and s.deleted_at is null
  for update;
  if _row.id is null then
    perform mintid.raise_error('invalid_input', 'secret_not_found', 'no such secret in this brand',
      'Check the secret id; list_brand_secrets shows the brand''s secrets.');
  end if;
  return _row;
end;
$$;
comment on function mintid.lock_brand_secret(uuid, uuid) is 'Locks a live brand secret or raises 400 secret_not_found. Private.';
revoke all on function mintid.lock_brand_secret(uuid, uuid) from public, anon, authenticated, service_role;

-- 409 secret_name_taken. Private.
create function mintid.raise_secret_name_taken()
returns void
language sql
immutable
set search_path = ''
as $$
  select mintid.raise_error('conflict', 'secret_name_taken', 'the brand already has a secret of that name',
    'Names are unique per brand, ignoring case: choose another name, or update the existing secret.');
$$;
comment on function mintid.raise_secret_name_taken() is 'Raises 409 secret_name_taken. Private.';
revoke all on function mintid.raise_secret_name_taken() from public, anon, authenticated, service_role;

-- Creates a secret; the value goes to Vault, encrypted, and never comes back through this RPC.
-- Callers: owner/admin of the brand (authenticated), service_role, SQL-console operators.
create function public.create_brand_secret(
  _brand_id uuid default null, _name text default null, _value text default null, _description text default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _actor text := mintid.require_secret_manager(_brand_id);
  _clean_name text := mintid.secret_name(_name);
  _clean_description text;
  _id uuid := gen_random_uuid();
  _vault_id uuid;
  _inserted uuid;
begin
  perform mintid.assert_secret_value(_value);
  _clean_description := coalesce(mintid.secret_description(_description), '');
  if exists (select 1 from mintid.brand_secrets s
             where s.brand_id = _brand_id and lower(s.name) = lower(_clean_name) and s.deleted_at is null) then
    perform mintid.raise_secret_name_taken();
  end if;

  _vault_id := vault.create_secret(_value, 'mintid_brand_secret_' || _id::text,
    'MintID brand secret ' || _id::text || ' of brand ' || _brand_id::text);
  insert into mintid.brand_secrets (id, brand_id, name, description, vault_secret_id, created_by)
  values (_id, _brand_id, _clean_name, _clean_description, _vault_id, _actor)
  on conflict (brand_id, lower(name)) where deleted_at is null do nothing
  returning id into _inserted;
  if _inserted is null then
    -- A concurrent create took the name; raising rolls the Vault row back too.
    perform mintid.raise_secret_name_taken();
  end if;

  perform mintid.record_audit(_brand_id, 'secret', _id, 'secret_created', _actor, null, '{}'::jsonb, now());
  return jsonb_build_object('ok', true, 'secret_id', _id);
end;
$$;
comment on function public.create_brand_secret(uuid, text, text, text) is
  'Creates a brand secret (value to Vault). Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.create_brand_secret(uuid, text, text, text) from public, anon, authenticated, service_role;
grant execute on function public.create_brand_secret(uuid, text, text, text) to authenticated, service_role;

-- Renames, re-describes and/or replaces the value of a secret; null = unchanged. The id, and so
-- every reference to the secret, stays. The audit record names what changed, never what to.
-- Callers: owner/admin of the brand (authenticated), service_role, SQL-console operators.
create function public.update_brand_secret(
  _brand_id uuid default null, _secret_id uuid default null, _name text default null, _value text default null,
  _description text default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _actor text := mintid.require_secret_manager(_brand_id);
  _clean_name text;
  _clean_description text;
  _row mintid.brand_secrets;
  _changed text[] := '{}';
  _at timestamptz;
begin
  perform mintid.assert_present(_secret_id, '_secret_id');
  if _name is null and _value is null and _description is null then
    perform mintid.raise_error('invalid_input', 'nothing_to_update', 'pass at least one of _name, _value, _description',
      'Name what to change; omitted (null) fields stay as they are.');
  end if;
  if _name is not null then
    _clean_name := mintid.secret_name(_name);
    _changed := array_append(_changed, 'name');
  end if;
  if _value is not null then
    perform mintid.assert_secret_value(_value);
    _changed := array_append(_changed, 'value');
  end if;
  if _description is not null then
    _clean_description := mintid.secret_description(_description);
    _changed := array_append(_changed, 'description');
  end if;
  _row := mintid.lock_brand_secret(_brand_id, _secret_id);

  if _clean_name is not null and exists (
    select 1 from mintid.brand_secrets s
    where s.brand_id = _brand_id and lower(s.name) = lower(_clean_name) and s.deleted_at is null and s.id <> _row.id
  ) then
    perform mintid.raise_secret_name_taken();
  end if;

  if _value is not null then
    perform vault.update_secret(_row.vault_secret_id, _value);
  end if;
  _at := clock_timestamp();
  begin
    update mintid.brand_secrets s
    set name = coalesce(_clean_name, s.name), description = coalesce(_clean_description, s.description), updated_at = _at
    where s.id = _row.id;
  exception when unique_violation then
    -- A concurrent create or rename took the name between the check and the update.
    perform mintid.raise_secret_name_taken();
  end;

  perform mintid.record_audit(_brand_id, 'secret', _row.id, 'secret_updated', _actor, null,
    jsonb_build_object('changed', to_jsonb(_changed)), _at);
  return jsonb_build_object('ok', true, 'secret_id', _row.id, 'updated_at', _at);
end;
$$;
comment on function public.update_brand_secret(uuid, uuid, text, text, text) is
  'Renames/re-describes/replaces the value of a brand secret. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.update_brand_secret(uuid, uuid, text, text, text) from public, anon, authenticated, service_role;
grant execute on function public.update_brand_secret(uuid, uuid, text, text, text) to authenticated, service_role;

-- Deletes a secret: its Vault row (the value) is destroyed; the brand secret row stays, marked
-- deleted, as the subject of the audit trail. Its name is free again.
-- Callers: owner/admin of the brand (authenticated), service_role, SQL-console operators.
create function public.delete_brand_secret(_brand_id uuid default null, _secret_id uuid default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _actor text := mintid.require_secret_manager(_brand_id);
  _row mintid.brand_secrets;
  _at timestamptz;
begin
  _row := mintid.lock_brand_secret(_brand_id, _secret_id);
  _at := clock_timestamp();
  delete from vault.secrets v where v.id = _row.vault_secret_id;
  update mintid.brand_secrets s set vault_secret_id = null, deleted_at = _at, deleted_by = _actor where s.id = _row.id;
  perform mintid.record_audit(_brand_id, 'secret', _row.id, 'secret_deleted', _actor, null, '{}'::jsonb, _at);
  return jsonb_build_object('ok', true, 'secret_id', _row.id, 'deleted_at', _at);
end;
$$;
comment on function public.delete_brand_secret(uuid, uuid) is
  'Deletes a brand secret (destroys the Vault row). Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.delete_brand_secret(uuid, uuid) from public, anon, authenticated, service_role;
grant execute on function public.delete_brand_secret(uuid, uuid) to authenticated, service_role;

-- Lists a brand's live secrets, newest first, keyset-paginated. Never a value or ciphertext.
-- Callers: owner/admin of the brand (authenticated), service_role, SQL-console operators.
create function public.list_brand_secrets(_brand_id uuid default null, _limit int default 50, _cursor text default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  _scope jsonb;
  _after_at timestamptz;
  _after_id uuid;
  _page jsonb;
begin
  perform mintid.require_secret_manager(_brand_id);
  perform mintid.assert_page_limit(_limit);
  _scope := jsonb_build_object('list', 'brand_secrets', 'brand', _brand_id);
  if _cursor is not null then
    select r.at, r.id into _after_at, _after_id from mintid.read_cursor(_cursor, _scope) r;
  end if;

  with page as (
    select s.id, s.name, s.description, s.created_at, s.updated_at, s.last_accessed_at
    from mintid.brand_secrets s
    where s.brand_id = _brand_id and s.deleted_at is null
      and (_cursor is null or (s.created_at, s.id) < (_after_at, _after_id))
    order by s.created_at desc, s.id desc
    limit _limit + 1
  ), numbered as (
    select page.*, row_number() over (order by page.created_at desc, page.id desc) as n from page
  )
  select jsonb_build_object(
    'ok', true,
    'items', coalesce(jsonb_agg(jsonb_build_object(
        'id', n.id, 'name', n.name, 'description', n.description, 'created_at', n.created_at,
        'updated_at', n.updated_at, 'last_accessed_at', n.last_accessed_at
      ) order by n.n) filter (where n.n <= _limit), '[]'::jsonb),
    'next_cursor', case when count(*) > _limit
      then mintid.issue_cursor(_scope, max(n.created_at) filter (where n.n = _limit), (array_agg(n.id) filter (where n.n = _limit))[1])
    end
  ) into _page
  from numbered n;
  return _page;
end;
$$;
comment on function public.list_brand_secrets(uuid, int, text) is
  'Lists a brand''s secrets (never a value), newest first. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.list_brand_secrets(uuid, int, text) from public, anon, authenticated, service_role;
grant execute on function public.list_brand_secrets(uuid, int, text) to authenticated, service_role;

-- Reads a secret's value for a server-side step and stamps last_accessed_at. The one path by
-- which a value leaves the database. Callers: service_role only (the edge functions' helper),
-- SQL-console operators; users hold no EXECUTE and the body refuses them too.
create function public.read_brand_secret(_brand_id uuid default null, _secret_id uuid default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _row mintid.brand_secrets;
  _value text;
begin
  perform mintid.require_trusted_caller();
  perform mintid.require_secret_manager(_brand_id);
  perform mintid.assert_present(_secret_id, '_secret_id');
  -- The row lock orders a read after a concurrent update or delete: a read never returns a value
  -- that a committed replace or delete had already superseded.
  select s.* into _row
  from mintid.brand_secrets s
  where s.id = _secret_id and s.brand_id = _brand_id and s.deleted_at is null
  for no key update;
  if _row.id is null then
    perform mintid.raise_error('invalid_input', 'secret_not_found', 'no such secret in this brand',
      'Check the secret id; list_brand_secrets shows the brand''s secrets.');
  end if;
  select d.decrypted_secret into _value from vault.decrypted_secrets d where d.id = _row.vault_secret_id;
  if _value is null then
    perform mintid.raise_error('conflict', 'secret_value_missing', 'the secret''s value is missing from Vault',
      'Set a new value with update_brand_secret.');
  end if;
  update mintid.brand_secrets s set last_accessed_at = now()
  where s.id = _row.id and (s.last_accessed_at is null or s.last_accessed_at < now());
  return jsonb_build_object('ok', true, 'secret_id', _row.id, 'name', _row.name, 'value', _value);
end;
$$;
comment on function public.read_brand_secret(uuid, uuid) is
  'Returns a brand secret''s value and stamps last_accessed_at. Callers: service_role only, SQL-console operators.';
revoke all on function public.read_brand_secret(uuid, uuid) from public, anon, authenticated, service_role;
grant execute on function public.read_brand_secret(uuid, uuid) to service_role;
