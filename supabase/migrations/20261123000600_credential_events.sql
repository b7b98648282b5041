-- The audit trail: one append-only event per successful create, rotate and revoke, written in the
-- same transaction as the change. Nothing updates or deletes an event, the owner included.

create type mintid.credential_action as enum ('created', 'rotated', 'revoked');

create table mintid.api_credential_events (
  id uuid primary key default gen_random_uuid(),
  credential_id uuid not null references mintid.api_credentials (id),
  brand_id uuid not null references mintid.brands (id),
  action mintid.credential_action not null,
  actor text not null,
  reason text,
  occurred_at timestamptz not null default now()
);
comment on table mintid.api_credential_events is
  'Append-only audit events. actor is the user id, ''service_role'', or the operator''s login.';
create index api_credential_events_brand_page_idx
  on mintid.api_credential_events (brand_id, occurred_at desc, id desc);
create index api_credential_events_credential_page_idx
  on mintid.api_credential_events (credential_id, occurred_at desc, id desc);

alter table mintid.api_credential_events enable row level security;
revoke all on mintid.api_credential_events from public, anon, authenticated, service_role;

-- Table rule for UPDATE, DELETE and TRUNCATE of events: always refused.
create function mintid.refuse_event_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform mintid.raise_error('conflict', 'event_immutable', 'credential events are append-only',
    'Events are the audit trail; record a new event instead.');
  return null;
end;
$$;
comment on function mintid.refuse_event_change() is 'Trigger: refuses UPDATE, DELETE and TRUNCATE of events. Private.';
revoke all on function mintid.refuse_event_change() from public, anon, authenticated, service_role;

create trigger refuse_event_update_delete
  before update or delete on mintid.api_credential_events
  for each row execute function mintid.refuse_event_change();
create trigger refuse_event_truncate
  before truncate on mintid.api_credential_events
  for each statement execute function mintid.refuse_event_change();
-- ALWAYS: also under session_replication_role = replica.
alter table mintid.api_credential_events enable always trigger refuse_event_update_delete;
alter table mintid.api_credential_events enable always trigger refuse_event_truncate;

-- Appends one event at the given time (the change's own time). Private: called by the credential
-- RPCs inside their transaction.
create function mintid.record_event(
  _credential_id uuid, _brand_id uuid, _action mintid.credential_action, _actor text, _reason text,
  _occurred_at timestamptz
)
returns void
language sql
set search_path = ''
as $$
  insert into mintid.api_credential_events (credential_id, brand_id, action, actor, reason, occurred_at)
  values (_credential_id, _brand_id, _action, _actor, _reason, _occurred_at);
$$;
comment on function mintid.record_event(uuid, uuid, mintid.credential_action, text, text, timestamptz) is
  'Appends one audit event. Private.';
revoke all on function mintid.record_event(uuid, uuid, mintid.credential_action, text, text, timestamptz) from public, anon, authenticated, service_role;
