-- Brands (tenants) and their members, the caller classification, and the one authorization seam.
-- The tables are minimal on purpose: a deployment plugs the platform's real membership data into
-- mintid.has_brand_role and nothing else needs to change.

create type mintid.brand_role as enum ('owner', 'admin', 'member');

-- Who is calling, as derived from the request: kind is 'user', 'service' or 'operator'; actor is
-- what audit records store (the user id, 'service_role', or the operator's login).
create type mintid.caller as (kind text, user_id uuid, actor text);

create table mintid.brands (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 200),
  created_at timestamptz not null default now()
);
comment on table mintid.brands is 'Tenants. Minimal: the platform owns the real brand records.';

create table mintid.brand_members (
  brand_id uuid not null references mintid.brands (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role mintid.brand_role not null,
  created_at timestamptz not null default now(),
  primary key (brand_id, user_id)
);
comment on table mintid.brand_members is 'One role per user and brand. Only owner and admin manage credentials.';
create index brand_members_user_id_idx on mintid.brand_members (user_id);

alter table mintid.brands enable row level security;
alter table mintid.brand_members enable row level security;
revoke all on mintid.brands, mintid.brand_members from public, anon, authenticated, service_role;

-- The authorization seam: does this user hold one of these roles on this brand? Replace its body to
-- read the platform's membership data. Private: called by mintid.require_credential_manager.
create function mintid.has_brand_role(_brand_id uuid, _user_id uuid, _roles mintid.brand_role[])
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
    select 1
    from mintid.brand_members m
    where m.brand_id = has_brand_role._brand_id
      and m.user_id = has_brand_role._user_id
      and m.role = any (has_brand_role._roles)
  );
$$;
comment on function mintid.has_brand_role(uuid, uuid, mintid.brand_role[]) is
  'True when the user holds one of the roles on the brand. The seam for real membership data. Private.';
revoke all on function mintid.has_brand_role(uuid, uuid, mintid.brand_role[]) from public, anon, authenticated, service_role;

-- Classifies the caller from the JWT claims only (never from current_user, which is the owner
-- inside a definer function):
--   * no claims and no API role switched to     -> operator (a direct SQL-console session)
--   * claims role service_role                  -> service
--   * claims role authenticated with a uuid sub -> user
--   * anything else (anon, no sub, a role that disagrees with the session's role) -> 401
-- Private: called by the RPCs through require_credential_manager / require_trusted_caller.
create function mintid.current_caller()
returns mintid.caller
language plpgsql
stable
set search_path = ''
as $$
declare
  _claims jsonb := coalesce(auth.jwt(), '{}'::jsonb);
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
  'The caller of the current request (user, service or operator), from the JWT claims; raises 401 otherwise. Private.';
revoke all on function mintid.current_caller() from public, anon, authenticated, service_role;

-- Authentication, then authorization, for every credential-managing RPC. Users must be owner or
-- admin of the brand (a missing brand answers exactly like a foreign one); trusted callers skip
-- membership but must name an existing brand. Returns the actor for audit records. Private.
create function mintid.require_credential_manager(_brand_id uuid)
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  _caller mintid.caller := mintid.current_caller();
begin
  if _caller.kind = 'user' then
    if _brand_id is null
       or not mintid.has_brand_role(_brand_id, _caller.user_id, array['owner', 'admin']::mintid.brand_role[]) then
      perform mintid.raise_error('forbidden', 'not_brand_admin',
        'only an owner or admin of the brand may manage its credentials',
        'Ask an owner of the brand for the admin role, or check the brand id.');
    end if;
  elsif _brand_id is null then
    perform mintid.raise_error('invalid_input', 'brand_id_required', '_brand_id is required', 'Pass the brand''s id.');
  elsif not exists (select 1 from mintid.brands b where b.id = require_credential_manager._brand_id) then
    perform mintid.raise_error('invalid_input', 'brand_not_found', 'the brand does not exist', 'Check the brand id.');
  end if;
  return _caller.actor;
end;
$$;
comment on function mintid.require_credential_manager(uuid) is
  'Raises 401/403/400 unless the caller may manage the brand''s credentials; returns the audit actor. Private.';
revoke all on function mintid.require_credential_manager(uuid) from public, anon, authenticated, service_role;

-- For the service-only RPCs: the service role or an operator, nobody else. Private.
create function mintid.require_trusted_caller()
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  _caller mintid.caller := mintid.current_caller();
begin
  if _caller.kind = 'user' then
    perform mintid.raise_error('forbidden', 'service_role_required',
      'only the service role may call this function', 'Call it from a backend with the service key.');
  end if;
  return _caller.actor;
end;
$$;
comment on function mintid.require_trusted_caller() is
  'Raises unless the caller is the service role or an operator session; returns the actor. Private.';
revoke all on function mintid.require_trusted_caller() from public, anon, authenticated, service_role;
