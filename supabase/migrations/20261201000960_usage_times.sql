-- Last use at the time of the request, not of the batch (issue 10 item 5's forensic data). The
-- token and introspection functions flush uses every few seconds; recording them at now() put a
-- use made just before a revocation up to 10 s after it, so an administrator reading the list
-- could see "last used" after "revoked" and think the revoked credential still worked.
-- record_api_credential_use gains the time of each kind of use, as {"<credential id>": "<ISO 8601
-- time of its latest such use in the batch>"}: _used_at for _credential_ids, _previous_used_at
-- for _previous_secret_ids, _rejected_at for _rejected — one per kind, since a batch can hold a
-- credential's last good use and, after its revocation, its first rejected one. An id without a
-- time is recorded at now(), as before; a time in the future is recorded as now() (the caller's
-- clock may run ahead). Everything else is as in migration 0430.
drop function public.record_api_credential_use(uuid[], uuid[], jsonb);

-- Raises 400 used_at_invalid unless _times is null or maps credential ids to ISO 8601 times with
-- an offset. _name names the parameter. Private.
create function mintid.assert_use_times(_times jsonb, _name text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  _bad boolean;
begin
  if _times is null then
    return;
  end if;
  _bad := jsonb_typeof(_times) <> 'object' or exists (
    select 1 from jsonb_each(_times) u
    where u.key !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       or jsonb_typeof(u.value) <> 'string'
       or (u.value #>> '{}') !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$');
  if not _bad then
    -- The shape is right; the values must also be real times (no month 13, no year 0).
    begin
      perform count((u.value #>> '{}')::timestamptz) from jsonb_each(_times) u;
    exception when invalid_datetime_format or datetime_field_overflow then
      _bad := true;
    end;
  end if;
  if _bad then
    perform mintid.raise_error('invalid_input', 'used_at_invalid',
      _name || ' must map credential ids to ISO 8601 times with an offset',
      'Send {"<credential id>": "2026-12-01T12:00:00.000Z", …}.');
  end if;
end;
$$;
comment on function mintid.assert_use_times(jsonb, text) is
  'Raises 400 used_at_invalid unless the value maps credential ids to ISO 8601 times. Private.';
revoke all on function mintid.assert_use_times(jsonb, text) from public, anon, authenticated, service_role;

-- The time to record for one use: the caller's, never later than now; now() without one. Private.
create function mintid.use_time(_times jsonb, _credential_id uuid, _now timestamptz)
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
begin
  return least(coalesce((_times ->> _credential_id::text)::timestamptz, _now), _now);
end;
$$;
comment on function mintid.use_time(jsonb, uuid, timestamptz) is
  'The recorded time of a use: the caller''s time for the credential, at most _now; _now without one. Private.';
revoke all on function mintid.use_time(jsonb, uuid, timestamptz) from public, anon, authenticated, service_role;

-- Records one batch of uses: _credential_ids authenticated (last_used_at), _previous_secret_ids
-- with their previous secret during its grace (last_used_at and previous_secret_last_used_at),
-- _rejected {"<credential id>": <count>} presented a correct but refused secret
-- (last_rejected_use_at, rejected_use_count), each at its time in _used_at, _previous_used_at or
-- _rejected_at (else now(); never later than now()). At most 1000 ids in all; unknown ids are
-- ignored; nothing is skipped for revoked credentials except round 1's api_credentials.last_used_at
-- (that row never changes again). Rows are locked in id order so concurrent flushes cannot deadlock; no audit record (a
-- use is not a lifecycle change). Callers: service_role (the token and introspection functions),
-- SQL-console operators.
create function public.record_api_credential_use(
  _credential_ids uuid[] default null, _previous_secret_ids uuid[] default null, _rejected jsonb default null,
  _used_at jsonb default null, _previous_used_at jsonb default null, _rejected_at jsonb default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _updated int;
  _rejected_ids uuid[];
  _now timestamptz := now();
begin
  perform mintid.require_trusted_caller();
  if _rejected is not null and (jsonb_typeof(_rejected) <> 'object' or exists (
      select 1 from jsonb_each(_rejected) r
      where r.key !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
         or jsonb_typeof(r.value) <> 'number' or r.value::text !~ '^[1-9][0-9]{0,6}$')) then
    perform mintid.raise_error('invalid_input', 'credential_ids_invalid',
      '_rejected must map credential ids to counts from 1 to 9999999', 'Send {"<credential id>": <count>, …}.');
  end if;
  perform mintid.assert_use_times(_used_at, '_used_at');
  perform mintid.assert_use_times(_previous_used_at, '_previous_used_at');
  perform mintid.assert_use_times(_rejected_at, '_rejected_at');
  select array_agg(r.key::uuid) into _rejected_ids from jsonb_each(coalesce(_rejected, '{}'::jsonb)) r;
  if _credential_ids is null or array_position(_credential_ids, null) is not null
     or array_position(_previous_secret_ids, null) is not null
     or cardinality(_credential_ids) + coalesce(cardinality(_previous_secret_ids), 0) + coalesce(cardinality(_rejected_ids), 0) > 1000 then
    perform mintid.raise_error('invalid_input', 'credential_ids_invalid', '_credential_ids must hold at most 1000 ids',
      'Flush uses in smaller batches.');
  end if;

  -- Round 1's column, for credentials that may still change.
  with targets as (
    select c.id,
           greatest(case when c.id = any (_credential_ids) then mintid.use_time(_used_at, c.id, _now) end,
                    case when c.id = any (coalesce(_previous_secret_ids, '{}')) then mintid.use_time(_previous_used_at, c.id, _now) end) as at
    from mintid.api_credentials c
    where (c.id = any (_credential_ids) or c.id = any (coalesce(_previous_secret_ids, '{}'))) and c.revoked_at is null
    order by c.id
    for no key update
  )
  update mintid.api_credentials c
  set last_used_at = targets.at
  from targets
  where c.id = targets.id and (c.last_used_at is null or c.last_used_at < targets.at);
  get diagnostics _updated = row_count;

  insert into mintid.api_credential_usage as u
    (credential_id, last_used_at, previous_secret_last_used_at, last_rejected_use_at, rejected_use_count)
  select c.id,
         greatest(case when c.id = any (_credential_ids) then mintid.use_time(_used_at, c.id, _now) end,
                  case when c.id = any (coalesce(_previous_secret_ids, '{}')) then mintid.use_time(_previous_used_at, c.id, _now) end),
         case when c.id = any (coalesce(_previous_secret_ids, '{}')) then mintid.use_time(_previous_used_at, c.id, _now) end,
         case when r.value is not null then mintid.use_time(_rejected_at, c.id, _now) end,
         coalesce(r.value::text::bigint, 0)
  from mintid.api_credentials c
  left join jsonb_each(coalesce(_rejected, '{}'::jsonb)) r on r.key::uuid = c.id
  where c.id = any (_credential_ids) or c.id = any (coalesce(_previous_secret_ids, '{}'))
     or c.id = any (coalesce(_rejected_ids, '{}'))
  order by c.id
  on conflict (credential_id) do update
  set last_used_at = greatest(u.last_used_at, excluded.last_used_at),
      previous_secret_last_used_at = greatest(u.previous_secret_last_used_at, excluded.previous_secret_last_used_at),
      last_rejected_use_at = greatest(u.last_rejected_use_at, excluded.last_rejected_use_at),
      rejected_use_count = u.rejected_use_count + excluded.rejected_use_count;
  return jsonb_build_object('ok', true, 'updated', _updated);
end;
$$;
comment on function public.record_api_credential_use(uuid[], uuid[], jsonb, jsonb, jsonb, jsonb) is
  'Batched usage (last use, previous-secret use, rejected uses) at the time of each use, for the token endpoint. Callers: service_role only, SQL-console operators.';
revoke all on function public.record_api_credential_use(uuid[], uuid[], jsonb, jsonb, jsonb, jsonb) from public, anon, authenticated, service_role;
grant execute on function public.record_api_credential_use(uuid[], uuid[], jsonb, jsonb, jsonb, jsonb) to service_role;
