-- One way to fail. Every rule of MintID Credentials raises through mintid.raise_error, which picks
-- an explicit SQLSTATE that PostgREST maps to the HTTP status of the contract:
--   not_authenticated -> PT401 -> 401      forbidden -> 42501 -> 403 (for any role but anon)
--   invalid_input     -> 22023 -> 400      conflict  -> PT409 -> 409
-- The message starts with the category, DETAIL carries a stable machine reason and HINT tells the
-- caller what to do. Callers never pass a submitted value into any of the three texts.

create type mintid.error_kind as enum ('not_authenticated', 'forbidden', 'invalid_input', 'conflict');

-- Raises the error of the given kind. Private: called by MintID helpers and RPCs only.
create function mintid.raise_error(_kind mintid.error_kind, _reason text, _message text, _hint text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  raise exception using
    errcode = case _kind
      when 'not_authenticated' then 'PT401'
      when 'forbidden' then '42501'
      when 'invalid_input' then '22023'
      when 'conflict' then 'PT409'
    end,
    message = case _kind
      when 'not_authenticated' then 'Not authenticated'
      when 'forbidden' then 'Forbidden'
      when 'invalid_input' then 'Invalid input'
      when 'conflict' then 'Conflict'
    end || ': ' || _message,
    detail = _reason,
    hint = _hint;
end;
$$;
comment on function mintid.raise_error(mintid.error_kind, text, text, text) is
  'Raises a MintID error with its SQLSTATE, category message, machine reason (DETAIL) and hint. Private helper.';
revoke all on function mintid.raise_error(mintid.error_kind, text, text, text) from public, anon, authenticated, service_role;
