-- Revocation reason codes (SPEC §13): besides the free-text reason, a revocation names one of six
-- codes (RFC 5280's vocabulary where it fits), stored on the credential and in the audit record's
-- details, so "revoked because the key leaked" can be told from "integration retired" by a machine.
-- A revocation also ends an open rotation grace at once.
--
-- revoke_api_credential_record gains a parameter, so its signature changes: the old function is
-- dropped and the new one created (two overloads would make PostgREST answer PGRST203).

alter table mintid.api_credentials add column revocation_reason_code text;
comment on column mintid.api_credentials.revocation_reason_code is
  'Why it was revoked, as a code (see mintid.revocation_reason_codes); null for round-1 revocations, read as unspecified.';

-- The six codes. Private.
create function mintid.revocation_reason_codes()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select array['unspecified', 'key_compromise', 'superseded', 'integration_retired', 'policy_violation', 'unused'];
$$;
comment on function mintid.revocation_reason_codes() is 'The revocation reason codes of SPEC §13. Private.';
revoke all on function mintid.revocation_reason_codes() from public, anon, authenticated, service_role;

-- _reason_code: null (read as unspecified) or one of the six codes. Private.
create function mintid.assert_reason_code(_reason_code text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _reason_code is not null and not (_reason_code = any (mintid.revocation_reason_codes())) then
    perform mintid.raise_error('invalid_input', 'reason_code_invalid',
      '_reason_code must be unspecified, key_compromise, superseded, integration_retired, policy_violation or unused',
      'Pick one of the six codes (lower case), or omit it for unspecified.');
  end if;
end;
$$;
comment on function mintid.assert_reason_code(text) is 'Raises 400 unless _reason_code is null or one of the six codes. Private.';
revoke all on function mintid.assert_reason_code(text) from public, anon, authenticated, service_role;

-- Table rule: a reason code only on a revoked credential, and only one of the six. Private.
create function mintid.guard_api_credential_reason_code()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.revocation_reason_code is not null then
    if new.revoked_at is null then
      perform mintid.raise_error('invalid_input', 'revocation_incomplete', 'a reason code belongs to a revocation',
        'Revoke with public.revoke_api_credential_record.');
    end if;
    perform mintid.assert_reason_code(new.revocation_reason_code);
  end if;
  return new;
end;
$$;
comment on function mintid.guard_api_credential_reason_code() is
  'Trigger: a revocation reason code is one of the six, on revoked credentials only. Private.';
revoke all on function mintid.guard_api_credential_reason_code() from public, anon, authenticated, service_role;

create trigger guard_api_credential_reason_code
  before insert or update on mintid.api_credentials
  for each row execute function mintid.guard_api_credential_reason_code();
alter table mintid.api_credentials enable always trigger guard_api_credential_reason_code;

-- The details of a `revoked` audit record: the reason code, and grace_ended when the revocation
-- cuts an open rotation grace short. Private: used by the revoking RPCs.
create function mintid.revocation_details(_credential mintid.api_credentials, _reason_code text)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object('reason_code', coalesce(_reason_code, 'unspecified'))
      || case when mintid.rotation_grace_open(_credential) then jsonb_build_object('grace_ended', true) else '{}'::jsonb end;
$$;
comment on function mintid.revocation_details(mintid.api_credentials, text) is
  'Audit details of a revocation: reason code and grace_ended. Private.';
revoke all on function mintid.revocation_details(mintid.api_credentials, text) from public, anon, authenticated, service_role;

-- Revokes row-locked, not yet revoked credentials at _at, in one statement: the revocation
-- columns, and the end of an open rotation grace. The callers then write the audit records, last.
-- Private: called by revoke_api_credential_record and revoke_api_credential_records.
create function mintid.revoke_locked_credentials(
  _ids uuid[], _actor text, _reason text, _reason_code text, _at timestamptz
)
returns void
language sql
volatile
set search_path = ''
as $$
  update mintid.api_credentials
  set revoked_at = _at, revoked_by = _actor, revocation_reason = btrim(_reason, E' \t\r\n'),
      revocation_reason_code = coalesce(_reason_code, 'unspecified'),
      previous_secret_expires_at = case when previous_secret_expires_at > _at then _at else previous_secret_expires_at end
  where id = any (_ids) and revoked_at is null;
$$;
comment on function mintid.revoke_locked_credentials(uuid[], text, text, text, timestamptz) is
  'Revokes row-locked credentials in one statement (no audit record; the caller writes them). Private.';
revoke all on function mintid.revoke_locked_credentials(uuid[], text, text, text, timestamptz) from public, anon, authenticated, service_role;

drop function public.revoke_api_credential_record(uuid, uuid, text);

-- Revokes a credential, permanently, with a reason code. An expired credential may still be revoked.
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create function public.revoke_api_credential_record(
  _brand_id uuid default null, _credential_id uuid default null, _reason text default null,
  _reason_code text default 'unspecified'
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  _actor text := mintid.require_credential_manager(_brand_id);
  _credential mintid.api_credentials;
  _at timestamptz;
begin
  perform mintid.assert_present(_credential_id, '_credential_id');
  perform mintid.assert_reason(_reason);
  perform mintid.assert_reason_code(_reason_code);
  _credential := mintid.lock_brand_credential(_brand_id, _credential_id);
  _at := clock_timestamp();
  if _credential.revoked_at is not null then
    perform mintid.raise_error('conflict', 'credential_revoked', 'the credential is already revoked',
      'Nothing to do: revocation is permanent.');
  end if;
  perform mintid.revoke_locked_credentials(array[_credential.id], _actor, _reason, _reason_code, _at);
  perform mintid.record_audit(_brand_id, 'credential', _credential.id, 'revoked', _actor, btrim(_reason, E' \t\r\n'),
    mintid.revocation_details(_credential, _reason_code), _at);
  return jsonb_build_object('ok', true, 'credential_id', _credential.id, 'revoked_at', _at);
end;
$$;
comment on function public.revoke_api_credential_record(uuid, uuid, text, text) is
  'Revokes an API credential permanently, with a reason code. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.revoke_api_credential_record(uuid, uuid, text, text) from public, anon, authenticated, service_role;
grant execute on function public.revoke_api_credential_record(uuid, uuid, text, text) to authenticated, service_role;
