-- Tamper evidence (SPEC §13): a credential's secret hash changes only as a rotation. A new
-- client_secret_hash must come with a new secret_rotated_at and a secret_rotated_by, for every
-- writer (the SQL console as the owner too), so a hash cannot be swapped quietly; and every
-- rotation leaves a `rotated` audit record whose fingerprint `mintid audit verify` compares with
-- the stored hash, so a swap that also forges the columns is still visible.

-- Table rule for UPDATE of the secret hash. Fires only when the hash changes (see WHEN below).
create function mintid.guard_secret_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.secret_rotated_at is null or new.secret_rotated_by is null
     or new.secret_rotated_at is not distinct from old.secret_rotated_at then
    perform mintid.raise_error('invalid_input', 'rotation_columns_required',
      'a new client_secret_hash needs a new secret_rotated_at and secret_rotated_by',
      'Rotate with public.rotate_api_credential_secret_record; it records the rotation in the audit trail.');
  end if;
  return new;
end;
$$;
comment on function mintid.guard_secret_change() is
  'Trigger: refuses a change of client_secret_hash that does not also set the rotation columns. Private.';
revoke all on function mintid.guard_secret_change() from public, anon, authenticated, service_role;

create trigger guard_secret_change
  before update on mintid.api_credentials
  for each row
  when (old.client_secret_hash is distinct from new.client_secret_hash)
  execute function mintid.guard_secret_change();
-- ALWAYS: also under session_replication_role = replica.
alter table mintid.api_credentials enable always trigger guard_secret_change;
