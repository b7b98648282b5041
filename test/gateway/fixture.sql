-- The gateway conformance fixture: one function per behaviour of POSTGREST.md the tests pin.
-- Applied by a superuser into a fresh test database; exposed as schema `test_api`.

create schema test_api;
grant usage on schema test_api to anon, authenticated, service_role;

create type test_api.pair as (x int, y text);
create table test_api.log (id bigint generated always as identity primary key, label text not null);
grant select, insert on test_api.log to anon, authenticated, service_role;
create sequence test_api.counter;
grant usage on sequence test_api.counter to anon, authenticated, service_role;

-- A role the authenticator may not switch to (not granted to it).
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'gateway_outsider') then create role gateway_outsider nologin; end if;
end $$;

-- Scalars, defaults, sets, composites, void.
create function test_api.hello(name text default 'world') returns text language sql stable as $$ select 'Hello, ' || name $$;
create function test_api.add(a int, b int) returns int language sql immutable as $$ select a + b $$;
create function test_api.no_args() returns int language sql immutable as $$ select 42 $$;
create function test_api.with_defaults(a int, b int default 10, c text default 'x') returns text
  language sql immutable as $$ select a || '/' || b || '/' || c $$;
create function test_api.null_value() returns text language sql immutable as $$ select null::text $$;
create function test_api.json_value() returns jsonb language sql immutable as $$ select '{"a": 1, "b": [true, null]}'::jsonb $$;
create function test_api.numbers(n int) returns setof int language sql immutable as $$ select generate_series(1, n) $$;
create function test_api.items(n int) returns table (id int, label text) language sql immutable
  as $$ select i, 'item ' || i from generate_series(1, n) i $$;
create function test_api.pair_of(x int, y text) returns test_api.pair language sql immutable as $$ select (x, y)::test_api.pair $$;
create function test_api.out_params(a int, out doubled int, out squared int) language sql immutable as $$ select a * 2, a * a $$;
create function test_api.do_nothing() returns void language sql volatile as $$ select $$;
create function test_api.array_sum(xs int[]) returns int language sql immutable as $$ select coalesce(sum(x), 0)::int from unnest(xs) x $$;

-- Overloads: resolvable by names, and ambiguous (same name and parameter names).
create function test_api.overloaded(a int) returns text language sql immutable as $$ select 'int ' || a $$;
create function test_api.overloaded(b text) returns text language sql immutable as $$ select 'text ' || b $$;
create function test_api.ambiguous(a int) returns text language sql immutable as $$ select 'int' $$;
create function test_api.ambiguous(a text) returns text language sql immutable as $$ select 'text' $$;

-- The single-unnamed-json fallback, and a single *named* json parameter that does not get it.
create function test_api.raw_json(json) returns json language sql immutable as $$ select $1 $$;
create function test_api.named_json(data json) returns json language sql immutable as $$ select data $$;

-- Writers: STABLE via nextval (fails read-only), STABLE with an INSERT (PostgreSQL refuses), VOLATILE.
create function test_api.stable_counter() returns bigint language sql stable as $$ select nextval('test_api.counter') $$;
create function test_api.stable_insert() returns int language plpgsql stable as $$
begin
  insert into test_api.log (label) values ('stable');
  return 1;
end $$;
create function test_api.volatile_writer(label text default 'written') returns bigint language sql volatile
  as $$ insert into test_api.log (label) values (label) returning id $$;
create function test_api.log_count(label text) returns bigint language sql stable
  as $$ select count(*) from test_api.log l where l.label = log_count.label $$;
create function test_api.set_singular(n int) returns setof int language sql volatile as $$
  insert into test_api.log (label) values ('singular ' || n);
  select generate_series(1, n);
$$;

-- What the transaction looks like from inside.
create function test_api.request_info() returns jsonb language sql volatile as $$
  select jsonb_build_object(
    'method', current_setting('request.method', true),
    'path', current_setting('request.path', true),
    'headers', current_setting('request.headers', true)::jsonb,
    'cookies', current_setting('request.cookies', true)::jsonb,
    'claims', current_setting('request.jwt.claims', true)::jsonb,
    'search_path', current_setting('search_path'),
    'role', current_user,
    'read_only', current_setting('transaction_read_only'),
    'isolation', current_setting('transaction_isolation'),
    'statement_timeout', current_setting('statement_timeout'))
$$;
create function test_api.read_only_stable() returns text language sql stable as $$ select current_setting('transaction_read_only') $$;
create function test_api.read_only_volatile() returns text language sql volatile as $$ select current_setting('transaction_read_only') $$;
create function test_api.serializable_fn() returns text language sql volatile
  set default_transaction_isolation = 'serializable' as $$ select current_setting('transaction_isolation') $$;

-- Identity: a definer reading the caller's claims; a function only `authenticated` may execute.
create function test_api.whoami() returns jsonb language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('uid', auth.uid(), 'role', auth.role())
$$;
create function test_api.members_only() returns text language sql stable as $$ select 'welcome' $$;
revoke all on function test_api.members_only() from public, anon;
grant execute on function test_api.members_only() to authenticated;

-- Errors.
create function test_api.raise_sqlstate(code text) returns void language plpgsql as $$
begin
  raise exception using errcode = code, message = 'raised ' || code, detail = 'detail of ' || code, hint = 'hint of ' || code;
end $$;
create function test_api.raise_message(message text) returns void language plpgsql as $$
begin
  raise exception using errcode = '22023', message = message;
end $$;
create function test_api.raise_plain() returns void language plpgsql as $$
begin
  raise exception 'Disabled ID --> 3' using hint = 'Please contact administrator';
end $$;
create function test_api.raise_pt402() returns void language plpgsql as $$
begin
  raise sqlstate 'PT402' using message = 'Payment Required', detail = 'Quota exceeded', hint = 'Upgrade your plan';
end $$;
create function test_api.raise_pt40a() returns void language plpgsql as $$
begin
  raise sqlstate 'PT40A' using message = 'Wrong';
end $$;
create function test_api.raise_pgrst(kind text default 'valid') returns void language plpgsql as $$
begin
  if kind = 'valid' then
    raise sqlstate 'PGRST' using message = '{"code":"123","message":"ABC","details":"DEF","hint":"XYZ"}',
      detail = '{"status":332,"status_text":"My Custom Status","headers":{"X-Header":"str"}}';
  elsif kind = 'bad_message' then
    raise sqlstate 'PGRST' using message = 'INVALID', detail = '{"status":400,"headers":{}}';
  elsif kind = 'bad_detail' then
    raise sqlstate 'PGRST' using message = '{"code":"123","message":"ABC"}', detail = 'INVALID';
  else
    raise sqlstate 'PGRST' using message = '{"code":"123","message":"ABC"}';
  end if;
end $$;
create function test_api.response_gucs(status text default '202') returns text language sql volatile as $$
  select set_config('response.status', status, true)
      || set_config('response.headers', '[{"X-Custom":"yes"},{"Cache-Control":"no-store"}]', true)
$$;
create function test_api.bad_response_headers() returns text language sql volatile as $$
  select set_config('response.headers', '{"not":"an array"}', true)
$$;

grant execute on all functions in schema test_api to anon, authenticated, service_role;
revoke execute on function test_api.members_only() from anon;
