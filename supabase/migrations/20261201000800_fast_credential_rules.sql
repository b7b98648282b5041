-- The same credential rules (SPEC §5, §6), at a fraction of the cost (issue 9). Applied last, so
-- it replaces private helpers only; every RPC keeps its newest definition from the migrations
-- before it. Measured with `npm run bench` (RPC vs minimal SQL) and docs/performance.md:
--   * the argon2id PHC check parsed with string_to_array/ltrim instead of one regexp_match with
--     four bounded repetitions and two [^$]+ groups (~0.5 ms per call on the development box,
--     paid twice per rotate and create: by the RPC and by the table guard);
--   * its unpadded-base64 check inlined, without a regex (mintid.decode_unpadded_base64 stays as it was);
--   * _client_id and _scopes checked without regexes or queries (one pass, then distinctness);
--   * the table guard validates on UPDATE only the columns the UPDATE changed (an unchanged value
--     was validated by this guard when it was written); INSERT still validates every column.
-- Answers (reasons, messages, order of checks) are unchanged; test/database/ holds them.

-- Why an argon2id PHC string is unacceptable, or null when it is acceptable. Accepts exactly
-- $argon2id$v=<n>$m=<n>,t=<n>,p=<n>$<salt>$<hash>, each <n> 0 or 1–9 digits without a leading
-- zero (the former regex's rule), version 19, unpadded canonical standard base64, a 16–64 byte
-- salt, a 32–64 byte hash and 19456 <= m <= 65536, 1 <= t <= 4, 38912 <= m*t <= 196608,
-- 1 <= p <= 4. Private: used by mintid.assert_secret_hash.
create or replace function mintid.argon2id_phc_problem(_phc text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  _digits constant text := '0123456789';
  _b64 constant text := 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  _parts text[];
  _params text[];
  _n text[];
  _salt bytea;
  _hash bytea;
begin
  if _phc is null then
    return 'hash_required';
  end if;
  if left(_phc, 10) <> '$argon2id$' then
    return 'hash_not_argon2id';
  end if;
  -- '', 'argon2id', 'v=…', 'm=…,t=…,p=…', salt, hash: no '$' inside a part, none empty.
  _parts := string_to_array(_phc, '$');
  if cardinality(_parts) <> 6 or _parts[5] = '' or _parts[6] = '' or left(_parts[3], 2) <> 'v=' then
    return 'hash_malformed';
  end if;
  _params := string_to_array(_parts[4], ',');
  if cardinality(_params) <> 3 or left(_params[1], 2) <> 'm=' or left(_params[2], 2) <> 't=' or left(_params[3], 2) <> 'p=' then
    return 'hash_malformed';
  end if;
  -- v, m, t, p: each 0 or 1–9 digits without a leading zero.
  _n := array[substr(_parts[3], 3), substr(_params[1], 3), substr(_params[2], 3), substr(_params[3], 3)];
  for _i in 1..4 loop
    if _n[_i] = '' or length(_n[_i]) > 9 or ltrim(_n[_i], _digits) <> '' or (left(_n[_i], 1) = '0' and _n[_i] <> '0') then
      return 'hash_malformed';
    end if;
  end loop;
  if _n[1] <> '19' then
    return 'hash_version_unsupported';
  end if;
  if _n[2]::int not between 19456 and 65536 or _n[3]::int not between 1 and 4
     or _n[2]::bigint * _n[3]::bigint not between 38912 and 196608 or _n[4]::int not between 1 and 4 then
    return 'hash_params_out_of_range';
  end if;
  -- Unpadded canonical base64 (mintid.decode_unpadded_base64's rule, inlined): the alphabet only,
  -- a possible length, and re-encoding gives back the same text (no stray trailing bits).
  if length(_parts[5]) % 4 = 1 or length(_parts[6]) % 4 = 1
     or ltrim(_parts[5], _b64) <> '' or ltrim(_parts[6], _b64) <> '' then
    return 'hash_base64_invalid';
  end if;
  _salt := decode(_parts[5] || repeat('=', (4 - length(_parts[5]) % 4) % 4), 'base64');
  _hash := decode(_parts[6] || repeat('=', (4 - length(_parts[6]) % 4) % 4), 'base64');
  if translate(encode(_salt, 'base64'), E'=\n', '') <> _parts[5] or translate(encode(_hash, 'base64'), E'=\n', '') <> _parts[6] then
    return 'hash_base64_invalid';
  end if;
  if octet_length(_salt) not between 16 and 64 then
    return 'hash_salt_length';
  end if;
  if octet_length(_hash) not between 32 and 64 then
    return 'hash_length';
  end if;
  return null;
end;
$$;
comment on function mintid.argon2id_phc_problem(text) is
  'The machine reason an argon2id PHC string is refused, or null if it is acceptable (no regex). Private.';

-- _client_id: 3–128 characters of A-Z a-z 0-9 . _ - (case-sensitive), checked without a regex. Private.
create or replace function mintid.assert_client_id(_client_id text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _client_id is null then
    perform mintid.raise_error('invalid_input', 'client_id_required', '_client_id is required', 'Pass a client id.');
  elsif char_length(_client_id) not between 3 and 128
     or ltrim(_client_id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-') <> '' then
    perform mintid.raise_error('invalid_input', 'client_id_invalid',
      '_client_id must be 3 to 128 characters of A-Z, a-z, 0-9, ".", "_" or "-"',
      'Generate the client id with the MintID client or CLI.');
  end if;
end;
$$;

-- _scopes: 1–50 distinct entries, each 3–64 characters of resource:action, i.e.
-- ^[a-z][a-z0-9_.-]*:[a-z][a-z0-9_.-]*$ — checked in one pass without queries or regexes, then
-- distinctness. Private.
create or replace function mintid.assert_scopes(_scopes text[])
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  _lower constant text := 'abcdefghijklmnopqrstuvwxyz';
  _rest constant text := 'abcdefghijklmnopqrstuvwxyz0123456789_.-';
  _scope text;
  _colon int;
begin
  if _scopes is null then
    perform mintid.raise_error('invalid_input', 'scopes_required', '_scopes is required',
      'Pass at least one scope, such as products:read.');
  elsif coalesce(array_ndims(_scopes), 1) <> 1 or cardinality(_scopes) not between 1 and 50 then
    perform mintid.raise_error('invalid_input', 'scopes_count', '_scopes must hold 1 to 50 scopes',
      'Pass a flat list of 1 to 50 scopes.');
  end if;
  foreach _scope in array _scopes loop
    _colon := strpos(_scope, ':');
    -- Exactly one colon (neither part may hold one), both parts start with a-z, the rest a-z 0-9 _ . -.
    if _scope is null or char_length(_scope) not between 3 and 64 or _colon < 2 or _colon = char_length(_scope)
       or strpos(_lower, left(_scope, 1)) = 0 or strpos(_lower, substr(_scope, _colon + 1, 1)) = 0
       or ltrim(substr(_scope, 1, _colon - 1), _rest) <> '' or ltrim(substr(_scope, _colon + 1), _rest) <> '' then
      perform mintid.raise_error('invalid_input', 'scope_invalid',
        'every scope must be 3 to 64 characters of the form resource:action',
        'Use lower-case scopes such as products:read or orders.items:write.');
    end if;
  end loop;
  for _i in 2..cardinality(_scopes) loop
    if _scopes[_i] = any (_scopes[1:_i - 1]) then
      perform mintid.raise_error('invalid_input', 'scopes_not_distinct', '_scopes must not repeat a scope',
        'Remove the duplicate scopes.');
    end if;
  end loop;
end;
$$;

-- Table rule for INSERT and UPDATE. Fires for every writer, including the table owner. INSERT
-- validates every column; UPDATE validates the columns it changes (the others were validated
-- when they were written) and always the rules that tie columns together.
create or replace function mintid.guard_api_credential()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  _insert boolean := tg_op = 'INSERT';
begin
  if not _insert then
    if old.revoked_at is not null then
      perform mintid.raise_error('conflict', 'credential_revoked', 'a revoked credential never changes again',
        'Create a new credential instead.');
    end if;
    if new.id <> old.id or new.brand_id <> old.brand_id or new.client_id <> old.client_id
       or new.created_at <> old.created_at or new.created_by <> old.created_by then
      perform mintid.raise_error('conflict', 'credential_identity_immutable',
        'id, brand_id, client_id, created_at and created_by never change', 'Create a new credential instead.');
    end if;
  end if;
  if new.brand_id is null then
    perform mintid.raise_error('invalid_input', 'brand_id_required', 'brand_id is required', 'Pass the brand''s id.');
  end if;
  if new.id is null or new.created_at is null or new.created_by is null then
    perform mintid.raise_error('invalid_input', 'credential_row_incomplete', 'id, created_at and created_by are required',
      'Create credentials with public.create_api_credential_record.');
  end if;
  if _insert or new.name is distinct from old.name then
    perform mintid.assert_name(new.name);
  end if;
  if _insert or new.client_id is distinct from old.client_id then
    perform mintid.assert_client_id(new.client_id);
  end if;
  if _insert or new.client_secret_hash is distinct from old.client_secret_hash then
    perform mintid.assert_secret_hash(new.client_secret_hash, 'client_secret_hash');
  end if;
  if _insert or new.scopes is distinct from old.scopes then
    perform mintid.assert_scopes(new.scopes);
  end if;
  if _insert or new.metadata is distinct from old.metadata then
    perform mintid.assert_metadata(new.metadata);
  end if;
  if (new.secret_rotated_at is null) <> (new.secret_rotated_by is null) then
    perform mintid.raise_error('invalid_input', 'rotation_incomplete',
      'secret_rotated_at and secret_rotated_by are set together', 'Rotate with public.rotate_api_credential_secret_record.');
  end if;
  if new.revoked_at is not null or new.revoked_by is not null or new.revocation_reason is not null then
    if new.revoked_at is null or new.revoked_by is null then
      perform mintid.raise_error('invalid_input', 'revocation_incomplete',
        'revoked_at, revoked_by and revocation_reason are set together', 'Revoke with public.revoke_api_credential_record.');
    end if;
    perform mintid.assert_reason(new.revocation_reason);
  end if;
  return new;
end;
$$;
comment on function mintid.guard_api_credential() is
  'Trigger: validates credential rows (UPDATE: the changed columns) and refuses changes to revoked rows and identity columns. Private.';
