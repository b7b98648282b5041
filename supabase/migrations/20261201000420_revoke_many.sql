-- Revoke many at once (SPEC §13): every not yet revoked credential of a brand selected by ids or by
-- metadata containment, at most 1000, all or nothing, one audit record each, in one transaction.
-- Rows are locked in id order, so two bulk revocations (or one and a single revoke) cannot deadlock.

-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create function public.revoke_api_credential_records(
  _brand_id uuid default null, _reason text default null, _credential_ids uuid[] default null,
  _metadata_contains jsonb default null, _reason_code text default 'unspecified'
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _actor text := mintid.require_credential_manager(_brand_id);
  _ids uuid[];
  _found int;
  _locked mintid.api_credentials[];
  _credential mintid.api_credentials;
  _at timestamptz;
begin
  if (_credential_ids is null) = (_metadata_contains is null)
     or cardinality(_credential_ids) = 0
     or _metadata_contains = '{}'::jsonb then
    perform mintid.raise_error('invalid_input', 'selector_required',
      'exactly one of _credential_ids (non-empty) and _metadata_contains (a non-empty object) is required',
      'Pass the ids to revoke, or metadata the credentials contain, e.g. {"integration": "erp"}.');
  end if;
  perform mintid.assert_reason(_reason);
  perform mintid.assert_reason_code(_reason_code);
  if _credential_ids is not null then
    if array_position(_credential_ids, null) is not null then
      perform mintid.raise_error('invalid_input', 'credential_ids_invalid', '_credential_ids must not contain null',
        'Pass credential ids only.');
    end if;
    select array_agg(distinct i order by i) into _ids from unnest(_credential_ids) as i;
    if cardinality(_ids) > 1000 then
      perform mintid.raise_error('invalid_input', 'too_many_credentials', 'at most 1000 credentials per call',
        'Revoke in batches of at most 1000.');
    end if;
  else
    perform mintid.assert_metadata(_metadata_contains);
  end if;

  -- Lock the candidates in id order: the named ones (revoked or not, to tell unknown ids), or the
  -- brand's not yet revoked credentials whose metadata contains the selector (1001 at most).
  select array_agg(l.c order by (l.c).id) into _locked
  from (
    select c
    from mintid.api_credentials c
    where c.brand_id = revoke_api_credential_records._brand_id
      and (case when _ids is not null then c.id = any (_ids)
                else c.metadata @> _metadata_contains and c.revoked_at is null end)
    order by c.id
    limit 1001
    for no key update of c
  ) l;
  _found := coalesce(cardinality(_locked), 0);
  if _ids is not null and _found <> cardinality(_ids) then
    perform mintid.raise_error('invalid_input', 'credential_not_found', 'at least one id is not a credential of this brand',
      'Check the credential ids and the brand id; nothing was revoked.');
  end if;
  if _found > 1000 then
    perform mintid.raise_error('invalid_input', 'too_many_credentials', 'more than 1000 credentials match',
      'Narrow the selector, or revoke by ids in batches of at most 1000; nothing was revoked.');
  end if;

  -- One UPDATE for all, then the audit records last (the chain-head lock is held only from there).
  _at := clock_timestamp();
  select coalesce(array_agg(l.id order by l.id), '{}') into _ids from unnest(_locked) l where l.revoked_at is null;
  perform mintid.revoke_locked_credentials(_ids, _actor, _reason, _reason_code, _at);
  foreach _credential in array coalesce(_locked, '{}') loop
    if _credential.revoked_at is null then
      perform mintid.record_audit(_brand_id, 'credential', _credential.id, 'revoked', _actor, btrim(_reason, E' \t\r\n'),
        mintid.revocation_details(_credential, _reason_code), _at);
    end if;
  end loop;
  return jsonb_build_object('ok', true, 'revoked', cardinality(_ids), 'credential_ids', to_jsonb(_ids),
    'revoked_at', _at, 'reason_code', coalesce(_reason_code, 'unspecified'));
end;
$$;
comment on function public.revoke_api_credential_records(uuid, text, uuid[], jsonb, text) is
  'Revokes up to 1000 credentials of a brand by ids or metadata containment, all or nothing. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.revoke_api_credential_records(uuid, text, uuid[], jsonb, text) from public, anon, authenticated, service_role;
grant execute on function public.revoke_api_credential_records(uuid, text, uuid[], jsonb, text) to authenticated, service_role;
