-- The reading RPCs: keyset-paginated lists of credentials and of events, newest first, ties broken
-- by id. Cursors are opaque: the position plus what it was issued for (list, brand, filter),
-- signed with a key that never leaves the database, so a cursor the RPC did not issue is refused.

create table mintid.cursor_signing_key (
  singleton boolean primary key default true check (singleton),
  key bytea not null default extensions.gen_random_bytes(32)
);
comment on table mintid.cursor_signing_key is 'HMAC key for list cursors. One row; never leaves the database.';
alter table mintid.cursor_signing_key enable row level security;
revoke all on mintid.cursor_signing_key from public, anon, authenticated, service_role;
insert into mintid.cursor_signing_key default values;

-- base64url without padding. Private.
create function mintid.base64url(_bytes bytea)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select translate(encode(_bytes, 'base64'), E'+/=\n', '-_');
$$;
comment on function mintid.base64url(bytea) is 'Unpadded base64url. Private.';
revoke all on function mintid.base64url(bytea) from public, anon, authenticated, service_role;

-- The 16-byte HMAC-SHA256 tag of a cursor payload. Private.
create function mintid.cursor_tag(_payload bytea)
returns bytea
language sql
stable
set search_path = ''
as $$
  select substring(extensions.hmac(_payload, k.key, 'sha256') from 1 for 16)
  from mintid.cursor_signing_key k;
$$;
comment on function mintid.cursor_tag(bytea) is 'HMAC tag that proves a cursor was issued here. Private.';
revoke all on function mintid.cursor_tag(bytea) from public, anon, authenticated, service_role;

-- Issues a cursor for a page position: scope identifies the listing (kind, brand, filter). Private.
create function mintid.issue_cursor(_scope jsonb, _at timestamptz, _id uuid)
returns text
language sql
stable
set search_path = ''
as $$
  with p as (
    select convert_to((_scope || jsonb_build_object('at', _at, 'id', _id))::text, 'UTF8') as payload
  )
  select mintid.base64url(p.payload) || '.' || mintid.base64url(mintid.cursor_tag(p.payload)) from p;
$$;
comment on function mintid.issue_cursor(jsonb, timestamptz, uuid) is 'Signs a page position for the given listing. Private.';
revoke all on function mintid.issue_cursor(jsonb, timestamptz, uuid) from public, anon, authenticated, service_role;

-- Reads a cursor back, or raises 400 cursor_invalid when it was not issued by this database for
-- this very listing. Returns the position as (at, id). Private.
create function mintid.read_cursor(_cursor text, _scope jsonb, out at timestamptz, out id uuid)
language plpgsql
stable
set search_path = ''
as $$
declare
  _parts text[] := case when length(_cursor) <= 1024
    then regexp_match(_cursor, '^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$') end;
  _payload bytea;
  _position jsonb;
begin
  if _parts is not null and length(_parts[1]) % 4 <> 1 then
    _payload := decode(translate(_parts[1], '-_', '+/') || repeat('=', (4 - length(_parts[1]) % 4) % 4), 'base64');
    if mintid.base64url(mintid.cursor_tag(_payload)) = _parts[2] then
      _position := convert_from(_payload, 'UTF8')::jsonb;
      if _position - 'at' - 'id' = _scope then
        at := (_position ->> 'at')::timestamptz;
        id := (_position ->> 'id')::uuid;
        return;
      end if;
    end if;
  end if;
  perform mintid.raise_error('invalid_input', 'cursor_invalid', '_cursor was not issued for this listing',
    'Pass the next_cursor of the previous page unchanged, with the same brand and filters; or omit it for the first page.');
end;
$$;
comment on function mintid.read_cursor(text, jsonb) is 'Verifies a cursor for a listing and returns its position. Private.';
revoke all on function mintid.read_cursor(text, jsonb) from public, anon, authenticated, service_role;

-- _limit: 1–200. Private.
create function mintid.assert_page_limit(_limit int)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _limit is null or _limit not between 1 and 200 then
    perform mintid.raise_error('invalid_input', 'limit_out_of_range', '_limit must be between 1 and 200',
      'Ask for at most 200 items and follow next_cursor.');
  end if;
end;
$$;
comment on function mintid.assert_page_limit(int) is 'Raises 400 unless _limit is 1–200. Private.';
revoke all on function mintid.assert_page_limit(int) from public, anon, authenticated, service_role;

-- Lists a brand's credentials, newest first, optionally by status. Never returns a hash.
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create function public.list_api_credential_records(
  _brand_id uuid default null, _status text default null, _limit int default 50, _cursor text default null
)
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
  perform mintid.require_credential_manager(_brand_id);
  if _status is not null and _status not in ('active', 'expired', 'revoked') then
    perform mintid.raise_error('invalid_input', 'status_invalid', '_status must be active, expired or revoked',
      'Omit _status to list every credential.');
  end if;
  perform mintid.assert_page_limit(_limit);
  _scope := jsonb_build_object('list', 'credentials', 'brand', _brand_id, 'status', _status);
  if _cursor is not null then
    select r.at, r.id into _after_at, _after_id from mintid.read_cursor(_cursor, _scope) r;
  end if;

  with page as (
    select c.*, mintid.credential_status(c.revoked_at, c.expires_at) as status
    from mintid.api_credentials c
    where c.brand_id = _brand_id
      and (_cursor is null or (c.created_at, c.id) < (_after_at, _after_id))
      and (_status is null or mintid.credential_status(c.revoked_at, c.expires_at) = _status)
    order by c.created_at desc, c.id desc
    limit _limit + 1
  ), numbered as (
    select page.*, row_number() over (order by page.created_at desc, page.id desc) as n from page
  )
  select jsonb_build_object(
    'ok', true,
    'items', coalesce(jsonb_agg(jsonb_build_object(
        'id', n.id, 'name', n.name, 'client_id', n.client_id, 'scopes', to_jsonb(n.scopes),
        'metadata', n.metadata, 'status', n.status, 'created_at', n.created_at, 'expires_at', n.expires_at,
        'secret_rotated_at', n.secret_rotated_at, 'revoked_at', n.revoked_at,
        'revocation_reason', n.revocation_reason, 'last_used_at', n.last_used_at
      ) order by n.n) filter (where n.n <= _limit), '[]'::jsonb),
    'next_cursor', case when count(*) > _limit
      then mintid.issue_cursor(_scope, max(n.created_at) filter (where n.n = _limit), (array_agg(n.id) filter (where n.n = _limit))[1])
    end
  ) into _page
  from numbered n;
  return _page;
end;
$$;
comment on function public.list_api_credential_records(uuid, text, int, text) is
  'Lists a brand''s credentials (never a hash), newest first, keyset-paginated. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.list_api_credential_records(uuid, text, int, text) from public, anon, authenticated, service_role;
grant execute on function public.list_api_credential_records(uuid, text, int, text) to authenticated, service_role;

-- Lists a brand's credential events, newest first, optionally of one credential.
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create function public.list_api_credential_events(
  _brand_id uuid default null, _credential_id uuid default null, _limit int default 50, _cursor text default null
)
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
  perform mintid.require_credential_manager(_brand_id);
  perform mintid.assert_page_limit(_limit);
  _scope := jsonb_build_object('list', 'events', 'brand', _brand_id, 'credential', _credential_id);
  if _cursor is not null then
    select r.at, r.id into _after_at, _after_id from mintid.read_cursor(_cursor, _scope) r;
  end if;

  with page as (
    select e.*
    from mintid.api_credential_events e
    where e.brand_id = _brand_id
      and (_credential_id is null or e.credential_id = _credential_id)
      and (_cursor is null or (e.occurred_at, e.id) < (_after_at, _after_id))
    order by e.occurred_at desc, e.id desc
    limit _limit + 1
  ), numbered as (
    select page.*, row_number() over (order by page.occurred_at desc, page.id desc) as n from page
  )
  select jsonb_build_object(
    'ok', true,
    'items', coalesce(jsonb_agg(jsonb_build_object(
        'id', n.id, 'credential_id', n.credential_id, 'action', n.action, 'actor', n.actor,
        'reason', n.reason, 'occurred_at', n.occurred_at
      ) order by n.n) filter (where n.n <= _limit), '[]'::jsonb),
    'next_cursor', case when count(*) > _limit
      then mintid.issue_cursor(_scope, max(n.occurred_at) filter (where n.n = _limit), (array_agg(n.id) filter (where n.n = _limit))[1])
    end
  ) into _page
  from numbered n;
  return _page;
end;
$$;
comment on function public.list_api_credential_events(uuid, uuid, int, text) is
  'Lists a brand''s credential events, newest first, keyset-paginated. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.list_api_credential_events(uuid, uuid, int, text) from public, anon, authenticated, service_role;
grant execute on function public.list_api_credential_events(uuid, uuid, int, text) to authenticated, service_role;
