-- API credentials and the table rules that hold for every writer, the SQL console included:
-- only argon2id hashes are stored, a revoked credential never changes again, identity columns
-- never change, nothing is deleted. The guard validates the whole row itself before Postgres
-- checks constraints, because a constraint error's DETAIL would print the row (and its hash).

create table mintid.api_credentials (
  id uuid primary key default gen_random_uuid(),
  brand_id uuid not null references mintid.brands (id),
  name text not null,
  client_id text not null unique,
  client_secret_hash text not null,
  scopes text[] not null,
  metadata jsonb not null default '{}'::jsonb,
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  created_by text not null,
  secret_rotated_at timestamptz,
  secret_rotated_by text,
  revoked_at timestamptz,
  revoked_by text,
  revocation_reason text,
  last_used_at timestamptz
);
comment on table mintid.api_credentials is
  'API credentials of brands. Status is derived (see mintid.credential_status); the secret is stored only as an argon2id hash.';
comment on column mintid.api_credentials.client_secret_hash is
  'argon2id PHC string of the client secret. Never returned by the listing RPCs; never logged.';
create index api_credentials_brand_page_idx on mintid.api_credentials (brand_id, created_at desc, id desc);

alter table mintid.api_credentials enable row level security;
revoke all on mintid.api_credentials from public, anon, authenticated, service_role;

-- The derived status: revoked, else expired when expires_at <= now(), else active. Private.
create function mintid.credential_status(_revoked_at timestamptz, _expires_at timestamptz)
returns text
language sql
stable
parallel safe
set search_path = ''
as $$
  select case
    when _revoked_at is not null then 'revoked'
    when _expires_at <= now() then 'expired'
    else 'active'
  end;
$$;
comment on function mintid.credential_status(timestamptz, timestamptz) is
  'revoked | expired | active, derived from the lifecycle columns. Private.';
revoke all on function mintid.credential_status(timestamptz, timestamptz) from public, anon, authenticated, service_role;

-- Table rule for INSERT and UPDATE. Fires for every writer, including the table owner.
create function mintid.guard_api_credential()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    if old.revoked_at is not null then
      perform mintid.raise_error('conflict', 'credential_revoked', 'a revoked credential never changes again',
        'Create a new credential instead.');
    end if;
    if new.id <> old.id or new.brand_id <> old.brand_id or new.client_id <> old.client_id
       or new.created_at <> old.created_at or new.created_by <> old.created_by then
      perform mintid.raise_error('conflict', 'credential_identity_immutable',
        'id, brand_id, client_id, created_at and created_by never change', 'Create a new credential instead.');
    end if;
  end if;
  if new.brand_id is null then
    perform mintid.raise_error('invalid_input', 'brand_id_required', 'brand_id is required', 'Pass the brand''s id.');
  end if;
  if new.id is null or new.created_at is null or new.created_by is null then
    perform mintid.raise_error('invalid_input', 'credential_row_incomplete', 'id, created_at and created_by are required',
      'Create credentials with public.create_api_credential_record.');
  end if;
  perform mintid.assert_name(new.name);
  perform mintid.assert_client_id(new.client_id);
  perform mintid.assert_secret_hash(new.client_secret_hash, 'client_secret_hash');
  perform mintid.assert_scopes(new.scopes);
  perform mintid.assert_metadata(new.metadata);
  if (new.secret_rotated_at is null) <> (new.secret_rotated_by is null) then
    perform mintid.raise_error('invalid_input', 'rotation_incomplete',
      'secret_rotated_at and secret_rotated_by are set together', 'Rotate with public.rotate_api_credential_secret_record.');
  end if;
  if new.revoked_at is not null or new.revoked_by is not null or new.revocation_reason is not null then
    if new.revoked_at is null or new.revoked_by is null then
      perform mintid.raise_error('invalid_input', 'revocation_incomplete',
        'revoked_at, revoked_by and revocation_reason are set together', 'Revoke with public.revoke_api_credential_record.');
    end if;
    perform mintid.assert_reason(new.revocation_reason);
  end if;
  return new;
end;
$$;
comment on function mintid.guard_api_credential() is
  'Trigger: validates every credential row and refuses changes to revoked rows and identity columns. Private.';
revoke all on function mintid.guard_api_credential() from public, anon, authenticated, service_role;

-- Table rule for DELETE and TRUNCATE: credentials are never removed; revocation is the end state.
create function mintid.refuse_api_credential_removal()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform mintid.raise_error('conflict', 'credential_delete_forbidden', 'credentials are never deleted',
    'Revoke the credential instead; it stays for the audit trail.');
  return null;
end;
$$;
comment on function mintid.refuse_api_credential_removal() is
  'Trigger: refuses DELETE and TRUNCATE of credentials. Private.';
revoke all on function mintid.refuse_api_credential_removal() from public, anon, authenticated, service_role;

create trigger guard_api_credential
  before insert or update on mintid.api_credentials
  for each row execute function mintid.guard_api_credential();
create trigger refuse_api_credential_delete
  before delete on mintid.api_credentials
  for each row execute function mintid.refuse_api_credential_removal();
create trigger refuse_api_credential_truncate
  before truncate on mintid.api_credentials
  for each statement execute function mintid.refuse_api_credential_removal();
-- ALWAYS: the rules also hold under session_replication_role = replica, which silences ordinary
-- triggers (a superuser, or hosted Supabase's postgres, can set it in any session).
alter table mintid.api_credentials enable always trigger guard_api_credential;
alter table mintid.api_credentials enable always trigger refuse_api_credential_delete;
alter table mintid.api_credentials enable always trigger refuse_api_credential_truncate;
