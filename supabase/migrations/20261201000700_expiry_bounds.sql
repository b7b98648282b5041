-- _expires_at within what every reader can represent (SPEC §15): PostgreSQL accepts 'infinity',
-- '-infinity' and years up to 294276, which JSON renders as "infinity" or "10000-01-01T…" — not
-- ISO 8601, and not parseable by JavaScript's Date, so the token endpoint could not issue a token
-- for such a credential. Refused with 400 at creation, and by the table for every writer.

-- _expires_at: null, or a finite time in the future before 9999-12-31 UTC (so that it renders as
-- a four-digit-year ISO 8601 timestamp in every session time zone). Replaces round 1's helper,
-- which only refused the past. Private.
create or replace function mintid.assert_expires_at(_expires_at timestamptz)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if _expires_at is null then
    return;
  end if;
  if not isfinite(_expires_at) then
    perform mintid.raise_error('invalid_input', 'expires_at_not_finite', '_expires_at must be a finite timestamp',
      'Pass a future timestamp with a time zone, or null for no expiry (instead of infinity).');
  elsif _expires_at >= timestamptz '9999-12-31 00:00:00+00' then
    perform mintid.raise_error('invalid_input', 'expires_at_out_of_range', '_expires_at must be before 9999-12-31',
      'Pass a timestamp with a four-digit year, or null for no expiry.');
  elsif _expires_at <= now() then
    perform mintid.raise_error('invalid_input', 'expires_at_not_future', '_expires_at must be in the future',
      'Pass a future timestamp with a time zone, or null for no expiry.');
  end if;
end;
$$;
comment on function mintid.assert_expires_at(timestamptz) is
  'Raises 400 unless _expires_at is null or a finite future time before 9999-12-31. Private.';
revoke all on function mintid.assert_expires_at(timestamptz) from public, anon, authenticated, service_role;

-- Table rule: a stored expires_at is finite and before 9999-12-31, for every writer (the SQL
-- console too), so listings only ever render ISO 8601. A past value stays allowed here (an
-- operator may expire a credential now); only the RPC insists on the future. Private.
create function mintid.guard_api_credential_expiry()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.expires_at is not null and (tg_op = 'INSERT' or new.expires_at is distinct from old.expires_at) then
    if not isfinite(new.expires_at) then
      perform mintid.raise_error('invalid_input', 'expires_at_not_finite', 'expires_at must be a finite timestamp',
        'Use null for no expiry.');
    elsif new.expires_at >= timestamptz '9999-12-31 00:00:00+00' then
      perform mintid.raise_error('invalid_input', 'expires_at_out_of_range', 'expires_at must be before 9999-12-31',
        'Use a timestamp with a four-digit year, or null for no expiry.');
    end if;
  end if;
  return new;
end;
$$;
comment on function mintid.guard_api_credential_expiry() is
  'Trigger: refuses a non-finite or five-digit-year expires_at. Private.';
revoke all on function mintid.guard_api_credential_expiry() from public, anon, authenticated, service_role;

create trigger guard_api_credential_expiry
  before insert or update of expires_at on mintid.api_credentials
  for each row execute function mintid.guard_api_credential_expiry();
alter table mintid.api_credentials enable always trigger guard_api_credential_expiry;
