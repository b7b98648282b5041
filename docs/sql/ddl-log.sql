-- MintID Credentials: a DDL log the migrations' owner cannot edit (docs/tamper-evidence.md).
-- Run it as a SUPERUSER (not as the role that owns the mintid schema), once per database:
--   psql "$SUPERUSER_DATABASE_URL" -f docs/sql/ddl-log.sql
-- Every DDL command and every drop touching the schemas mintid and public is recorded in
-- mintid_ddl_log.entries (readable by the superuser; the owner has no privilege on it) and as a
-- LOG line in the server log. Statement texts are not kept (they could carry a value); the
-- command tag, the object and the login are.
-- Not a migration: it needs a superuser, and the owner must not own it (an owner could drop it).

create schema if not exists mintid_ddl_log;
revoke all on schema mintid_ddl_log from public;

create table if not exists mintid_ddl_log.entries (
  id bigint generated always as identity primary key,
  at timestamptz not null default clock_timestamp(),
  login text not null default session_user,
  -- the role switched to with SET ROLE (the definer's current_user would hide it), else the login
  role text not null default coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user),
  command_tag text not null,
  object_type text,
  object_identity text
);
revoke all on mintid_ddl_log.entries from public;

create or replace function mintid_ddl_log.record_ddl()
returns event_trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  _c record;
begin
  for _c in select * from pg_catalog.pg_event_trigger_ddl_commands() loop
    if _c.schema_name in ('mintid', 'public') then
      insert into mintid_ddl_log.entries (command_tag, object_type, object_identity)
      values (_c.command_tag, _c.object_type, _c.object_identity);
      raise log 'mintid ddl: % % % by %', _c.command_tag, _c.object_type, _c.object_identity, session_user;
    end if;
  end loop;
end;
$$;
revoke all on function mintid_ddl_log.record_ddl() from public;

create or replace function mintid_ddl_log.record_drop()
returns event_trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  _o record;
begin
  for _o in select * from pg_catalog.pg_event_trigger_dropped_objects() loop
    if _o.schema_name in ('mintid', 'public') then
      insert into mintid_ddl_log.entries (command_tag, object_type, object_identity)
      values (tg_tag, _o.object_type, _o.object_identity);
      raise log 'mintid ddl: % % % by %', tg_tag, _o.object_type, _o.object_identity, session_user;
    end if;
  end loop;
end;
$$;
revoke all on function mintid_ddl_log.record_drop() from public;

drop event trigger if exists mintid_ddl_log_ddl;
drop event trigger if exists mintid_ddl_log_drop;
create event trigger mintid_ddl_log_ddl on ddl_command_end execute function mintid_ddl_log.record_ddl();
create event trigger mintid_ddl_log_drop on sql_drop execute function mintid_ddl_log.record_drop();
-- ALWAYS: also under session_replication_role = replica.
alter event trigger mintid_ddl_log_ddl enable always;
alter event trigger mintid_ddl_log_drop enable always;
