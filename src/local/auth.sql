-- Local sign-in (SPEC §10): what Supabase Auth keeps in the `auth` schema, recreated for the local
-- stack's /auth/v1 routes. Never part of supabase/migrations/ (hosted Supabase has its own Auth).
-- Runs after platform.sql, in the same transaction, as a superuser. Idempotent. Settings made
-- beforehand:
--   mintid.auth_admin_password   optional: password of the supabase_auth_admin login ('' = keep)
--
-- The /auth/v1 routes log in as `supabase_auth_admin` (as Supabase Auth does): it owns the session
-- tables, may read and write auth.users, and holds no API role. `authenticator` is not a member of
-- it, so no JWT can switch a PostgREST request to it.

do $$
declare
  _password text := current_setting('mintid.auth_admin_password');
begin
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit;
  end if;
  if _password <> '' then
    execute format('alter role supabase_auth_admin with login password %L', _password);
  end if;
  execute format('grant connect on database %I to supabase_auth_admin', current_database());
end
$$;

grant usage on schema auth, extensions to supabase_auth_admin;

-- The columns of Supabase Auth's users table that password sign-in reads and writes.
alter table auth.users
  add column if not exists encrypted_password text,
  add column if not exists email_confirmed_at timestamptz,
  add column if not exists phone text,
  add column if not exists last_sign_in_at timestamptz,
  add column if not exists updated_at timestamptz not null default now(),
  add column if not exists is_anonymous boolean not null default false;
grant select, insert on auth.users to supabase_auth_admin;
grant update (encrypted_password, email_confirmed_at, last_sign_in_at, updated_at, raw_app_meta_data, raw_user_meta_data)
  on auth.users to supabase_auth_admin;
create index if not exists users_email_lower_idx on auth.users (lower(email));

-- One row per sign-in; ends at sign-out. Access tokens name it in their session_id claim.
create table if not exists auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  aal text not null default 'aal1',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  refreshed_at timestamptz
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);
alter table auth.sessions owner to supabase_auth_admin;
comment on table auth.sessions is 'Local sign-in sessions (local stack only; Supabase Auth keeps its own).';

-- Rotating refresh tokens. Only a SHA-256 digest of each token is stored (Supabase Auth stores the
-- token itself): a copy of this table signs nobody in. A token is exchanged once; its successor
-- names it as parent.
create table if not exists auth.refresh_tokens (
  id bigint generated always as identity primary key,
  token_hash text not null unique,
  user_id uuid not null references auth.users (id) on delete cascade,
  session_id uuid not null references auth.sessions (id) on delete cascade,
  parent_id bigint references auth.refresh_tokens (id) on delete set null,
  revoked boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists refresh_tokens_session_id_idx on auth.refresh_tokens (session_id);
alter table auth.refresh_tokens owner to supabase_auth_admin;
comment on table auth.refresh_tokens is 'Local sign-in refresh tokens, SHA-256 digests only (local stack only).';

-- A timestamp as Supabase Auth (Go) writes it: UTC, RFC 3339 with microseconds and Z.
create or replace function auth.local_time(_at timestamptz) returns text
language sql stable set search_path = '' as $$
  select to_char(_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
$$;

-- The user object of Supabase Auth's responses (no password hash, ever).
create or replace function auth.local_user_json(_user_id uuid) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object(
    'id', u.id,
    'aud', coalesce(u.aud, 'authenticated'),
    'role', coalesce(u.role, 'authenticated'),
    'email', coalesce(u.email, ''),
    'email_confirmed_at', auth.local_time(u.email_confirmed_at),
    'phone', coalesce(u.phone, ''),
    'confirmed_at', auth.local_time(u.email_confirmed_at),
    'last_sign_in_at', auth.local_time(u.last_sign_in_at),
    'app_metadata', u.raw_app_meta_data,
    'user_metadata', u.raw_user_meta_data,
    'identities', case when u.email is null then '[]'::jsonb else jsonb_build_array(jsonb_build_object(
      'identity_id', md5('mintid-local-identity:' || u.id::text)::uuid,
      'id', u.id,
      'user_id', u.id,
      'identity_data', jsonb_build_object('email', u.email, 'email_verified', u.email_confirmed_at is not null,
                                          'phone_verified', false, 'sub', u.id::text),
      'provider', 'email',
      'last_sign_in_at', auth.local_time(u.last_sign_in_at),
      'created_at', auth.local_time(u.created_at),
      'updated_at', auth.local_time(u.updated_at),
      'email', u.email)) end,
    'created_at', auth.local_time(u.created_at),
    'updated_at', auth.local_time(u.updated_at),
    'is_anonymous', u.is_anonymous)
  - (case when u.email_confirmed_at is null then array['email_confirmed_at', 'confirmed_at'] else array[]::text[] end)
  - (case when u.last_sign_in_at is null then array['last_sign_in_at'] else array[]::text[] end)
  from auth.users u where u.id = _user_id;
$$;

-- Opens a session for the user with its first refresh token; returns {session_id, user}.
create or replace function auth.local_open_session(_user_id uuid, _refresh_hash text) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  _session_id uuid;
begin
  update auth.users set last_sign_in_at = now(), updated_at = now() where id = _user_id;
  insert into auth.sessions (user_id) values (_user_id) returning id into _session_id;
  insert into auth.refresh_tokens (token_hash, user_id, session_id) values (_refresh_hash, _user_id, _session_id);
  return jsonb_build_object('session_id', _session_id, 'authenticated_at', floor(extract(epoch from now()))::bigint,
                            'user', auth.local_user_json(_user_id));
end
$$;

-- Password grant: {session_id, user}, or {error: 'invalid_credentials' | 'email_not_confirmed'}.
-- An unknown e-mail pays one bcrypt as a wrong password does, so the two cannot be told apart: it
-- is checked against a fixed cost-10 hash of random bytes nobody knows (not a secret; it matches no
-- password anyone can type).
create or replace function auth.local_password_grant(_email text, _password text, _refresh_hash text) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  _user record;
begin
  select u.id, u.encrypted_password, u.email_confirmed_at into _user
    from auth.users u
   where lower(u.email) = lower(_email) and u.encrypted_password is not null
   order by u.created_at, u.id limit 1;
  if _user.id is null then
    perform extensions.crypt(_password, '$2a$10$QwzmJbEKDtLaNJc9fqNngOEJn70Z9fTw.yLHxU512QGnD2js6F5BS');
    return jsonb_build_object('error', 'invalid_credentials');
  end if;
  if extensions.crypt(_password, _user.encrypted_password) is distinct from _user.encrypted_password then
    return jsonb_build_object('error', 'invalid_credentials');
  end if;
  if _user.email_confirmed_at is null then
    return jsonb_build_object('error', 'email_not_confirmed');
  end if;
  return auth.local_open_session(_user.id, _refresh_hash);
end
$$;

-- Refresh grant: rotates the token (the presented one is revoked, its successor issued) and
-- returns {session_id, user}; or {error}. A token presented a second time is refused at once and
-- revokes every token of its session (Supabase Auth's reuse detection, without its reuse interval).
create or replace function auth.local_refresh_grant(_refresh_hash text, _new_refresh_hash text) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  _token auth.refresh_tokens;
begin
  select * into _token from auth.refresh_tokens where token_hash = _refresh_hash for update;
  if _token.id is null then
    return jsonb_build_object('error', 'refresh_token_not_found');
  end if;
  if _token.revoked then
    update auth.refresh_tokens set revoked = true, updated_at = now()
     where session_id = _token.session_id and not revoked;
    return jsonb_build_object('error', 'refresh_token_already_used');
  end if;
  update auth.refresh_tokens set revoked = true, updated_at = now() where id = _token.id;
  insert into auth.refresh_tokens (token_hash, user_id, session_id, parent_id)
  values (_new_refresh_hash, _token.user_id, _token.session_id, _token.id);
  update auth.sessions set refreshed_at = now(), updated_at = now() where id = _token.session_id;
  return jsonb_build_object('session_id', _token.session_id, 'user', auth.local_user_json(_token.user_id),
    'authenticated_at', (select floor(extract(epoch from s.created_at))::bigint from auth.sessions s where s.id = _token.session_id));
end
$$;

-- What an access token's sub and session_id still name: {user, session_exists}; null = no user.
create or replace function auth.local_token_subject(_user_id uuid, _session_id uuid) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object(
    'user', auth.local_user_json(u.id),
    'session_exists', _session_id is null or exists (select 1 from auth.sessions s where s.id = _session_id and s.user_id = u.id))
  from auth.users u where u.id = _user_id;
$$;

-- Sign-out: ends sessions (their refresh tokens go with them). scope 'global': every session of
-- the user; 'local': this one; 'others': all but this one. Without a session: every session.
create or replace function auth.local_logout(_user_id uuid, _session_id uuid, _scope text) returns void
language sql volatile set search_path = '' as $$
  delete from auth.sessions s
   where s.user_id = _user_id
     and (_session_id is null
          or _scope = 'global'
          or (_scope = 'local' and s.id = _session_id)
          or (_scope = 'others' and s.id <> _session_id));
$$;

-- Sign-up with e-mail confirmation off: the user is confirmed at once and signed in.
-- {session_id, user}, or {error: 'user_already_exists'}.
create or replace function auth.local_signup(_email text, _password text, _data jsonb, _refresh_hash text) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  _user_id uuid := gen_random_uuid();
begin
  perform pg_advisory_xact_lock(hashtext('mintid.auth.signup:' || lower(_email)));
  if exists (select 1 from auth.users where lower(email) = lower(_email)) then
    return jsonb_build_object('error', 'user_already_exists');
  end if;
  insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
  values (_user_id, 'authenticated', 'authenticated', lower(_email), extensions.crypt(_password, extensions.gen_salt('bf', 10)), now(),
          jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')),
          coalesce(_data, '{}'::jsonb) || jsonb_build_object('sub', _user_id::text, 'email', lower(_email),
                                                             'email_verified', true, 'phone_verified', false));
  return auth.local_open_session(_user_id, _refresh_hash);
end
$$;

-- Gives a user a password where it has none (the demo users of supabase/seed.sql on a database
-- seeded before local sign-in existed); confirms the e-mail as local sign-up does.
create or replace function auth.local_set_missing_password(_user_id uuid, _password text) returns boolean
language sql volatile set search_path = '' as $$
  with changed as (
    update auth.users
       set encrypted_password = extensions.crypt(_password, extensions.gen_salt('bf', 10)),
           email_confirmed_at = coalesce(email_confirmed_at, now()),
           raw_app_meta_data = jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')) || raw_app_meta_data,
           updated_at = now()
     where id = _user_id and encrypted_password is null
    returning 1)
  select exists (select 1 from changed);
$$;

-- Who may call: only the /auth/v1 routes' login, supabase_auth_admin.
revoke all on function auth.local_time(timestamptz), auth.local_user_json(uuid), auth.local_open_session(uuid, text),
  auth.local_password_grant(text, text, text), auth.local_refresh_grant(text, text), auth.local_token_subject(uuid, uuid),
  auth.local_logout(uuid, uuid, text), auth.local_signup(text, text, jsonb, text), auth.local_set_missing_password(uuid, text)
  from public, anon, authenticated, service_role;
grant execute on function auth.local_time(timestamptz), auth.local_user_json(uuid), auth.local_open_session(uuid, text),
  auth.local_password_grant(text, text, text), auth.local_refresh_grant(text, text), auth.local_token_subject(uuid, uuid),
  auth.local_logout(uuid, uuid, text), auth.local_signup(text, text, jsonb, text), auth.local_set_missing_password(uuid, text)
  to supabase_auth_admin;
