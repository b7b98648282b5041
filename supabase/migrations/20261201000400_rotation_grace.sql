-- Rotation with overlap (SPEC §13): after a rotation the previous secret may keep authenticating
-- for a grace period, so a live integration switches secrets without a failed exchange. One
-- previous secret at most: a later rotation replaces it, a revocation or
-- end_api_credential_rotation_grace ends its grace at once, and the grace never outlasts the
-- credential's expiry. The previous hash is kept after its grace (until the next rotation), so
-- the token endpoint can tell a late use of it from a wrong secret and count it as rejected.
--
-- rotate_api_credential_secret_record gains a parameter, so its signature changes: the old
-- function is dropped and the new one created (two overloads would make PostgREST answer PGRST203).

alter table mintid.api_credentials
  add column previous_secret_hash text,
  add column previous_secret_expires_at timestamptz;
comment on column mintid.api_credentials.previous_secret_hash is
  'argon2id PHC string of the secret the last rotation replaced. Never returned by the listing RPCs; never logged.';
comment on column mintid.api_credentials.previous_secret_expires_at is
  'Until when previous_secret_hash still authenticates; null when the rotation had no grace. Only ever moves earlier.';

insert into mintid.audit_actions (subject_type, action, secret_change) values ('credential', 'rotation_grace_ended', false);

-- Table rule for the previous secret, for every writer (the SQL console included): it is only
-- ever the hash that a rotation replaced, and its grace only ever ends earlier, never later.
-- Runs after guard_api_credential (trigger names fire in alphabetical order). Private.
create function mintid.guard_api_credential_previous_secret()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.previous_secret_hash is null then
    if new.previous_secret_expires_at is not null then
      perform mintid.raise_error('invalid_input', 'previous_secret_incomplete',
        'previous_secret_expires_at needs previous_secret_hash', 'Rotate with public.rotate_api_credential_secret_record.');
    end if;
  else
    perform mintid.assert_secret_hash(new.previous_secret_hash, 'previous_secret_hash');
  end if;
  if tg_op = 'INSERT' then
    if new.previous_secret_hash is not null then
      perform mintid.raise_error('conflict', 'previous_secret_immutable', 'a new credential has no previous secret',
        'Create credentials with public.create_api_credential_record.');
    end if;
  elsif new.previous_secret_hash is distinct from old.previous_secret_hash then
    if new.previous_secret_hash is distinct from old.client_secret_hash or new.client_secret_hash = old.client_secret_hash then
      perform mintid.raise_error('conflict', 'previous_secret_immutable',
        'the previous secret is only ever the hash a rotation replaced', 'Rotate with public.rotate_api_credential_secret_record.');
    end if;
  elsif new.previous_secret_expires_at is distinct from old.previous_secret_expires_at
        and (new.previous_secret_expires_at is null or old.previous_secret_expires_at is null
             or new.previous_secret_expires_at > old.previous_secret_expires_at) then
    perform mintid.raise_error('conflict', 'previous_secret_immutable',
      'a rotation grace can end earlier, never later', 'End it with public.end_api_credential_rotation_grace, or rotate again.');
  end if;
  return new;
end;
$$;
comment on function mintid.guard_api_credential_previous_secret() is
  'Trigger: the previous secret is only the hash a rotation replaced, and its grace never grows. Private.';
revoke all on function mintid.guard_api_credential_previous_secret() from public, anon, authenticated, service_role;

create trigger guard_api_credential_previous_secret
  before insert or update on mintid.api_credentials
  for each row execute function mintid.guard_api_credential_previous_secret();
alter table mintid.api_credentials enable always trigger guard_api_credential_previous_secret;

-- True while the credential's previous secret may authenticate (at the time of the call). Private.
create function mintid.rotation_grace_open(_credential mintid.api_credentials)
returns boolean
language sql
stable
set search_path = ''
as $$
  select _credential.previous_secret_expires_at is not null
     and _credential.previous_secret_expires_at > clock_timestamp()
     and mintid.credential_status(_credential.revoked_at, _credential.expires_at) = 'active';
$$;
comment on function mintid.rotation_grace_open(mintid.api_credentials) is
  'True while the previous secret of an active credential is inside its grace. Private.';
revoke all on function mintid.rotation_grace_open(mintid.api_credentials) from public, anon, authenticated, service_role;

-- _grace_seconds: null (read as 0) or 0–604800 (seven days). Private.
create function mintid.assert_grace_seconds(_grace_seconds int)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _grace_seconds not between 0 and 604800 then
    perform mintid.raise_error('invalid_input', 'grace_seconds_out_of_range', '_grace_seconds must be between 0 and 604800',
      'Give the previous secret at most seven days (604800 seconds), or 0 for none.');
  end if;
end;
$$;
comment on function mintid.assert_grace_seconds(int) is 'Raises 400 unless _grace_seconds is null or 0–604800. Private.';
revoke all on function mintid.assert_grace_seconds(int) from public, anon, authenticated, service_role;

drop function public.rotate_api_credential_secret_record(uuid, uuid, text, text);

-- Replaces the secret hash of an active credential; the replaced hash becomes the previous secret,
-- which authenticates until min(now + _grace_seconds, expires_at) (not at all with 0). A grace
-- still open from an earlier rotation ends now (one previous secret at most).
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create function public.rotate_api_credential_secret_record(
  _brand_id uuid default null, _credential_id uuid default null, _new_secret_hash text default null,
  _reason text default null, _grace_seconds int default 0
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
  _grace_end timestamptz;
  _details jsonb;
begin
  perform mintid.assert_present(_credential_id, '_credential_id');
  perform mintid.assert_secret_hash(_new_secret_hash, '_new_secret_hash');
  perform mintid.assert_reason(_reason);
  perform mintid.assert_grace_seconds(_grace_seconds);
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

  if coalesce(_grace_seconds, 0) > 0 then
    _grace_end := least(_at + make_interval(secs => _grace_seconds), _credential.expires_at);
  end if;
  _details := jsonb_build_object('grace_seconds', coalesce(_grace_seconds, 0));
  if _grace_end is not null then
    _details := _details || jsonb_build_object('previous_secret_expires_at', _grace_end);
  end if;
  if _credential.previous_secret_expires_at > _at then
    _details := _details || jsonb_build_object('grace_ended', true);
  end if;

  update mintid.api_credentials
  set client_secret_hash = _new_secret_hash, secret_rotated_at = _at, secret_rotated_by = _actor,
      previous_secret_hash = _credential.client_secret_hash, previous_secret_expires_at = _grace_end
  where id = _credential.id;
  perform mintid.record_audit(_brand_id, 'credential', _credential.id, 'rotated', _actor, btrim(_reason, E' \t\r\n'), _details, _at);
  return jsonb_build_object('ok', true, 'credential_id', _credential.id, 'rotated_at', _at,
    'previous_secret_expires_at', _grace_end);
end;
$$;
comment on function public.rotate_api_credential_secret_record(uuid, uuid, text, text, int) is
  'Rotates the secret hash of an active credential, optionally keeping the previous secret valid for a grace. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.rotate_api_credential_secret_record(uuid, uuid, text, text, int) from public, anon, authenticated, service_role;
grant execute on function public.rotate_api_credential_secret_record(uuid, uuid, text, text, int) to authenticated, service_role;

-- Ends a rotation grace now: from this instant only the current secret authenticates.
-- 409 no_rotation_grace when none is open. Callers: brand owner/admin (authenticated),
-- service_role, SQL-console operators.
create function public.end_api_credential_rotation_grace(
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
    perform mintid.raise_error('conflict', 'credential_revoked', 'a revoked credential has no rotation grace',
      'Nothing to do: revocation ended it.');
  end if;
  if not mintid.rotation_grace_open(_credential) then
    perform mintid.raise_error('conflict', 'no_rotation_grace', 'the credential has no open rotation grace',
      'Nothing to do: only the current secret authenticates.');
  end if;

  update mintid.api_credentials set previous_secret_expires_at = _at where id = _credential.id;
  perform mintid.record_audit(_brand_id, 'credential', _credential.id, 'rotation_grace_ended', _actor,
    btrim(_reason, E' \t\r\n'), jsonb_build_object('scheduled_expires_at', _credential.previous_secret_expires_at), _at);
  return jsonb_build_object('ok', true, 'credential_id', _credential.id, 'previous_secret_expires_at', _at);
end;
$$;
comment on function public.end_api_credential_rotation_grace(uuid, uuid, text) is
  'Ends the open rotation grace of a credential now. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.end_api_credential_rotation_grace(uuid, uuid, text) from public, anon, authenticated, service_role;
grant execute on function public.end_api_credential_rotation_grace(uuid, uuid, text) to authenticated, service_role;
