-- The Supabase platform objects that hosted Supabase already has and MintID's migrations rely on,
-- recreated on plain PostgreSQL for the local stack and the tests. Never part of
-- supabase/migrations/. Idempotent. Runs as a superuser with these settings made beforehand:
--   mintid.owner_role              the non-superuser role that owns and runs the migrations
--   mintid.owner_password          optional: password of the owner when it is a login ('' = none)
--   mintid.authenticator_password  optional: password of the authenticator login ('' = keep)

do $$
declare
  _owner text := current_setting('mintid.owner_role');
  _owner_password text := current_setting('mintid.owner_password');
  _authenticator_password text := current_setting('mintid.authenticator_password');
begin
  -- The API roles PostgREST switches to, and the login it connects as.
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if _authenticator_password <> '' then
    execute format('alter role authenticator with login password %L', _authenticator_password);
  end if;

  -- The migration owner: like hosted Supabase's `postgres`, privileged but not a superuser.
  if not exists (select 1 from pg_roles where rolname = _owner) then
    if _owner_password <> '' then
      execute format('create role %I login createdb createrole password %L', _owner, _owner_password);
    else
      execute format('create role %I nologin', _owner);
    end if;
  elsif _owner_password <> '' then
    -- The embedded server's owner login: its password is the per-install one (it may have had the old demo one).
    execute format('alter role %I with login password %L', _owner, _owner_password);
  elsif _owner = 'mintid_owner' then
    -- Our own owner role on a server whose postgres is the superuser never logs in (earlier
    -- versions of the test setup made it a login with a known password).
    alter role mintid_owner with nologin nocreaterole nocreatedb password null;
  end if;
  if (select rolsuper from pg_roles where rolname = _owner) then
    raise exception 'the migration owner % must not be a superuser', _owner;
  end if;
  execute format('grant anon, authenticated, service_role to %I', _owner);
  execute format('grant create, connect, temporary on database %I to %I', current_database(), _owner);
end
$$;

grant anon, authenticated, service_role to authenticator;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;
grant usage on schema extensions to anon, authenticated, service_role;

grant usage on schema public to anon, authenticated, service_role;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  id uuid primary key,
  aud text,
  role text,
  email text,
  raw_app_meta_data jsonb not null default '{}'::jsonb,
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
comment on table auth.users is 'Minimal stand-in for Supabase Auth''s users table (local stack and tests only).';

-- Supabase's auth helpers. The request.jwt.claims JSON (what PostgREST >= 9 sets) comes first;
-- the legacy per-claim settings request.jwt.claim.<name> are the fallback.
create or replace function auth.jwt() returns jsonb
language sql stable set search_path = '' as $$
  select coalesce(
    nullif(current_setting('request.jwt.claims', true), ''),
    nullif(current_setting('request.jwt.claim', true), '')
  )::jsonb;
$$;

create or replace function auth.uid() returns uuid
language sql stable set search_path = '' as $$
  select coalesce(
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub',
    nullif(current_setting('request.jwt.claim.sub', true), '')
  )::uuid;
$$;

create or replace function auth.role() returns text
language sql stable set search_path = '' as $$
  select coalesce(
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role',
    nullif(current_setting('request.jwt.claim.role', true), '')
  )::text;
$$;

create or replace function auth.email() returns text
language sql stable set search_path = '' as $$
  select coalesce(
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email',
    nullif(current_setting('request.jwt.claim.email', true), '')
  )::text;
$$;

grant execute on function auth.jwt(), auth.uid(), auth.role(), auth.email() to anon, authenticated, service_role;

do $$
declare
  _owner text := current_setting('mintid.owner_role');
begin
  -- Hosted Supabase lets `postgres` read and reference auth.users and manage the public schema.
  execute format('grant usage on schema auth, extensions to %I', _owner);
  execute format('grant select, references on auth.users to %I', _owner);
  execute format('grant usage, create on schema public to %I', _owner);
  -- And hosted Supabase grants the API roles everything on new objects in public by default.
  -- Our migrations must revoke what they do not mean to give; keeping the default here proves it.
  execute format('alter default privileges for role %I in schema public grant all on tables to anon, authenticated, service_role', _owner);
  execute format('alter default privileges for role %I in schema public grant all on functions to anon, authenticated, service_role', _owner);
  execute format('alter default privileges for role %I in schema public grant all on sequences to anon, authenticated, service_role', _owner);
end
$$;
