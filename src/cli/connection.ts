// The options and client every API command shares: where the API is and who is calling.
// Heavy modules (supabase-js, ws) load only when a command actually connects.
import { UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { hintInCliTerms, paramsAsFlags } from './cli-terms.js';
import { limitRule, refusalAsUsage, type InputRules } from './client-refusals.js';
import { EXIT } from './exit-codes.js';
import { DEFAULT_LOCAL_URL, localStackUrl } from './local-url.js';
import { PAGE_LIMIT_MAX } from '../client/limits.js';
import type { SupabaseClient } from '@supabase/supabase-js';

/** How to get the key, token and brand of the local stack, said when one of them is missing. */
export const LOCAL_KEYS_HINT =
  'For the local stack, run eval "$(npx mintid env)" in this terminal while `npm start` runs (in another one): ' +
  'it sets MINTID_KEY, MINTID_TOKEN and MINTID_BRAND_ID (the demo brand).';

/** --url, --key, --token, --json: the connection options of every API command. */
export const connectionOptions = {
  url: {
    type: 'string', value: 'url', env: 'MINTID_URL', defaultFrom: () => localStackUrl().url,
    default: `MINTID_PORT's or the running local stack's URL, else ${DEFAULT_LOCAL_URL}`,
    description: 'the API URL',
  },
  key: {
    type: 'string', value: 'key', env: 'MINTID_KEY', required: true, whenMissing: LOCAL_KEYS_HINT, description: 'the anon or service_role key',
  },
  token: {
    type: 'string', value: 'jwt', env: 'MINTID_TOKEN',
    description: "a signed-in user's access token; without it the key is the bearer",
  },
  json: { type: 'boolean', description: 'machine-readable output on stdout (errors as JSON on stderr)' },
} as const satisfies Record<string, OptionSpec>;

/** --brand: the brand every brand-scoped command needs. */
export const brandOption = {
  brand: {
    type: 'string', value: 'uuid', env: 'MINTID_BRAND_ID', required: true, whenMissing: LOCAL_KEYS_HINT, param: 'brandId',
    rule: 'must be a UUID', description: 'the brand',
  },
} as const satisfies Record<string, OptionSpec>;

export const EXIT_CODES_TEXT = `Exit codes: 0 ok, 1 unexpected, 2 usage (also a value refused before calling the server),
3 not authenticated, 4 forbidden, 5 invalid input, 6 conflict, 7 transport.

The keys, the demo brand and the demo admin's token of the local stack: eval "$(npx mintid env)"
(the demo owner's, who also manages members: eval "$(npx mintid env --as owner)").`;

/** --limit and --cursor of every paged list. */
export const pageOptions = {
  limit: { type: 'string', value: `1-${PAGE_LIMIT_MAX}`, rule: limitRule, description: 'items per page (default 50)' },
  cursor: { type: 'string', value: 'cursor', rule: 'must be a cursor a previous page printed (more: --cursor …)', description: 'the next_cursor of a previous page' },
} as const satisfies Record<string, OptionSpec>;

/** --all of the paged lists that follow next_cursor themselves (src/cli/list-output.ts `followPages`). */
export const allPagesOption = {
  all: { type: 'boolean', description: 'follow next_cursor to the last page' },
} as const satisfies Record<string, OptionSpec>;

/** How an action prints its result: the human text, or with --json the data (snake_case). */
export type Print = (human: string, json: unknown) => void;
export const printer = (json: boolean): Print => (human, data) => console.log(json ? JSON.stringify(snakeCase(data)) : human);

/** What an action may need beyond its client: the connection (e.g. to read the member list) and whether output is JSON. */
export interface ActionContext { supabase: SupabaseClient; json: boolean }

/** A supabase-js client for the connection options (Node 20 gets the `ws` WebSocket first). */
export async function connectSupabase(values: ParsedArgs['values']) {
  const url = values.url as string;
  try {
    new URL(url);
  } catch {
    throw new UsageError('--url (or MINTID_URL) must be a URL, e.g. http://127.0.0.1:54321');
  }
  await import('../node-websocket.js');
  const { createClient } = await import('@supabase/supabase-js');
  const token = values.token as string | undefined;
  const target = url.replace(/\/+$/, '');
  // Notes why a request got no answer, so the error says `cannot reach <url> (connection refused)`.
  const noting: typeof fetch = async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (error) {
      if ((error as Error)?.name !== 'AbortError') unreachable = { url: target, reason: transportCause(error) };
      throw error;
    }
  };
  return createClient(url, values.key as string, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { fetch: noting, ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}) },
  });
}

/** The last request that got no answer at all (set by connectSupabase's fetch). */
let unreachable: { url: string; reason: string } | null = null;

const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused', ENOTFOUND: 'host not found', EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset', EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out', UND_ERR_CONNECT_TIMEOUT: 'timed out', UND_ERR_SOCKET: 'connection closed',
};

/** `connection refused` for fetch's `TypeError: fetch failed` caused by ECONNREFUSED; else the cause's code or message. */
function transportCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })?.cause;
  const code = cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
  if (code) return CAUSES[code] ?? code;
  return cause?.message || (error as Error)?.message || String(error);
}

/** What every 401 from the CLI says: which token is needed and where to find it. */
export const NOT_AUTHENTICATED_MESSAGE =
  "Not authenticated: this needs a signed-in user's access token in MINTID_TOKEN (or --token) — " +
  "locally the demo admin token that `npm start` prints (or `npx mintid env`), on hosted Supabase a user's " +
  'access token (session.access_token) — or the service_role key as MINTID_KEY.';

export interface CliError { code: string; message: string; reason?: string | null; hint?: string | null; detail?: string | null }

/** Prints an error (JSON on stderr with --json) and returns its exit code. */
export function printError(json: boolean, exit: number, error: CliError): number {
  if (json) {
    console.error(JSON.stringify({
      error: { code: error.code, message: error.message, reason: error.reason ?? null, hint: error.hint ?? null, ...(error.detail ? { detail: error.detail } : {}) },
    }));
  } else {
    console.error(`mintid: ${error.message}${error.reason ? ` (${error.reason})` : ''}` +
      `${error.detail ? `\n  server said: ${error.detail}` : ''}${error.hint ? `\n  hint: ${error.hint}` : ''}`);
  }
  return exit;
}

/** The command whose error is reported: its options (to name flags) and the values given. */
export interface ErrorContext {
  options: Record<string, OptionSpec>;
  values: ParsedArgs['values'];
  /** Rules of parameters no flag carries (e.g. a secret's value, from standard input). */
  inputs?: InputRules;
}

/**
 * Turns anything a command throws into output and an exit code: the client's error classes by
 * their code, 401s with one message naming the token, and the client's own refusals (reason
 * `client_validation`: nothing was sent) as usage errors naming the flag and its rule. The
 * server's messages and hints are said with flags and CLI commands instead of parameters and RPCs.
 */
export async function reportError(json: boolean, error: unknown, context: ErrorContext): Promise<number> {
  if (error instanceof UsageError) throw error;
  const { MintIdError, InvalidInputError } = await import('../client/errors.js');
  if (error instanceof InvalidInputError && error.reason === 'client_validation') {
    throw refusalAsUsage(error.field, context.options, context.values, context.inputs);
  }
  if (error instanceof MintIdError && error.code === 'transport' && error.status === 0 && unreachable) {
    return printError(json, EXIT.transport, {
      code: 'transport', message: `cannot reach ${unreachable.url} (${unreachable.reason})`,
      hint: 'Is the stack running (npm start)? Else check --url or MINTID_URL.',
    });
  }
  if (error instanceof MintIdError) {
    if (error.code === 'not_authenticated') {
      return printError(json, EXIT.not_authenticated, {
        code: error.code, message: NOT_AUTHENTICATED_MESSAGE, reason: error.reason, hint: null, detail: error.message,
      });
    }
    // The database names its parameters (`_expires_at must be in the future`); say the flag.
    const message = error.code === 'invalid_input' ? paramsAsFlags(error.message, context.options) : error.message;
    const hint = error.hint === null ? null : hintInCliTerms(error.hint, context.options);
    return printError(json, EXIT[error.code], { code: error.code, message, reason: error.reason, hint });
  }
  return printError(json, EXIT.unexpected, { code: 'unexpected', message: (error as Error)?.message ?? String(error) });
}

const KEEP_AS_IS = new Set(['metadata', 'details']);

/** camelCase keys → snake_case, as the RPCs name them (user JSON such as metadata is left alone). */
export function snakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [
    key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
    KEEP_AS_IS.has(key) ? inner : snakeCase(inner),
  ]));
}
