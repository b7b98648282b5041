-- The credential listing with the lifecycle fields of SPEC §13 (same signature, same cursors):
-- previous_secret_expires_at (the end of the last rotation's grace; null without one; in the past
-- once it ended), previous_secret_last_used_at (when the old secret went quiet), the revocation
-- reason code, last_rejected_use_at and rejected_use_count (an integration still configured with a
-- dead credential), and last_used_at from the usage table, which survives revocation.

-- Lists a brand's credentials, newest first, optionally by status. Never returns a hash. Items add
-- the lifecycle fields of SPEC §13: the rotation grace, the revocation reason code and usage.
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create or replace function public.list_api_credential_records(
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
    select c.*, mintid.credential_status(c.revoked_at, c.expires_at) as status,
           u.last_used_at as usage_last_used_at, u.previous_secret_last_used_at, u.last_rejected_use_at,
           coalesce(u.rejected_use_count, 0) as rejected_use_count
    from mintid.api_credentials c
    left join mintid.api_credential_usage u on u.credential_id = c.id
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
        'revocation_reason', n.revocation_reason,
        'revocation_reason_code', case when n.revoked_at is not null then coalesce(n.revocation_reason_code, 'unspecified') end,
        'last_used_at', greatest(n.last_used_at, n.usage_last_used_at),
        'previous_secret_expires_at', n.previous_secret_expires_at,
        'previous_secret_last_used_at', n.previous_secret_last_used_at,
        'last_rejected_use_at', n.last_rejected_use_at, 'rejected_use_count', n.rejected_use_count
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
