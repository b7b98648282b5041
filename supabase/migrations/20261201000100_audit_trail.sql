-- The shared audit trail (SPEC §9, §13): one append-only table for a brand's whole history
-- (brand, members, credentials, secrets), a SHA-256 hash chain per brand, and one writer,
-- mintid.record_audit. It replaces round 1's mintid.api_credential_events: the existing events are
-- moved in, in their order, and the old table is dropped; list_api_credential_events keeps its
-- contract and reads from here.
--
-- The chain: record n of a brand has seq = n (1, 2, 3 … gapless) and
--   digest = sha256(utf8(jsonb_text({v, id, brand_id, seq, subject_type, subject_id, credential_id,
--                                    action, actor, reason, details, occurred_at, secret_fingerprint,
--                                    prev_digest})))
-- where occurred_at is epoch microseconds, digests and fingerprints are lower-case hex (null where
-- absent) and jsonb_text is PostgreSQL's canonical jsonb output (keys by length, then bytes;
-- ", " and ": " separators). Nothing in it depends on session settings (TimeZone, DateStyle,
-- extra_float_digits), so `mintid audit verify` recomputes it in Node from the raw columns.
-- secret_fingerprint is sha256 of the credential's PHC string after a secret change (created,
-- rotated): it lets the verifier prove that the stored hash is the one the trail last recorded.
-- It is never returned by any RPC.

-- Which (subject_type, action) pairs exist. Each migration registers its own with an INSERT.
-- secret_change: the action sets the credential's client_secret_hash (the record carries the
-- fingerprint of the new hash).
create table mintid.audit_actions (
  subject_type text not null check (subject_type in ('brand', 'member', 'credential', 'secret')),
  action text not null check (action ~ '^[a-z][a-z0-9_]{0,62}$'),
  secret_change boolean not null default false,
  primary key (subject_type, action)
);
comment on table mintid.audit_actions is
  'The registry of audit actions per subject type. Migrations add theirs with INSERT.';
alter table mintid.audit_actions enable row level security;
revoke all on mintid.audit_actions from public, anon, authenticated, service_role;

insert into mintid.audit_actions (subject_type, action, secret_change) values
  ('credential', 'created', true),
  ('credential', 'rotated', true),
  ('credential', 'revoked', false),
  ('brand', 'brand_created', false),
  ('member', 'member_added', false),
  ('member', 'member_role_changed', false),
  ('member', 'member_removed', false),
  ('secret', 'secret_created', false),
  ('secret', 'secret_updated', false),
  ('secret', 'secret_deleted', false);

-- A record's brand is its credential's brand: the composite foreign key below needs this key.
alter table mintid.api_credentials add constraint api_credentials_id_brand_id_key unique (id, brand_id);

create table mintid.audit_records (
  id uuid primary key,
  brand_id uuid not null references mintid.brands (id),
  seq bigint not null check (seq >= 1),
  subject_type text not null,
  subject_id uuid not null,
  credential_id uuid,
  action text not null,
  actor text not null,
  reason text,
  details jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null,
  secret_fingerprint bytea,
  prev_digest bytea,
  digest bytea not null,
  constraint audit_records_brand_seq_key unique (brand_id, seq),
  constraint audit_records_credential_brand_fkey
    foreign key (credential_id, brand_id) references mintid.api_credentials (id, brand_id),
  constraint audit_records_credential_subject_check
    check ((subject_type = 'credential') = (credential_id is not null)
           and (credential_id is null or credential_id = subject_id)),
  constraint audit_records_details_object_check check (jsonb_typeof(details) = 'object')
);
comment on table mintid.audit_records is
  'The append-only audit trail of every brand: hash-chained per brand (seq, prev_digest, digest). Written only by mintid.record_audit.';
comment on column mintid.audit_records.secret_fingerprint is
  'sha256 of the credential''s PHC string after this secret change. Never returned by any RPC; used by mintid audit verify.';
create index audit_records_brand_page_idx on mintid.audit_records (brand_id, occurred_at desc, id desc);
create index audit_records_credential_page_idx
  on mintid.audit_records (credential_id, occurred_at desc, id desc) where credential_id is not null;

alter table mintid.audit_records enable row level security;
revoke all on mintid.audit_records from public, anon, authenticated, service_role;

-- Table rule for UPDATE, DELETE and TRUNCATE of audit records: always refused, the owner included.
create function mintid.refuse_audit_record_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform mintid.raise_error('conflict', 'event_immutable', 'audit records are append-only',
    'The audit trail is never changed; record a new event instead.');
  return null;
end;
$$;
comment on function mintid.refuse_audit_record_change() is
  'Trigger: refuses UPDATE, DELETE and TRUNCATE of audit records. Private.';
revoke all on function mintid.refuse_audit_record_change() from public, anon, authenticated, service_role;

-- Table rule for INSERT: only the audit writer inserts, one row per marker it sets. A plain INSERT
-- (by the owner in the SQL console too) is refused, so a record cannot be slipped into a chain
-- without going through the writer that computes seq and digest.
create function mintid.guard_audit_record_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_setting('mintid.audit_insert', true) is distinct from new.id::text then
    perform mintid.raise_error('conflict', 'audit_insert_forbidden',
      'audit records are written only by the audit writer',
      'Make the change through the RPC that records it; the trail is written by mintid.record_audit.');
  end if;
  perform set_config('mintid.audit_insert', '', true);
  return new;
end;
$$;
comment on function mintid.guard_audit_record_insert() is
  'Trigger: refuses an INSERT of an audit record that mintid.record_audit did not announce. Private.';
revoke all on function mintid.guard_audit_record_insert() from public, anon, authenticated, service_role;

create trigger guard_audit_record_insert
  before insert on mintid.audit_records
  for each row execute function mintid.guard_audit_record_insert();
create trigger refuse_audit_record_update_delete
  before update or delete on mintid.audit_records
  for each row execute function mintid.refuse_audit_record_change();
create trigger refuse_audit_record_truncate
  before truncate on mintid.audit_records
  for each statement execute function mintid.refuse_audit_record_change();
-- ALWAYS: also under session_replication_role = replica.
alter table mintid.audit_records enable always trigger guard_audit_record_insert;
alter table mintid.audit_records enable always trigger refuse_audit_record_update_delete;
alter table mintid.audit_records enable always trigger refuse_audit_record_truncate;

-- Appends one record with the given id to its brand's chain. The brand's chain head is locked
-- (a transaction-scoped advisory lock) from here to commit, so callers make this their last
-- statement. Private: called by mintid.record_audit and by the migration of round-1 events.
create function mintid.append_audit_record(
  _id uuid, _brand_id uuid, _subject_type text, _subject_id uuid, _action text, _actor text,
  _reason text, _details jsonb, _occurred_at timestamptz, _secret_fingerprint bytea
)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  _credential_id uuid := case when _subject_type = 'credential' then _subject_id end;
  _seq bigint;
  _prev bytea;
begin
  -- 0x6d696e74 = 'mint': the lock class of audit chain heads.
  perform pg_advisory_xact_lock(1835626100, hashtext(_brand_id::text));
  select r.seq, r.digest into _seq, _prev
  from mintid.audit_records r
  where r.brand_id = _brand_id
  order by r.seq desc
  limit 1;
  _seq := coalesce(_seq, 0) + 1;
  perform set_config('mintid.audit_insert', _id::text, true);
  insert into mintid.audit_records (id, brand_id, seq, subject_type, subject_id, credential_id, action, actor,
    reason, details, occurred_at, secret_fingerprint, prev_digest, digest)
  values (_id, _brand_id, _seq, _subject_type, _subject_id, _credential_id, _action, _actor, _reason, _details,
    _occurred_at, _secret_fingerprint, _prev,
    sha256(convert_to(jsonb_build_object(
      'v', 1, 'id', _id, 'brand_id', _brand_id, 'seq', _seq, 'subject_type', _subject_type,
      'subject_id', _subject_id, 'credential_id', _credential_id, 'action', _action, 'actor', _actor,
      'reason', _reason, 'details', _details,
      'occurred_at', (extract(epoch from _occurred_at) * 1000000)::bigint,
      'secret_fingerprint', encode(_secret_fingerprint, 'hex'), 'prev_digest', encode(_prev, 'hex')
    )::text, 'UTF8')));
end;
$$;
comment on function mintid.append_audit_record(uuid, uuid, text, uuid, text, text, text, jsonb, timestamptz, bytea) is
  'Appends one hash-chained audit record (seq, prev_digest, digest) under the brand''s chain-head lock. Private.';
revoke all on function mintid.append_audit_record(uuid, uuid, text, uuid, text, text, text, jsonb, timestamptz, bytea) from public, anon, authenticated, service_role;

-- The one writer of the audit trail. Every RPC that changes something calls it as its LAST
-- statement before returning (the chain-head lock is then held only until commit). A secret
-- change (audit_actions.secret_change) also records the fingerprint of the credential's new hash.
-- Private: called by the RPCs of every migration.
create function mintid.record_audit(
  _brand_id uuid, _subject_type text, _subject_id uuid, _action text, _actor text,
  _reason text default null, _details jsonb default '{}'::jsonb, _occurred_at timestamptz default clock_timestamp()
)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  _secret_change boolean;
  _fingerprint bytea;
begin
  select a.secret_change into _secret_change
  from mintid.audit_actions a
  where a.subject_type = _subject_type and a.action = _action;
  if _secret_change is null then
    raise exception 'mintid.record_audit: unregistered audit action %.%', _subject_type, _action
      using errcode = 'XX000', hint = 'Register it in mintid.audit_actions in the migration that adds it.';
  end if;
  if _secret_change then
    select sha256(convert_to(c.client_secret_hash, 'UTF8')) into _fingerprint
    from mintid.api_credentials c
    where c.id = _subject_id;
  end if;
  perform mintid.append_audit_record(gen_random_uuid(), _brand_id, _subject_type, _subject_id, _action, _actor,
    _reason, coalesce(_details, '{}'::jsonb), coalesce(_occurred_at, clock_timestamp()), _fingerprint);
end;
$$;
comment on function mintid.record_audit(uuid, text, uuid, text, text, text, jsonb, timestamptz) is
  'The one writer of the audit trail; call it last in the RPC''s transaction. Private.';
revoke all on function mintid.record_audit(uuid, text, uuid, text, text, text, jsonb, timestamptz) from public, anon, authenticated, service_role;

-- Round 1's events move into the trail, per brand in their order (occurred_at, then id), keeping
-- their ids. The fingerprint is only known for each credential's latest secret change (the hash
-- stored now); earlier secret changes stay without one.
do $$
declare
  _event record;
begin
  for _event in
    select e.*, c.client_secret_hash,
           e.action in ('created', 'rotated')
             and e.id = first_value(e.id) over (
               partition by e.credential_id, e.action in ('created', 'rotated')
               order by e.occurred_at desc, e.id desc) as latest_secret_change
    from mintid.api_credential_events e
    join mintid.api_credentials c on c.id = e.credential_id
    order by e.brand_id, e.occurred_at, e.id
  loop
    perform mintid.append_audit_record(_event.id, _event.brand_id, 'credential', _event.credential_id,
      _event.action::text, _event.actor, _event.reason, '{}'::jsonb, _event.occurred_at,
      case when _event.latest_secret_change then sha256(convert_to(_event.client_secret_hash, 'UTF8')) end);
  end loop;
end;
$$;

-- Round 1's writer, kept as a thin wrapper until nothing calls it. Private.
create or replace function mintid.record_event(
  _credential_id uuid, _brand_id uuid, _action mintid.credential_action, _actor text, _reason text,
  _occurred_at timestamptz
)
returns void
language sql
volatile
set search_path = ''
as $$
  select mintid.record_audit(_brand_id, 'credential', _credential_id, _action::text, _actor, _reason,
    '{}'::jsonb, _occurred_at);
$$;
comment on function mintid.record_event(uuid, uuid, mintid.credential_action, text, text, timestamptz) is
  'Round 1''s event writer: a wrapper of mintid.record_audit. Private.';
revoke all on function mintid.record_event(uuid, uuid, mintid.credential_action, text, text, timestamptz) from public, anon, authenticated, service_role;

drop table mintid.api_credential_events;
drop function mintid.refuse_event_change();

-- Lists a brand's credential events, newest first, optionally of one credential; the same
-- contract as round 1 (and the same cursors), read from the audit trail. Items add reason_code.
-- Callers: brand owner/admin (authenticated), service_role, SQL-console operators.
create or replace function public.list_api_credential_events(
  _brand_id uuid default null, _credential_id uuid default null, _limit int default 50, _cursor text default null
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
  perform mintid.assert_page_limit(_limit);
  _scope := jsonb_build_object('list', 'events', 'brand', _brand_id, 'credential', _credential_id);
  if _cursor is not null then
    select r.at, r.id into _after_at, _after_id from mintid.read_cursor(_cursor, _scope) r;
  end if;

  with page as (
    select e.id, e.credential_id, e.action, e.actor, e.reason, e.details, e.occurred_at
    from mintid.audit_records e
    where e.brand_id = _brand_id
      and e.credential_id is not null
      and (_credential_id is null or e.credential_id = _credential_id)
      and (_cursor is null or (e.occurred_at, e.id) < (_after_at, _after_id))
    order by e.occurred_at desc, e.id desc
    limit _limit + 1
  ), numbered as (
    select page.*, row_number() over (order by page.occurred_at desc, page.id desc) as n from page
  )
  select jsonb_build_object(
    'ok', true,
    'items', coalesce(jsonb_agg(jsonb_build_object(
        'id', n.id, 'credential_id', n.credential_id, 'action', n.action, 'actor', n.actor,
        'reason', n.reason, 'reason_code', n.details ->> 'reason_code', 'occurred_at', n.occurred_at
      ) order by n.n) filter (where n.n <= _limit), '[]'::jsonb),
    'next_cursor', case when count(*) > _limit
      then mintid.issue_cursor(_scope, max(n.occurred_at) filter (where n.n = _limit), (array_agg(n.id) filter (where n.n = _limit))[1])
    end
  ) into _page
  from numbered n;
  return _page;
end;
$$;
comment on function public.list_api_credential_events(uuid, uuid, int, text) is
  'Lists a brand''s credential events from the audit trail, newest first, keyset-paginated. Callers: brand owner/admin (authenticated), service_role, SQL-console operators.';
revoke all on function public.list_api_credential_events(uuid, uuid, int, text) from public, anon, authenticated, service_role;
grant execute on function public.list_api_credential_events(uuid, uuid, int, text) to authenticated, service_role;
