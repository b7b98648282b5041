-- Failed client authentications at the token endpoint, counted per key over a sliding minute and
-- shared by every instance of the endpoint (SPEC §14 "limits before argon2"). A key is
-- 'credential:<uuid>' for a known client_id or 'address:<ip>' for the source address; never a
-- submitted client_id or secret. The endpoint reads the count only on its cold path (the verify
-- cache did not answer), before argon2, and records each failure with one write.
--
-- UNLOGGED: this is throttling state, not a record. A crash empties it, which only resets the
-- counters; it never reaches a replica or a backup, and writing it costs no WAL.

create unlogged table mintid.token_auth_failures (
  key text primary key,
  -- The most recent failures, newest first, at most 50 (a limit above 50 per minute is not offered).
  failed_at timestamptz[] not null,
  last_failed_at timestamptz not null
);
comment on table mintid.token_auth_failures is
  'Recent failed token-endpoint authentications per credential or source address (rate limiting only).';
create index token_auth_failures_stale_idx on mintid.token_auth_failures (last_failed_at);
alter table mintid.token_auth_failures enable row level security;
revoke all on mintid.token_auth_failures from public, anon, authenticated, service_role;

-- A key as the endpoint builds it; anything else is refused so no caller-chosen text is stored. Private.
create function mintid.assert_failure_keys(_keys text[])
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _keys is null or coalesce(array_ndims(_keys), 1) <> 1 or cardinality(_keys) not between 1 and 4
     or exists (select 1 from unnest(_keys) k
                where k is null or k !~ '^(credential:[0-9a-f-]{36}|address:[0-9A-Za-z.:_-]{1,64})$') then
    perform mintid.raise_error('invalid_input', 'failure_keys_invalid',
      '_keys must be 1 to 4 keys of the form credential:<uuid> or address:<ip>',
      'Build keys as the token endpoint does.');
  end if;
end;
$$;
comment on function mintid.assert_failure_keys(text[]) is 'Raises 400 unless the rate-limit keys are well-formed. Private.';
revoke all on function mintid.assert_failure_keys(text[]) from public, anon, authenticated, service_role;

-- Whether any of the keys has _limit or more failures within the last minute, and when the
-- oldest of those leaves the window (seconds, at least 1). Read-only.
-- Callers: service_role (the token edge function), SQL-console operators.
create function public.check_token_auth_failures(_keys text[] default null, _limit int default 10)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  _retry numeric;
begin
  perform mintid.require_trusted_caller();
  perform mintid.assert_failure_keys(_keys);
  if _limit is null or _limit not between 1 and 50 then
    perform mintid.raise_error('invalid_input', 'limit_out_of_range', '_limit must be 1 to 50', 'Pass a limit from 1 to 50.');
  end if;
  -- The _limit-th newest failure inside the window decides: the key is free once it is a minute old.
  select max(extract(epoch from (f.failed_at[_limit] + interval '1 minute' - clock_timestamp())))
    into _retry
    from mintid.token_auth_failures f
   where f.key = any (check_token_auth_failures._keys)
     and cardinality(f.failed_at) >= _limit
     and f.failed_at[_limit] > clock_timestamp() - interval '1 minute';
  return jsonb_build_object('ok', true, 'blocked', _retry is not null,
    'retry_after_seconds', case when _retry is null then 0 else greatest(1, ceil(_retry))::int end);
end;
$$;
comment on function public.check_token_auth_failures(text[], int) is
  'Token endpoint: are these rate-limit keys over their failed-authentication limit? Callers: service_role only, SQL-console operators.';
revoke all on function public.check_token_auth_failures(text[], int) from public, anon, authenticated, service_role;
grant execute on function public.check_token_auth_failures(text[], int) to service_role;

-- Records one failed authentication against each key (one row lock per key, keys in order so
-- concurrent calls cannot deadlock) and removes up to 100 entries idle for over two minutes.
-- Callers: service_role (the token edge function), SQL-console operators.
create function public.record_token_auth_failure(_keys text[] default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _now timestamptz := clock_timestamp();
begin
  perform mintid.require_trusted_caller();
  perform mintid.assert_failure_keys(_keys);
  insert into mintid.token_auth_failures as f (key, failed_at, last_failed_at)
  select k, array[_now], _now from (select distinct k from unnest(_keys) k order by k) keys
  on conflict (key) do update
    set failed_at = (array[_now] || f.failed_at)[1:50],
        last_failed_at = _now;
  delete from mintid.token_auth_failures
   where key in (select s.key from mintid.token_auth_failures s
                  where s.last_failed_at < _now - interval '2 minutes'
                  order by s.last_failed_at limit 100
                  for update skip locked);
  return jsonb_build_object('ok', true);
end;
$$;
comment on function public.record_token_auth_failure(text[]) is
  'Token endpoint: one failed authentication for each rate-limit key. Callers: service_role only, SQL-console operators.';
revoke all on function public.record_token_auth_failure(text[]) from public, anon, authenticated, service_role;
grant execute on function public.record_token_auth_failure(text[]) to service_role;
