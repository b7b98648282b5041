-- What the token endpoint needs, for the service role only: look a credential up by client_id
-- (with the hash, so the endpoint can verify the secret) and record uses in batches.

-- Returns what verifying a client secret needs, or credential: null for an unknown client_id.
-- The status is computed at call time, so revocation and expiry apply to the very next exchange.
-- Callers: service_role (the token edge function), SQL-console operators.
create function public.lookup_api_credential_for_token(_client_id text default null)
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
      'status', mintid.credential_status(c.revoked_at, c.expires_at), 'expires_at', c.expires_at
    )
    from mintid.api_credentials c
    where c.client_id = _client_id
  ));
end;
$$;
comment on function public.lookup_api_credential_for_token(text) is
  'Token endpoint lookup by client_id, hash included. Callers: service_role only, SQL-console operators.';
revoke all on function public.lookup_api_credential_for_token(text) from public, anon, authenticated, service_role;
grant execute on function public.lookup_api_credential_for_token(text) to service_role;

-- Sets last_used_at = now() on the given credentials, in one statement for a whole batch. Revoked
-- credentials are skipped (they never change again); rows are locked in id order so concurrent
-- batches cannot deadlock. Callers: service_role (the token edge function), SQL-console operators.
create function public.record_api_credential_use(_credential_ids uuid[] default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _updated int;
begin
  perform mintid.require_trusted_caller();
  if _credential_ids is null or cardinality(_credential_ids) > 1000 then
    perform mintid.raise_error('invalid_input', 'credential_ids_invalid', '_credential_ids must hold at most 1000 ids',
      'Flush uses in smaller batches.');
  end if;
  with targets as (
    select c.id
    from mintid.api_credentials c
    where c.id = any (_credential_ids) and c.revoked_at is null
    order by c.id
    for no key update
  )
  update mintid.api_credentials c
  set last_used_at = now()
  from targets
  where c.id = targets.id and (c.last_used_at is null or c.last_used_at < now());
  get diagnostics _updated = row_count;
  return jsonb_build_object('ok', true, 'updated', _updated);
end;
$$;
comment on function public.record_api_credential_use(uuid[]) is
  'Batched last_used_at update for the token endpoint. Callers: service_role only, SQL-console operators.';
revoke all on function public.record_api_credential_use(uuid[]) from public, anon, authenticated, service_role;
grant execute on function public.record_api_credential_use(uuid[]) to service_role;
