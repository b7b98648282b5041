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
--   * The other private SQL-language helpers on the RPC paths (credential_status,
--     rotation_grace_open, revocation_details, record_event, base64url, cursor_tag, issue_cursor)
--     become PL/pgSQL for the same reason as brand_role_of.
--   * The argon2id PHC check gains a fast path (below); the full parse stays for every refusal.
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

-- The other private SQL-language helpers on the RPCs' paths, as PL/pgSQL for the same reason
-- (a SQL function with a SET clause is planned again in every transaction that calls it: ~20 µs
-- each). Same arguments, same results.
create or replace function mintid.credential_status(_revoked_at timestamptz, _expires_at timestamptz)
returns text
language plpgsql
stable
parallel safe
set search_path = ''
as $$
begin
  return case
    when _revoked_at is not null then 'revoked'
    when _expires_at <= now() then 'expired'
    else 'active'
  end;
end;
$$;

create or replace function mintid.rotation_grace_open(_credential mintid.api_credentials)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  return _credential.previous_secret_expires_at is not null
     and _credential.previous_secret_expires_at > clock_timestamp()
     and mintid.credential_status(_credential.revoked_at, _credential.expires_at) = 'active';
end;
$$;

create or replace function mintid.revocation_details(_credential mintid.api_credentials, _reason_code text)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  return jsonb_build_object('reason_code', coalesce(_reason_code, 'unspecified'))
      || case when mintid.rotation_grace_open(_credential) then jsonb_build_object('grace_ended', true) else '{}'::jsonb end;
end;
$$;

create or replace function mintid.record_event(
  _credential_id uuid, _brand_id uuid, _action mintid.credential_action, _actor text, _reason text,
  _occurred_at timestamptz
)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  perform mintid.record_audit(_brand_id, 'credential', _credential_id, _action::text, _actor, _reason,
    '{}'::jsonb, _occurred_at);
end;
$$;

create or replace function mintid.base64url(_bytes bytea)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return translate(encode(_bytes, 'base64'), E'+/=\n', '-_');
end;
$$;

create or replace function mintid.cursor_tag(_payload bytea)
returns bytea
language plpgsql
stable
set search_path = ''
as $$
begin
  return (select substring(extensions.hmac(_payload, k.key, 'sha256') from 1 for 16)
          from mintid.cursor_signing_key k);
end;
$$;

create or replace function mintid.issue_cursor(_scope jsonb, _at timestamptz, _id uuid)
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  _payload bytea := convert_to((_scope || jsonb_build_object('at', _at, 'id', _id))::text, 'UTF8');
begin
  return mintid.base64url(_payload) || '.' || mintid.base64url(mintid.cursor_tag(_payload));
end;
$$;

-- The argon2id PHC check, with a fast path for the common case. The full parse (migration 0800)
-- costs ~25 µs the first time a transaction calls it (PL/pgSQL prepares each of its ~25
-- expressions once per transaction); it becomes mintid.argon2id_phc_reason and still gives every
-- refusal its reason. mintid.argon2id_phc_problem first tries one anchored regular expression
-- without nested or bounded repetitions of groups (PostgreSQL compiles it once per session; ~5 µs)
-- plus the range, length and canonical-base64 rules in one expression, and answers null (acceptable)
-- only when all of them hold; anything else goes to the full parse, so no string is accepted that
-- the full parse refuses (test/database/phc-fast-path.test.ts compares both over many strings).
alter function mintid.argon2id_phc_problem(text) rename to argon2id_phc_reason;
comment on function mintid.argon2id_phc_reason(text) is
  'The machine reason an argon2id PHC string is refused, or null if it is acceptable: the full parse, no regex. Private.';
revoke all on function mintid.argon2id_phc_reason(text) from public, anon, authenticated, service_role;

create function mintid.argon2id_phc_problem(_phc text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  _params text[];
  _salt text;
  _hash text;
begin
  if _phc ~ '^\$argon2id\$v=19\$m=[1-9][0-9]{0,8},t=[1-9][0-9]{0,8},p=[1-9][0-9]{0,8}\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$' then
    _params := array[split_part(split_part(_phc, '$', 4), ',', 1), split_part(split_part(_phc, '$', 4), ',', 2),
                     split_part(split_part(_phc, '$', 4), ',', 3), split_part(_phc, '$', 5), split_part(_phc, '$', 6)];
    _salt := _params[4];
    _hash := _params[5];
    -- m, t, p in the window; unpadded base64 of 16–64 (salt) and 32–64 (hash) bytes, canonical:
    -- the bits after the last whole byte are zero (length % 4 = 2: the last character encodes
    -- 2 bits, so it is one of AQgw; = 3: 4 bits, one of AEIMQUYcgkosw048).
    if substr(_params[1], 3)::int between 19456 and 65536 and substr(_params[2], 3)::int between 1 and 4
       and substr(_params[1], 3)::bigint * substr(_params[2], 3)::bigint between 38912 and 196608
       and substr(_params[3], 3)::int between 1 and 4
       and length(_salt) between 22 and 86 and length(_hash) between 43 and 86
       and (case length(_salt) % 4 when 0 then true when 2 then strpos('AQgw', right(_salt, 1)) > 0
              when 3 then strpos('AEIMQUYcgkosw048', right(_salt, 1)) > 0 else false end)
       and (case length(_hash) % 4 when 0 then true when 2 then strpos('AQgw', right(_hash, 1)) > 0
              when 3 then strpos('AEIMQUYcgkosw048', right(_hash, 1)) > 0 else false end) then
      return null;
    end if;
  end if;
  return mintid.argon2id_phc_reason(_phc);
end;
$$;
comment on function mintid.argon2id_phc_problem(text) is
  'The machine reason an argon2id PHC string is refused, or null if it is acceptable (a fast path, then mintid.argon2id_phc_reason). Private.';
revoke all on function mintid.argon2id_phc_problem(text) from public, anon, authenticated, service_role;
