-- The writing RPCs: create, revoke, rotate. Each checks, in this order, authentication (401),
-- authorization (403), input (400) and state (409); each success writes exactly one event in its
-- own transaction; concurrent calls on one credential serialise on its row lock.
-- Every parameter has a default: an omitted parameter then reaches the function and is answered
-- in contract order (401, 403, then 400 `…_required`) instead of PostgREST's 404 PGRST202.
-- Revocation and rotation are stamped with the time the row lock was taken (clock_timestamp()),
-- so their times and events follow the order in which they really happened.

-- Creates a credential from an argon2id hash of its secret (the secret never reaches the server).
-- Callers: owner/admin of the brand (authenticated), service_role, SQL-console operators.
create function public.create_api_credential_record(
  _brand_id uuid default null,
  _name text default null,
  _client_id text default null,
  _client_secret_hash text default null,
  _scopes text[] default null,
  _metadata jsonb default '{}'::jsonb,
  _expires_at timestamptz default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _actor text := mintid.require_credential_manager(_brand_id);
  _id uuid;
begin
  perform mintid.assert_name(_name);
  perform mintid.assert_client_id(_client_id);
  perform mintid.assert_secret_hash(_client_secret_hash, '_client_secret_hash');
  perform mintid.assert_scopes(_scopes);
  perform mintid.assert_metadata(coalesce(_metadata, '{}'::jsonb));
  perform mintid.assert_expires_at(_expires_at);

  insert into mintid.api_credentials
    (brand_id, name, client_id, client_secret_hash, scopes, metadata, expires_at, created_by)
  values
    (_brand_id, btrim(_name, E' \t\r\n'), _client_id, _client_secret_hash, _scopes,
     coalesce(_metadata, '{}'::jsonb), _expires_at, _actor)
  on conflict (client_id) do nothing
  returning id into _id;

  if _id is null then
    perform mintid.raise_error('conflict', 'client_id_taken', 'the client id is already taken',
      'Choose another client id; client ids are unique across all brands.');
  end if;
  perform mintid.record_event(_id, _brand_id, 'created', _actor, null, now());
  return jsonb_build_object('ok', true, 'credential_id', _id);
end;
$$;
comment on function public.create_api_credential_record(uuid, text, text, text, text[], jsonb, timestamptz) is
  'Creates an API credential. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.create_api_credential_record(uuid, text, text, text, text[], jsonb, timestamptz) from public, anon, authenticated, service_role;
grant execute on function public.create_api_credential_record(uuid, text, text, text, text[], jsonb, timestamptz) to authenticated, service_role;

-- Locks a credential of the brand for a state change, or raises 400 credential_not_found (a
-- credential of another brand answers exactly the same). Private.
create function mintid.lock_brand_credential(_brand_id uuid, _credential_id uuid)
returns mintid.api_credentials
language plpgsql
volatile
set search_path = ''
as $$
declare
  _credential mintid.api_credentials;
begin
  select c.* into _credential
  from mintid.api_credentials c
  where c.id = lock_brand_credential._credential_id and c.brand_id = lock_brand_credential._brand_id
  for no key update;
  if not found then
    perform mintid.raise_error('invalid_input', 'credential_not_found', 'no such credential in this brand',
      'Check the credential id and the brand id.');
  end if;
  return _credential;
end;
$$;
comment on function mintid.lock_brand_credential(uuid, uuid) is
  'Row-locks the brand''s credential or raises 400 credential_not_found. Private.';
revoke all on function mintid.lock_brand_credential(uuid, uuid) from public, anon, authenticated, service_role;

-- Revokes a credential, permanently. An expired credential may still be revoked.
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create function public.revoke_api_credential_record(
  _brand_id uuid default null, _credential_id uuid default null, _reason text default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _actor text := mintid.require_credential_manager(_brand_id);
  _credential mintid.api_credentials;
  _at timestamptz;
begin
  perform mintid.assert_present(_credential_id, '_credential_id');
  perform mintid.assert_reason(_reason);
  _credential := mintid.lock_brand_credential(_brand_id, _credential_id);
  _at := clock_timestamp();
  if _credential.revoked_at is not null then
    perform mintid.raise_error('conflict', 'credential_revoked', 'the credential is already revoked',
      'Nothing to do: revocation is permanent.');
  end if;

  update mintid.api_credentials
  set revoked_at = _at, revoked_by = _actor, revocation_reason = btrim(_reason, E' \t\r\n')
  where id = _credential.id;
  perform mintid.record_event(_credential.id, _brand_id, 'revoked', _actor, btrim(_reason, E' \t\r\n'), _at);
  return jsonb_build_object('ok', true, 'credential_id', _credential.id, 'revoked_at', _at);
end;
$$;
comment on function public.revoke_api_credential_record(uuid, uuid, text) is
  'Revokes an API credential permanently. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.revoke_api_credential_record(uuid, uuid, text) from public, anon, authenticated, service_role;
grant execute on function public.revoke_api_credential_record(uuid, uuid, text) to authenticated, service_role;

-- Replaces the secret hash of an active credential; everything else stays as it was.
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create function public.rotate_api_credential_secret_record(
  _brand_id uuid default null, _credential_id uuid default null, _new_secret_hash text default null,
  _reason text default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _actor text := mintid.require_credential_manager(_brand_id);
  _credential mintid.api_credentials;
  _at timestamptz;
begin
  perform mintid.assert_present(_credential_id, '_credential_id');
  perform mintid.assert_secret_hash(_new_secret_hash, '_new_secret_hash');
  perform mintid.assert_reason(_reason);
  _credential := mintid.lock_brand_credential(_brand_id, _credential_id);
  _at := clock_timestamp();
  case mintid.credential_status(_credential.revoked_at, _credential.expires_at)
    when 'revoked' then
      perform mintid.raise_error('conflict', 'credential_revoked', 'a revoked credential cannot be rotated',
        'Create a new credential instead.');
    when 'expired' then
      perform mintid.raise_error('conflict', 'credential_expired', 'an expired credential cannot be rotated',
        'Create a new credential instead.');
    else
      if _credential.client_secret_hash = _new_secret_hash then
        perform mintid.raise_error('conflict', 'secret_unchanged', 'the new secret hash equals the current one',
          'Generate a new secret and hash it.');
      end if;
  end case;

  update mintid.api_credentials
  set client_secret_hash = _new_secret_hash, secret_rotated_at = _at, secret_rotated_by = _actor
  where id = _credential.id;
  perform mintid.record_event(_credential.id, _brand_id, 'rotated', _actor, btrim(_reason, E' \t\r\n'), _at);
  return jsonb_build_object('ok', true, 'credential_id', _credential.id, 'rotated_at', _at);
end;
$$;
comment on function public.rotate_api_credential_secret_record(uuid, uuid, text, text) is
  'Rotates the secret hash of an active credential. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.rotate_api_credential_secret_record(uuid, uuid, text, text) from public, anon, authenticated, service_role;
grant execute on function public.rotate_api_credential_secret_record(uuid, uuid, text, text) to authenticated, service_role;
