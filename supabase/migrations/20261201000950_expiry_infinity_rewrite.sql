-- Credentials stored with expires_at = 'infinity' before 20261201000700_expiry_bounds.sql (which
-- refuses it from then on, SPEC §15) still carry it: JSON renders it as "infinity", which is not
-- ISO 8601 and which JavaScript's Date cannot parse. 'infinity' means "never expires", which the
-- schema spells null; this rewrites such rows to null, one `expiry_rewritten` audit record each
-- (reason and details say what it was), so the change is visible in the credential's events and
-- in the brand's hash chain like any other.
--
-- What it leaves alone, on purpose:
--   * revoked credentials: the table rule says a revoked credential never changes again, for
--     every writer (guard_api_credential), and a migration does not get to switch it off. Their
--     expiry means nothing any more (revoked wins, credential_status), so "infinity" stays there
--     as stored; a NOTICE counts them.
--   * '-infinity' (only a direct SQL write could store it; the RPC always refused the past): it
--     reads as expired, and null would bring the credential back to life.
--   * finite expiries, however far (before 9999-12-31 the table rule keeps them renderable).

insert into mintid.audit_actions (subject_type, action, secret_change) values ('credential', 'expiry_rewritten', false);

-- One credential per statement, in the order of their brands' chains: each UPDATE then its
-- audit record (record_audit last, as everywhere: it takes the brand's chain-head lock until
-- commit). The actor is the login that runs the migration, as for any SQL-console operator.
do $$
declare
  _credential record;
  _rewritten int := 0;
  _left_revoked int;
begin
  for _credential in
    select c.id, c.brand_id
    from mintid.api_credentials c
    where c.expires_at = 'infinity'::timestamptz and c.revoked_at is null
    order by c.brand_id, c.created_at, c.id
    for update
  loop
    update mintid.api_credentials set expires_at = null where id = _credential.id;
    perform mintid.record_audit(_credential.brand_id, 'credential', _credential.id, 'expiry_rewritten', session_user::text,
      'expires_at infinity (stored before expiry bounds) rewritten to null: no expiry, as before',
      jsonb_build_object('previous_expires_at', 'infinity', 'expires_at', null, 'migration', '20261201000950'));
    _rewritten := _rewritten + 1;
  end loop;
  select count(*) into _left_revoked
  from mintid.api_credentials c
  where c.expires_at = 'infinity'::timestamptz and c.revoked_at is not null;
  if _rewritten > 0 or _left_revoked > 0 then
    raise notice 'expires_at infinity: % credential(s) rewritten to null; % revoked one(s) left as stored (revoked credentials never change)',
      _rewritten, _left_revoked;
  end if;
end;
$$;
