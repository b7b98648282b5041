-- The input rules of a credential (SPEC §5), as private helpers shared by the RPCs (which call
-- them in contract order) and by the table guard (so the SQL console is held to the same rules).
-- Every failure raises 22023 'Invalid input: …' with a machine reason; no message ever contains
-- the submitted value.

-- Why an argon2id PHC string is unacceptable, or null when it is acceptable. Accepts exactly
-- $argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash> with unpadded canonical standard base64, a
-- 16–64 byte salt, a 32–64 byte hash and parameters inside the window that is both safe and
-- affordable to verify: 19456 <= m <= 65536, 1 <= t <= 4, 38912 <= m*t <= 196608, 1 <= p <= 4.
-- Private: used by mintid.assert_secret_hash.
create function mintid.argon2id_phc_problem(_phc text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  _parts text[];
  _m bigint;
  _t bigint;
  _p bigint;
  _salt bytea;
  _hash bytea;
begin
  if _phc is null then
    return 'hash_required';
  end if;
  if left(_phc, 10) <> '$argon2id$' then
    return 'hash_not_argon2id';
  end if;
  _parts := regexp_match(_phc,
    '^\$argon2id\$v=(0|[1-9][0-9]{0,8})\$m=(0|[1-9][0-9]{0,8}),t=(0|[1-9][0-9]{0,8}),p=(0|[1-9][0-9]{0,8})\$([^$]+)\$([^$]+)$');
  if _parts is null then
    return 'hash_malformed';
  end if;
  if _parts[1] <> '19' then
    return 'hash_version_unsupported';
  end if;
  _m := _parts[2]::bigint;
  _t := _parts[3]::bigint;
  _p := _parts[4]::bigint;
  if _m not between 19456 and 65536 or _t not between 1 and 4 or _m * _t not between 38912 and 196608
     or _p not between 1 and 4 then
    return 'hash_params_out_of_range';
  end if;
  _salt := mintid.decode_unpadded_base64(_parts[5]);
  _hash := mintid.decode_unpadded_base64(_parts[6]);
  if _salt is null or _hash is null then
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

-- Decodes unpadded, canonical standard base64 (the PHC format's B64), or null if it is not that.
-- Private: used by mintid.argon2id_phc_problem.
create function mintid.decode_unpadded_base64(_text text)
returns bytea
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  _bytes bytea;
begin
  if _text !~ '^[A-Za-z0-9+/]+$' or length(_text) % 4 = 1 then
    return null;
  end if;
  _bytes := decode(_text || repeat('=', (4 - length(_text) % 4) % 4), 'base64');
  -- Non-canonical trailing bits decode too; re-encoding must give back the same text.
  if translate(encode(_bytes, 'base64'), E'=\n', '') <> _text then
    return null;
  end if;
  return _bytes;
end;
$$;

comment on function mintid.argon2id_phc_problem(text) is
  'The machine reason an argon2id PHC string is refused, or null if it is acceptable. Private.';
comment on function mintid.decode_unpadded_base64(text) is
  'Decodes unpadded canonical standard base64, or returns null. Private.';
revoke all on function mintid.argon2id_phc_problem(text) from public, anon, authenticated, service_role;
revoke all on function mintid.decode_unpadded_base64(text) from public, anon, authenticated, service_role;

-- _name: present, 1–120 characters after trimming. Private.
create function mintid.assert_name(_name text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _name is null then
    perform mintid.raise_error('invalid_input', 'name_required', '_name is required', 'Give the credential a name.');
  elsif char_length(btrim(_name, E' \t\r\n')) not between 1 and 120 then
    perform mintid.raise_error('invalid_input', 'name_length', '_name must be 1 to 120 characters after trimming',
      'Use a short, descriptive name such as "ERP sync".');
  end if;
end;
$$;

-- _client_id: 3–128 characters of A-Z a-z 0-9 . _ - (case-sensitive). Private.
create function mintid.assert_client_id(_client_id text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _client_id is null then
    perform mintid.raise_error('invalid_input', 'client_id_required', '_client_id is required', 'Pass a client id.');
  elsif _client_id !~ '^[A-Za-z0-9._-]{3,128}$' then
    perform mintid.raise_error('invalid_input', 'client_id_invalid',
      '_client_id must be 3 to 128 characters of A-Z, a-z, 0-9, ".", "_" or "-"',
      'Generate the client id with the MintID client or CLI.');
  end if;
end;
$$;

-- A secret hash parameter: an acceptable argon2id PHC string (see argon2id_phc_problem). The
-- parameter name goes into the message, the value never does. Private.
create function mintid.assert_secret_hash(_hash text, _parameter text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  _problem text := mintid.argon2id_phc_problem(_hash);
begin
  if _problem = 'hash_required' then
    perform mintid.raise_error('invalid_input', _problem, _parameter || ' is required',
      'Hash the client secret with argon2id and send only the PHC string.');
  elsif _problem = 'hash_params_out_of_range' then
    perform mintid.raise_error('invalid_input', _problem,
      _parameter || ' has argon2id parameters outside the accepted window',
      'Use 19456 <= m <= 65536 KiB, 1 <= t <= 4, 38912 <= m*t <= 196608 and 1 <= p <= 4.');
  elsif _problem is not null then
    perform mintid.raise_error('invalid_input', _problem,
      _parameter || ' must be an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)',
      'Never send a plaintext secret: hash it with argon2id (16–64 byte salt, 32–64 byte hash) and send the PHC string.');
  end if;
end;
$$;

-- _scopes: 1–50 distinct entries, each 3–64 characters of resource:action. Private.
create function mintid.assert_scopes(_scopes text[])
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _scopes is null then
    perform mintid.raise_error('invalid_input', 'scopes_required', '_scopes is required',
      'Pass at least one scope, such as products:read.');
  elsif coalesce(array_ndims(_scopes), 1) <> 1 or cardinality(_scopes) not between 1 and 50 then
    perform mintid.raise_error('invalid_input', 'scopes_count', '_scopes must hold 1 to 50 scopes',
      'Pass a flat list of 1 to 50 scopes.');
  elsif exists (
    select 1 from unnest(_scopes) s
    where s is null or char_length(s) not between 3 and 64 or s !~ '^[a-z][a-z0-9_.-]*:[a-z][a-z0-9_.-]*$'
  ) then
    perform mintid.raise_error('invalid_input', 'scope_invalid',
      'every scope must be 3 to 64 characters of the form resource:action',
      'Use lower-case scopes such as products:read or orders.items:write.');
  elsif (select count(distinct s) from unnest(_scopes) s) <> cardinality(_scopes) then
    perform mintid.raise_error('invalid_input', 'scopes_not_distinct', '_scopes must not repeat a scope',
      'Remove the duplicate scopes.');
  end if;
end;
$$;

-- _metadata: a JSON object of at most 8192 bytes as text. Private.
create function mintid.assert_metadata(_metadata jsonb)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _metadata is null or jsonb_typeof(_metadata) <> 'object' then
    perform mintid.raise_error('invalid_input', 'metadata_not_object', '_metadata must be a JSON object',
      'Pass an object such as {"team": "erp"}, or omit it.');
  elsif octet_length(_metadata::text) > 8192 then
    perform mintid.raise_error('invalid_input', 'metadata_too_large', '_metadata must be at most 8192 bytes',
      'Keep metadata small; store large documents elsewhere and reference them.');
  end if;
end;
$$;

-- _expires_at: null or in the future. Private.
create function mintid.assert_expires_at(_expires_at timestamptz)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if _expires_at <= now() then
    perform mintid.raise_error('invalid_input', 'expires_at_not_future', '_expires_at must be in the future',
      'Pass a future timestamp with a time zone, or null for no expiry.');
  end if;
end;
$$;

-- _reason: present, 1–500 characters after trimming. Private.
create function mintid.assert_reason(_reason text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _reason is null then
    perform mintid.raise_error('invalid_input', 'reason_required', '_reason is required',
      'Say why, for the audit log.');
  elsif char_length(btrim(_reason, E' \t\r\n')) not between 1 and 500 then
    perform mintid.raise_error('invalid_input', 'reason_length', '_reason must be 1 to 500 characters after trimming',
      'Say briefly why, for the audit log.');
  end if;
end;
$$;

-- A uuid parameter that must be present. Private.
create function mintid.assert_present(_value uuid, _parameter text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if _value is null then
    perform mintid.raise_error('invalid_input', ltrim(_parameter, '_') || '_required', _parameter || ' is required',
      'Pass the id.');
  end if;
end;
$$;

comment on function mintid.assert_name(text) is 'Raises 400 unless _name is acceptable. Private.';
comment on function mintid.assert_client_id(text) is 'Raises 400 unless _client_id is acceptable. Private.';
comment on function mintid.assert_secret_hash(text, text) is 'Raises 400 unless the value is an acceptable argon2id PHC string. Private.';
comment on function mintid.assert_scopes(text[]) is 'Raises 400 unless _scopes is acceptable. Private.';
comment on function mintid.assert_metadata(jsonb) is 'Raises 400 unless _metadata is acceptable. Private.';
comment on function mintid.assert_expires_at(timestamptz) is 'Raises 400 unless _expires_at is null or future. Private.';
comment on function mintid.assert_reason(text) is 'Raises 400 unless _reason is acceptable. Private.';
comment on function mintid.assert_present(uuid, text) is 'Raises 400 when a required id is null. Private.';
revoke all on function mintid.assert_name(text) from public, anon, authenticated, service_role;
revoke all on function mintid.assert_client_id(text) from public, anon, authenticated, service_role;
revoke all on function mintid.assert_secret_hash(text, text) from public, anon, authenticated, service_role;
revoke all on function mintid.assert_scopes(text[]) from public, anon, authenticated, service_role;
revoke all on function mintid.assert_metadata(jsonb) from public, anon, authenticated, service_role;
revoke all on function mintid.assert_expires_at(timestamptz) from public, anon, authenticated, service_role;
revoke all on function mintid.assert_reason(text) from public, anon, authenticated, service_role;
revoke all on function mintid.assert_present(uuid, text) from public, anon, authenticated, service_role;
