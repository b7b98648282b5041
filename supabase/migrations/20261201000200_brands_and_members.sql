-- Brands and members (SPEC §9): a signed-in user creates a brand and becomes its owner; owners
-- manage members; owners and admins read members and the brand's whole audit trail. A 403 names
-- what is missing: to a member of the brand, the role they hold and the role needed; to anyone
-- else, exactly what a brand that does not exist answers (no existence oracle).
-- Membership changes serialise on the brand row (so two owners demoting each other cannot leave a
-- brand without an owner) and re-check the caller's role after taking that lock.

-- The membership seam: the caller's role on the brand, or null. Replace its body to read the
-- platform's membership data; has_brand_role (round 1) now reads through it. Private.
create function mintid.brand_role_of(_brand_id uuid, _user_id uuid)
returns mintid.brand_role
language sql
stable
set search_path = ''
as $$
  select m.role
  from mintid.brand_members m
  where m.brand_id = brand_role_of._brand_id and m.user_id = brand_role_of._user_id;
$$;
comment on function mintid.brand_role_of(uuid, uuid) is
  'The user''s role on the brand, or null. The seam for real membership data. Private.';
revoke all on function mintid.brand_role_of(uuid, uuid) from public, anon, authenticated, service_role;

create or replace function mintid.has_brand_role(_brand_id uuid, _user_id uuid, _roles mintid.brand_role[])
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(mintid.brand_role_of(_brand_id, _user_id) = any (_roles), false);
$$;
comment on function mintid.has_brand_role(uuid, uuid, mintid.brand_role[]) is
  'True when the user holds one of the roles on the brand (reads mintid.brand_role_of). Private.';
revoke all on function mintid.has_brand_role(uuid, uuid, mintid.brand_role[]) from public, anon, authenticated, service_role;

-- Authentication, then authorization, for every brand RPC. A user must hold one of _roles on the
-- brand, else 403 not_brand_admin (roles include admin) or not_brand_owner (owner only); the hint
-- names the caller's role and the one needed when the caller is a member, and is the same as for
-- a missing brand otherwise. _may completes "only an owner … of the brand may …"; _doing names the
-- task in the hint ("managing credentials"). Trusted callers skip membership but must name an
-- existing brand (400 brand_id_required / brand_not_found). Returns the caller. Private.
create function mintid.require_brand_role(
  _brand_id uuid, _roles mintid.brand_role[], _may text, _doing text
)
returns mintid.caller
language plpgsql
stable
set search_path = ''
as $$
declare
  _caller mintid.caller := mintid.current_caller();
  _role mintid.brand_role;
  _needs text;
begin
  if _caller.kind = 'user' then
    _role := case when _brand_id is not null then mintid.brand_role_of(_brand_id, _caller.user_id) end;
    if _role is null or not (_role = any (_roles)) then
      _needs := case when 'admin' = any (_roles) then 'owner or admin' else 'owner' end;
      perform mintid.raise_error('forbidden',
        case when 'admin' = any (_roles) then 'not_brand_admin' else 'not_brand_owner' end,
        format('only an %s of the brand may %s', _needs, _may),
        case when _role is null
          then format('Ask an owner of the brand for the %s role, or check the brand id.',
                      case when 'admin' = any (_roles) then 'admin' else 'owner' end)
          else format('Your role in this brand is %s; %s needs %s. An owner can change your role.', _role, _doing, _needs)
        end);
    end if;
  elsif _brand_id is null then
    perform mintid.raise_error('invalid_input', 'brand_id_required', '_brand_id is required', 'Pass the brand''s id.');
  elsif not exists (select 1 from mintid.brands b where b.id = require_brand_role._brand_id) then
    perform mintid.raise_error('invalid_input', 'brand_not_found', 'the brand does not exist', 'Check the brand id.');
  end if;
  return _caller;
end;
$$;
comment on function mintid.require_brand_role(uuid, mintid.brand_role[], text, text) is
  'Raises 401/403/400 unless the caller holds one of the roles on the brand (or is trusted); the 403 hint names a member''s role. Returns the caller. Private.';
revoke all on function mintid.require_brand_role(uuid, mintid.brand_role[], text, text) from public, anon, authenticated, service_role;

-- Round 1's check for the credential RPCs, now with the role-naming hint. Private.
create or replace function mintid.require_credential_manager(_brand_id uuid)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  return (mintid.require_brand_role(_brand_id, array['owner', 'admin']::mintid.brand_role[],
    'manage its credentials', 'managing credentials')).actor;
end;
$$;
comment on function mintid.require_credential_manager(uuid) is
  'Raises 401/403/400 unless the caller may manage the brand''s credentials; returns the audit actor. Private.';
revoke all on function mintid.require_credential_manager(uuid) from public, anon, authenticated, service_role;

-- Owner-only membership changes: the check, the brand-row lock that serialises membership changes,
-- and the check again under the lock (a concurrent change may have taken the caller's role).
-- _self_ok lets a member pass when _user_id is the caller (removing themself). Private.
create function mintid.lock_brand_for_membership(_brand_id uuid, _user_id uuid, _self_ok boolean)
returns mintid.caller
language plpgsql
volatile
set search_path = ''
as $$
declare
  _caller mintid.caller := mintid.current_caller();
begin
  for _pass in 1..2 loop
    if _pass = 2 then
      perform 1 from mintid.brands b where b.id = lock_brand_for_membership._brand_id for no key update;
    end if;
    -- A member removing themself needs no role; everyone else (and a non-member) needs owner.
    if not (_self_ok and _caller.kind = 'user' and _user_id = _caller.user_id
            and mintid.brand_role_of(_brand_id, _caller.user_id) is not null) then
      _caller := mintid.require_brand_role(_brand_id, array['owner']::mintid.brand_role[], 'manage its members', 'managing members');
    end if;
  end loop;
  return _caller;
end;
$$;
comment on function mintid.lock_brand_for_membership(uuid, uuid, boolean) is
  'Checks the caller may manage the brand''s members, locks the brand row, and checks again. Private.';
revoke all on function mintid.lock_brand_for_membership(uuid, uuid, boolean) from public, anon, authenticated, service_role;

-- Brand name: 1–200 characters after trimming. Private.
create function mintid.assert_brand_name(_name text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _name is null or btrim(_name, E' \t\r\n') = '' then
    perform mintid.raise_error('invalid_input', 'name_required', '_name is required', 'Name the brand.');
  end if;
  if char_length(btrim(_name, E' \t\r\n')) > 200 then
    perform mintid.raise_error('invalid_input', 'name_length', '_name must be 1 to 200 characters',
      'Shorten the brand name to at most 200 characters.');
  end if;
end;
$$;
comment on function mintid.assert_brand_name(text) is 'Raises 400 unless the brand name is 1–200 characters after trimming. Private.';
revoke all on function mintid.assert_brand_name(text) from public, anon, authenticated, service_role;

-- _role: owner, admin or member. Private.
create function mintid.assert_brand_role(_role text)
returns mintid.brand_role
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _role is null or _role not in ('owner', 'admin', 'member') then
    perform mintid.raise_error('invalid_input', 'role_invalid', '_role must be owner, admin or member',
      'Pass one of owner, admin, member.');
  end if;
  return _role::mintid.brand_role;
end;
$$;
comment on function mintid.assert_brand_role(text) is 'Raises 400 role_invalid unless _role is owner, admin or member. Private.';
revoke all on function mintid.assert_brand_role(text) from public, anon, authenticated, service_role;

-- 409 last_owner unless the brand keeps another owner besides _user_id. Call under the brand lock. Private.
create function mintid.assert_other_owner(_brand_id uuid, _user_id uuid)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  if not exists (
    select 1 from mintid.brand_members m
    where m.brand_id = assert_other_owner._brand_id and m.role = 'owner' and m.user_id <> assert_other_owner._user_id
  ) then
    perform mintid.raise_error('conflict', 'last_owner', 'the brand would be left without an owner',
      'Make another member an owner first.');
  end if;
end;
$$;
comment on function mintid.assert_other_owner(uuid, uuid) is 'Raises 409 last_owner when _user_id is the brand''s only owner. Private.';
revoke all on function mintid.assert_other_owner(uuid, uuid) from public, anon, authenticated, service_role;

-- Creates a brand owned by the caller (a signed-in user; _owner_user_id null or the caller) or by
-- _owner_user_id (trusted callers, who must name an existing user).
-- Callers: authenticated users, service_role, SQL-console operators.
create function public.create_brand(_name text default null, _owner_user_id uuid default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _caller mintid.caller := mintid.current_caller();
  _owner uuid;
  _id uuid;
  _trimmed text;
begin
  if _caller.kind = 'user' then
    if _owner_user_id is not null and _owner_user_id <> _caller.user_id then
      perform mintid.raise_error('forbidden', 'owner_not_caller', 'a user creates brands they own themself',
        'Omit _owner_user_id (you become the owner), then add others with add_brand_member.');
    end if;
    _owner := _caller.user_id;
  end if;
  perform mintid.assert_brand_name(_name);
  if _caller.kind <> 'user' then
    if _owner_user_id is null then
      perform mintid.raise_error('invalid_input', 'owner_user_id_required', '_owner_user_id is required',
        'A trusted caller names the user who will own the brand.');
    end if;
    _owner := _owner_user_id;
  end if;
  if not exists (select 1 from auth.users u where u.id = _owner) then
    perform mintid.raise_error('invalid_input', 'user_not_found', 'no such user',
      'The owner must be a user of the project; sign up first.');
  end if;

  _trimmed := btrim(_name, E' \t\r\n');
  insert into mintid.brands (name) values (_trimmed) returning id into _id;
  insert into mintid.brand_members (brand_id, user_id, role) values (_id, _owner, 'owner');
  perform mintid.record_audit(_id, 'brand', _id, 'brand_created', _caller.actor, null,
    jsonb_build_object('name', _trimmed, 'owner_user_id', _owner));
  return jsonb_build_object('ok', true, 'brand_id', _id);
end;
$$;
comment on function public.create_brand(text, uuid) is
  'Creates a brand and its owner membership. Callers: authenticated users (owner = caller), service_role, SQL-console operators.';
revoke all on function public.create_brand(text, uuid) from public, anon, authenticated, service_role;
grant execute on function public.create_brand(text, uuid) to authenticated, service_role;

-- Every brand the caller is a member of, with their role, by name.
-- Callers: authenticated users only (trusted callers have no memberships: 400 user_required).
create function public.list_my_brands()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  _caller mintid.caller := mintid.current_caller();
begin
  if _caller.kind <> 'user' then
    perform mintid.raise_error('invalid_input', 'user_required', 'only a signed-in user has brands of their own',
      'Call it with a user''s access token; trusted callers name brands by id.');
  end if;
  return jsonb_build_object('ok', true, 'items', coalesce((
    select jsonb_agg(jsonb_build_object('brand_id', b.id, 'name', b.name, 'role', m.role, 'created_at', b.created_at)
                     order by b.name, b.id)
    from mintid.brand_members m
    join mintid.brands b on b.id = m.brand_id
    where m.user_id = _caller.user_id
  ), '[]'::jsonb));
end;
$$;
comment on function public.list_my_brands() is
  'The caller''s brands and roles, by name. Callers: authenticated users.';
revoke all on function public.list_my_brands() from public, anon, authenticated, service_role;
grant execute on function public.list_my_brands() to authenticated, service_role;

-- The brand's members with their e-mail and role: owners first, then admins, then members.
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create function public.list_brand_members(_brand_id uuid default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform mintid.require_brand_role(_brand_id, array['owner', 'admin']::mintid.brand_role[],
    'list its members', 'listing members');
  return jsonb_build_object('ok', true, 'items', coalesce((
    select jsonb_agg(jsonb_build_object('user_id', m.user_id, 'email', u.email, 'role', m.role, 'added_at', m.created_at)
                     order by m.role, u.email, m.user_id)
    from mintid.brand_members m
    left join auth.users u on u.id = m.user_id
    where m.brand_id = _brand_id
  ), '[]'::jsonb));
end;
$$;
comment on function public.list_brand_members(uuid) is
  'Lists the brand''s members. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.list_brand_members(uuid) from public, anon, authenticated, service_role;
grant execute on function public.list_brand_members(uuid) to authenticated, service_role;

-- Adds the user with this e-mail (case-insensitive) to the brand with the role.
-- Callers: brand owners (authenticated), service_role, SQL-console operators.
create function public.add_brand_member(_brand_id uuid default null, _email text default null, _role text default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _caller mintid.caller;
  _role_value mintid.brand_role;
  _user_id uuid;
begin
  _caller := mintid.require_brand_role(_brand_id, array['owner']::mintid.brand_role[], 'manage its members', 'managing members');
  if _email is null or btrim(_email, E' \t\r\n') = '' then
    perform mintid.raise_error('invalid_input', 'email_required', '_email is required', 'Pass the e-mail of the user to add.');
  end if;
  if char_length(_email) > 320 or position('@' in _email) = 0 then
    perform mintid.raise_error('invalid_input', 'email_invalid', '_email is not an e-mail address', 'Pass the user''s e-mail address.');
  end if;
  _role_value := mintid.assert_brand_role(_role);
  select u.id into _user_id
  from auth.users u
  where lower(u.email) = lower(btrim(_email, E' \t\r\n'))
  order by u.created_at, u.id
  limit 1;
  if _user_id is null then
    perform mintid.raise_error('invalid_input', 'user_not_found', 'no user has this e-mail',
      'The person must sign up first; then add them with the e-mail they signed up with.');
  end if;

  _caller := mintid.lock_brand_for_membership(_brand_id, null, false);
  insert into mintid.brand_members (brand_id, user_id, role) values (_brand_id, _user_id, _role_value)
  on conflict (brand_id, user_id) do nothing;
  if not found then
    perform mintid.raise_error('conflict', 'already_member', 'the user is already a member of the brand',
      'Change their role with set_brand_member_role instead.');
  end if;
  perform mintid.record_audit(_brand_id, 'member', _user_id, 'member_added', _caller.actor, null,
    jsonb_build_object('role', _role_value));
  return jsonb_build_object('ok', true, 'user_id', _user_id);
end;
$$;
comment on function public.add_brand_member(uuid, text, text) is
  'Adds a user (by e-mail) to the brand. Callers: brand owners (authenticated), service_role, SQL-console operators.';
revoke all on function public.add_brand_member(uuid, text, text) from public, anon, authenticated, service_role;
grant execute on function public.add_brand_member(uuid, text, text) to authenticated, service_role;

-- Changes a member's role; refuses to leave the brand without an owner. Setting the role a member
-- already holds changes nothing and records nothing.
-- Callers: brand owners (authenticated), service_role, SQL-console operators.
create function public.set_brand_member_role(_brand_id uuid default null, _user_id uuid default null, _role text default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _caller mintid.caller;
  _role_value mintid.brand_role;
  _previous mintid.brand_role;
begin
  perform mintid.require_brand_role(_brand_id, array['owner']::mintid.brand_role[], 'manage its members', 'managing members');
  perform mintid.assert_present(_user_id, '_user_id');
  _role_value := mintid.assert_brand_role(_role);
  _caller := mintid.lock_brand_for_membership(_brand_id, null, false);
  select m.role into _previous from mintid.brand_members m
  where m.brand_id = _brand_id and m.user_id = set_brand_member_role._user_id;
  if _previous is null then
    perform mintid.raise_error('invalid_input', 'member_not_found', 'the user is not a member of the brand',
      'Check the user id, or add them with add_brand_member.');
  end if;
  if _previous = _role_value then
    return jsonb_build_object('ok', true);
  end if;
  if _previous = 'owner' then
    perform mintid.assert_other_owner(_brand_id, _user_id);
  end if;
  update mintid.brand_members m set role = _role_value
  where m.brand_id = _brand_id and m.user_id = set_brand_member_role._user_id;
  perform mintid.record_audit(_brand_id, 'member', _user_id, 'member_role_changed', _caller.actor, null,
    jsonb_build_object('role', _role_value, 'previous_role', _previous));
  return jsonb_build_object('ok', true);
end;
$$;
comment on function public.set_brand_member_role(uuid, uuid, text) is
  'Changes a member''s role (409 last_owner). Callers: brand owners (authenticated), service_role, SQL-console operators.';
revoke all on function public.set_brand_member_role(uuid, uuid, text) from public, anon, authenticated, service_role;
grant execute on function public.set_brand_member_role(uuid, uuid, text) to authenticated, service_role;

-- Removes a member; refuses to remove the last owner.
-- Callers: brand owners, any member removing themself (authenticated), service_role, SQL-console operators.
create function public.remove_brand_member(_brand_id uuid default null, _user_id uuid default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _caller mintid.caller;
  _previous mintid.brand_role;
begin
  _caller := mintid.current_caller();
  if _caller.kind <> 'user' or _user_id is distinct from _caller.user_id then
    perform mintid.require_brand_role(_brand_id, array['owner']::mintid.brand_role[], 'manage its members', 'managing members');
  end if;
  perform mintid.assert_present(_user_id, '_user_id');
  _caller := mintid.lock_brand_for_membership(_brand_id, _user_id, true);
  select m.role into _previous from mintid.brand_members m
  where m.brand_id = _brand_id and m.user_id = remove_brand_member._user_id;
  if _previous is null then
    perform mintid.raise_error('invalid_input', 'member_not_found', 'the user is not a member of the brand',
      'Check the user id.');
  end if;
  if _previous = 'owner' then
    perform mintid.assert_other_owner(_brand_id, _user_id);
  end if;
  delete from mintid.brand_members m
  where m.brand_id = _brand_id and m.user_id = remove_brand_member._user_id;
  perform mintid.record_audit(_brand_id, 'member', _user_id, 'member_removed', _caller.actor, null,
    jsonb_build_object('role', _previous));
  return jsonb_build_object('ok', true);
end;
$$;
comment on function public.remove_brand_member(uuid, uuid) is
  'Removes a member (409 last_owner). Callers: brand owners, a member removing themself (authenticated), service_role, SQL-console operators.';
revoke all on function public.remove_brand_member(uuid, uuid) from public, anon, authenticated, service_role;
grant execute on function public.remove_brand_member(uuid, uuid) to authenticated, service_role;

-- The brand's whole audit trail (brand, members, credentials, secrets), newest first, with the
-- same envelope, ordering and signed cursors as the credential event list.
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create function public.list_brand_events(_brand_id uuid default null, _limit int default 50, _cursor text default null)
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
  perform mintid.require_brand_role(_brand_id, array['owner', 'admin']::mintid.brand_role[],
    'read its audit trail', 'reading the audit trail');
  perform mintid.assert_page_limit(_limit);
  _scope := jsonb_build_object('list', 'brand_events', 'brand', _brand_id);
  if _cursor is not null then
    select r.at, r.id into _after_at, _after_id from mintid.read_cursor(_cursor, _scope) r;
  end if;

  with page as (
    select e.id, e.subject_type, e.subject_id, e.action, e.actor, e.reason, e.details, e.occurred_at
    from mintid.audit_records e
    where e.brand_id = _brand_id
      and (_cursor is null or (e.occurred_at, e.id) < (_after_at, _after_id))
    order by e.occurred_at desc, e.id desc
    limit _limit + 1
  ), numbered as (
    select page.*, row_number() over (order by page.occurred_at desc, page.id desc) as n from page
  )
  select jsonb_build_object(
    'ok', true,
    'items', coalesce(jsonb_agg(jsonb_build_object(
        'id', n.id, 'subject_type', n.subject_type, 'subject_id', n.subject_id, 'action', n.action,
        'actor', n.actor, 'reason', n.reason, 'reason_code', n.details ->> 'reason_code', 'details', n.details,
        'occurred_at', n.occurred_at
      ) order by n.n) filter (where n.n <= _limit), '[]'::jsonb),
    'next_cursor', case when count(*) > _limit
      then mintid.issue_cursor(_scope, max(n.occurred_at) filter (where n.n = _limit), (array_agg(n.id) filter (where n.n = _limit))[1])
    end
  ) into _page
  from numbered n;
  return _page;
end;
$$;
comment on function public.list_brand_events(uuid, int, text) is
  'Lists the brand''s whole audit trail, newest first, keyset-paginated. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.list_brand_events(uuid, int, text) from public, anon, authenticated, service_role;
grant execute on function public.list_brand_events(uuid, int, text) to authenticated, service_role;
