-- Usage of credentials as data of its own (SPEC §13, issue 10 item 5): last use, last use of the
-- previous secret during a rotation grace, and rejected uses (the correct secret of a revoked or
-- expired credential, or a previous secret after its grace). Kept in a table that the revoked-row
-- rule does not freeze, so the uses just before a revocation survive it — forensic data a
-- compromised credential must not lose. Written by the token endpoint's batched recorder, never
-- once per request. api_credentials.last_used_at keeps being set for credentials that are not
-- revoked, as in round 1.
--
-- record_api_credential_use gains parameters and lookup_api_credential_for_token returns the
-- previous secret: the first is dropped and re-created (no PGRST203 overloads), the second keeps
-- its signature.

create table mintid.api_credential_usage (
  credential_id uuid primary key references mintid.api_credentials (id),
  last_used_at timestamptz,
  previous_secret_last_used_at timestamptz,
  last_rejected_use_at timestamptz,
  rejected_use_count bigint not null default 0 check (rejected_use_count >= 0)
);
comment on table mintid.api_credential_usage is
  'Batched usage of each credential (successful, previous-secret and rejected uses). Survives revocation; not an audit record.';
alter table mintid.api_credential_usage enable row level security;
revoke all on mintid.api_credential_usage from public, anon, authenticated, service_role;

insert into mintid.api_credential_usage (credential_id, last_used_at)
select c.id, c.last_used_at from mintid.api_credentials c where c.last_used_at is not null;

-- Returns what verifying a client secret needs, or credential: null for an unknown client_id: the
-- current hash, and the previous one with its grace (previous_secret_active: open at this instant,
-- computed here). The status is computed at call time, so revocation and expiry apply to the very
-- next exchange. Callers: service_role (the token and introspection functions), SQL-console operators.
create or replace function public.lookup_api_credential_for_token(_client_id text default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform mintid.require_trusted_caller();
  return jsonb_build_object('ok', true, 'credential', (
    select jsonb_build_object(
      'credential_id', c.id, 'brand_id', c.brand_id, 'client_id', c.client_id,
      'client_secret_hash', c.client_secret_hash, 'scopes', to_jsonb(c.scopes),
      'status', mintid.credential_status(c.revoked_at, c.expires_at), 'expires_at', c.expires_at,
      'previous_secret_hash', c.previous_secret_hash, 'previous_secret_expires_at', c.previous_secret_expires_at,
      'previous_secret_active', mintid.rotation_grace_open(c)
    )
    from mintid.api_credentials c
    where c.client_id = _client_id
  ));
end;
$$;
comment on function public.lookup_api_credential_for_token(text) is
  'Token endpoint lookup by client_id, current and previous hash included. Callers: service_role only, SQL-console operators.';
revoke all on function public.lookup_api_credential_for_token(text) from public, anon, authenticated, service_role;
grant execute on function public.lookup_api_credential_for_token(text) to service_role;

drop function public.record_api_credential_use(uuid[]);

-- Records one batch of uses at now(): _credential_ids authenticated (last_used_at),
-- _previous_secret_ids with their previous secret during its grace (last_used_at and
-- previous_secret_last_used_at), _rejected {"<credential id>": <count>} presented a correct but
-- refused secret (last_rejected_use_at, rejected_use_count). At most 1000 ids in all; unknown ids
-- are ignored; nothing is skipped for revoked credentials except round 1's
-- api_credentials.last_used_at (that row never changes again). Rows are locked in id order so
-- concurrent flushes cannot deadlock; no audit record (a use is not a lifecycle change).
-- Callers: service_role (the token and introspection functions), SQL-console operators.
create function public.record_api_credential_use(
  _credential_ids uuid[] default null, _previous_secret_ids uuid[] default null, _rejected jsonb default null
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
begin
  perform mintid.require_trusted_caller();
  if _rejected is not null and (jsonb_typeof(_rejected) <> 'object' or exists (
      select 1 from jsonb_each(_rejected) r
      where r.key !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
         or jsonb_typeof(r.value) <> 'number' or r.value::text !~ '^[1-9][0-9]{0,6}$')) then
    perform mintid.raise_error('invalid_input', 'credential_ids_invalid',
      '_rejected must map credential ids to counts from 1 to 9999999', 'Send {"<credential id>": <count>, …}.');
  end if;
  select array_agg(r.key::uuid) into _rejected_ids from jsonb_each(coalesce(_rejected, '{}'::jsonb)) r;
  if _credential_ids is null or array_position(_credential_ids, null) is not null
     or array_position(_previous_secret_ids, null) is not null
     or cardinality(_credential_ids) + coalesce(cardinality(_previous_secret_ids), 0) + coalesce(cardinality(_rejected_ids), 0) > 1000 then
    perform mintid.raise_error('invalid_input', 'credential_ids_invalid', '_credential_ids must hold at most 1000 ids',
      'Flush uses in smaller batches.');
  end if;

  -- Round 1's column, for credentials that may still change.
  with targets as (
    select c.id
    from mintid.api_credentials c
    where (c.id = any (_credential_ids) or c.id = any (coalesce(_previous_secret_ids, '{}'))) and c.revoked_at is null
    order by c.id
    for no key update
  )
  update mintid.api_credentials c
  set last_used_at = now()
  from targets
  where c.id = targets.id and (c.last_used_at is null or c.last_used_at < now());
  get diagnostics _updated = row_count;

  insert into mintid.api_credential_usage as u
    (credential_id, last_used_at, previous_secret_last_used_at, last_rejected_use_at, rejected_use_count)
  select c.id,
         case when c.id = any (_credential_ids) or c.id = any (coalesce(_previous_secret_ids, '{}')) then now() end,
         case when c.id = any (coalesce(_previous_secret_ids, '{}')) then now() end,
         case when r.value is not null then now() end,
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
comment on function public.record_api_credential_use(uuid[], uuid[], jsonb) is
  'Batched usage (last use, previous-secret use, rejected uses) for the token endpoint. Callers: service_role only, SQL-console operators.';
revoke all on function public.record_api_credential_use(uuid[], uuid[], jsonb) from public, anon, authenticated, service_role;
grant execute on function public.record_api_credential_use(uuid[], uuid[], jsonb) to service_role;
