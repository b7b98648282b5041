-- The per-call path of every brand RPC, cheaper (issue 9), with the same answers. Measured with
-- pg_stat_statements (track = all, track_planning = on) and track_functions = all while the
-- gateway served rotate_api_credential_secret_record (docs/performance.md, "Where a rotate's time
-- goes"):
--   * mintid.brand_role_of was a SQL function with a SET clause: such a function is never inlined
--     and PostgreSQL plans its query again in every transaction (~21 µs of planning per call).
--     Now PL/pgSQL, whose plan is cached for the session.
--   * mintid.current_caller read the claims through auth.jwt(), also a SQL function with a SET
--     clause in the local platform (planned per transaction). It now reads the two settings
--     auth.jwt() reads (request.jwt.claims, then the legacy request.jwt.claim) itself; on hosted
--     Supabase the answer is the same, since PostgREST sets exactly these.
--   * mintid.guard_api_credential_previous_secret validated previous_secret_hash as an argon2id PHC
--     string on every write. The guard allows it to be only the hash a rotation replaced, i.e. the
--     old client_secret_hash, which was validated when it was written (or its own unchanged value,
--     validated likewise). It now validates only a value it goes on to refuse, first, so that a
--     malformed one is answered as before.
-- Behaviour, error codes, messages and the order of checks are unchanged; test/database/ holds them.

create or replace function mintid.brand_role_of(_brand_id uuid, _user_id uuid)
returns mintid.brand_role
language plpgsql
stable
set search_path = ''
as $$
begin
  return (select m.role
          from mintid.brand_members m
          where m.brand_id = _brand_id and m.user_id = _user_id);
end;
$$;
comment on function mintid.brand_role_of(uuid, uuid) is
  'The user''s role on the brand, or null. The seam for real membership data (PL/pgSQL: its plan is cached). Private.';

create or replace function mintid.current_caller()
returns mintid.caller
language plpgsql
stable
set search_path = ''
as $$
declare
  -- What auth.jwt() returns, read directly (auth.jwt() is a SQL function planned per transaction).
  _claims jsonb := coalesce(coalesce(nullif(current_setting('request.jwt.claims', true), ''),
                                     nullif(current_setting('request.jwt.claim', true), ''))::jsonb,
                            '{}'::jsonb);
  _session_role text := current_setting('role');
  _role text := _claims ->> 'role';
  _sub text := _claims ->> 'sub';
begin
  if _claims = '{}'::jsonb and _session_role = 'none' then
    return row ('operator', null, session_user)::mintid.caller;
  end if;
  if _session_role <> 'none' and _role is distinct from _session_role then
    perform mintid.raise_error('not_authenticated', 'role_mismatch',
      'the JWT role does not match the database role of the request',
      'Call through PostgREST with a valid user or service JWT.');
  end if;
  if _role = 'service_role' then
    return row ('service', null, 'service_role')::mintid.caller;
  end if;
  if _role = 'authenticated' then
    if _sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      return row ('user', _sub::uuid, lower(_sub))::mintid.caller;
    end if;
    perform mintid.raise_error('not_authenticated', 'jwt_sub_missing',
      'the JWT has no user id (sub)', 'Sign in and send the user''s access token.');
  end if;
  perform mintid.raise_error('not_authenticated', 'jwt_required',
    'a signed-in user or the service role is required', 'Sign in and send the user''s access token.');
  return null;
end;
$$;
comment on function mintid.current_caller() is
  'The caller of the current request (user, service or operator), from the JWT claims PostgREST set; raises 401 otherwise. Private.';

create or replace function mintid.guard_api_credential_previous_secret()
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
  elsif tg_op = 'INSERT' or (new.previous_secret_hash is distinct from old.previous_secret_hash
                             and new.previous_secret_hash is distinct from old.client_secret_hash) then
    -- A value this guard will refuse below anyway; validated first so the answer stays what it was.
    perform mintid.assert_secret_hash(new.previous_secret_hash, 'previous_secret_hash');
  end if;
  -- Otherwise previous_secret_hash is unchanged, or the old client_secret_hash: both were
  -- validated as PHC strings when they were written (mintid.guard_api_credential).
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
