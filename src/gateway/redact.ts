/**
 * What the gateway keeps out of PostgreSQL's error texts before answering (a deliberate deviation
 * from PostgREST, which passes them through verbatim — docs/rpc-deviations.md):
 *
 * - data exceptions (SQLSTATE class 22) that PostgreSQL raises while reading a value — above all
 *   while binding the JSON arguments to the parameter types, before the function runs
 *   (`invalid input syntax for type uuid: "<the value>"`) — keep their code and category, lose
 *   the value: the message is cut before it, DETAIL (which may quote it too) is dropped, and the
 *   hint says why. The submitted value might be a secret pasted into the wrong field.
 * - a constraint violation's DETAIL `Failing row contains (…)` prints a whole row: dropped.
 *
 * 22023 is untouched: MintID's own `Invalid input: …` (mintid.raise_error) and PostgreSQL's
 * `role "…" does not exist` (the JWT's role, not a submitted argument) use it.
 */

export interface PgErrorText {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

const CAST_HINT = 'An argument could not be read as its parameter\'s type (see the API reference for the types). '
  + 'The submitted value is not repeated in this answer.';

/** The message without the value: `…: "value"` cut, `value "…" is out of range` and `"…" not recognized` generalised. */
function withoutValue(message: string): string {
  const outOfRange = /^value ".*" is out of range for type (.+)$/s.exec(message);
  if (outOfRange) return `value out of range for type ${outOfRange[1]}`;
  const cut = message.indexOf(': "');
  let text = cut >= 0 ? message.slice(0, cut) : message;
  if (text.includes('"')) text = text.replace(/ ".*"/s, '');
  // Still holding something that may be input (a quote, a byte dump)? Say only what kind of error.
  if (/["\\]|0x[0-9a-f]/i.test(text) || text.length > 120) return 'invalid input value';
  return text;
}

/** Whether PostgreSQL raised it while running a function's body (then the function chose its text). */
const insideFunction = (where: string | null) => where !== null && /(PL\/pgSQL|SQL) function /.test(where);

/**
 * The error text the gateway answers for a PostgreSQL error. `where` is the error's CONTEXT: an
 * error a function raises itself (RAISE, or a failing statement in its body) passes unchanged,
 * as PostgREST passes it; one raised outside any function body — binding the arguments — is
 * redacted.
 */
export function redactDatabaseError(error: PgErrorText, where: string | null = null): PgErrorText {
  if (error.code.startsWith('22') && error.code !== '22023' && !insideFunction(where)) {
    return { code: error.code, message: withoutValue(error.message), details: null, hint: CAST_HINT };
  }
  if (error.code.startsWith('23') && error.details?.startsWith('Failing row contains')) {
    return { ...error, details: null };
  }
  return error;
}
