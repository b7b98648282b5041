import { assertJsonDepth, clip, readRpcBody } from './bounds.js';
import { pgrst } from './errors.js';

/** An RPC request after PostgREST's parsing steps (POSTGREST.md §1.2 step 4), before lookup. */
export interface RpcRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'OPTIONS';
  name: string;
  schema: string;
  /** Content-Profile is echoed when a profile header was sent or several schemas are exposed. */
  echoProfile: boolean;
  /** Argument names used for overload resolution. */
  keys: string[];
  /** Arguments as a JSON object text (values typed for POST, strings for GET). */
  argsJson: string;
  /** The raw JSON body, for a function with a single unnamed json/jsonb parameter. */
  bodyJson: string;
  limit: number | undefined;
  offset: number;
}

const OPERATORS = 'eq|neq|gt|gte|lt|lte|like|ilike|match|imatch|in|is|isdistinct|fts|plfts|phfts|wfts|cs|cd|ov|sl|sr|nxr|nxl|adj';
const FILTER = new RegExp(`^(not\\.)?(${OPERATORS})(\\([^)]*\\))?\\.`);
const isReserved = (key: string) => ['select', 'columns', 'on_conflict'].includes(key)
  || ['order', 'limit', 'offset', 'and', 'or'].includes(key.split('.').at(-1)!);

/** The path after `/rest/v1`: `/rpc/<name>` is a call; anything else is a table (out of scope). */
export function parsePath(path: string): { rpc: string } | { table: string } {
  const segments = path.split('/').slice(1);
  try {
    if (segments[0] === 'rpc' && segments.length === 2 && segments[1] !== '') return { rpc: decodeURIComponent(segments[1]!) };
    if (segments.length === 1 && segments[0] !== '') return { table: decodeURIComponent(segments[0]!) };
  } catch {
    // an invalid percent-encoding is an invalid path
  }
  throw pgrst(404, 'PGRST125', 'Invalid path specified in request URL');
}

/** Accept-Profile (GET, HEAD, OPTIONS) or Content-Profile (others) must name an exposed schema. */
export function selectSchema(req: Request, schemas: string[]): { schema: string; echoProfile: boolean } {
  const header = ['GET', 'HEAD', 'OPTIONS'].includes(req.method) ? 'accept-profile' : 'content-profile';
  const requested = req.headers.get(header);
  if (requested === null) return { schema: schemas[0]!, echoProfile: schemas.length > 1 };
  if (!schemas.includes(requested)) {
    throw pgrst(406, 'PGRST106', `Invalid schema: ${clip(requested)}`, null, `Only the following schemas are exposed: ${schemas.join(', ')}`);
  }
  return { schema: requested, echoProfile: true };
}

function nonNegative(key: string, value: string): number {
  if (!/^\d+$/.test(value)) throw pgrst(400, 'PGRST100', `"failed to parse ${key} parameter (${clip(value)})" (line 1, column 1)`);
  return Number(value);
}

/** Whether a parsed JSON value holds U+0000 in any string or key. */
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, inner]) => key.includes('\0') || containsNul(inner));
  }
  return false;
}

/** Reads the JSON body as PostgREST does for RPC: `{}` when empty, first element of a uniform array. */
function parseBody(req: Request, text: string): { args: Record<string, unknown>; raw: string } {
  const type = (req.headers.get('content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && type !== '*/*') throw pgrst(400, 'PGRST102', `Content-Type not acceptable: ${clip(type)}`);
  if (text.trim() === '') return { args: {}, raw: '{}' };
  assertJsonDepth(text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw pgrst(400, 'PGRST102', 'Empty or invalid json');
  }
  // PostgreSQL refuses \u0000 in text with 22P05 and writes the JSON around it (a secret value,
  // say) into its log as the error's CONTEXT. Answer its error here, before the body reaches it.
  if (text.includes('\\u0000') && containsNul(body)) {
    throw pgrst(400, '22P05', 'unsupported Unicode escape sequence', '\\u0000 cannot be converted to text.');
  }
  if (Array.isArray(body)) {
    if (!body.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
      throw pgrst(400, 'PGRST102', 'All object keys must match');
    }
    const first = body[0] ? Object.keys(body[0]).sort().join('\0') : '';
    if (body.some((item) => Object.keys(item).sort().join('\0') !== first)) throw pgrst(400, 'PGRST102', 'All object keys must match');
    return { args: (body[0] as Record<string, unknown> | undefined) ?? {}, raw: text };
  }
  if (typeof body === 'object' && body !== null) return { args: body as Record<string, unknown>, raw: text };
  return { args: {}, raw: text };
}

/**
 * Query string and body of an RPC call: GET/HEAD/OPTIONS take arguments from the query string
 * (values that look like `op.value` are filters), POST from the JSON body. `apikey` is the
 * gateway's, never an argument. Filters, `select` columns and `order` are not supported.
 */
export async function parseRpcRequest(req: Request, name: string, profile: { schema: string; echoProfile: boolean }): Promise<RpcRequest> {
  const method = req.method as RpcRequest['method'];
  const url = new URL(req.url);
  const args: Record<string, unknown> = {};
  let limit: number | undefined;
  let offset = 0;
  let columns: string[] | undefined;
  for (const [key, value] of url.searchParams) {
    if (key === 'apikey') continue;
    if (isReserved(key)) {
      if (key === 'limit') limit = nonNegative('limit', value);
      else if (key === 'offset') offset = nonNegative('offset', value);
      else if (key === 'columns') columns = value.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
      else if (!(key === 'select' && value.trim() === '*')) {
        throw pgrst(400, 'PGRST100', `"failed to parse ${clip(key)} parameter (${clip(value)})" (line 1, column 1)`, `${clip(key)} is not supported on RPC by this gateway`);
      }
    } else if (method !== 'POST' && !FILTER.test(value)) {
      args[key] = value;
    } else {
      throw pgrst(400, 'PGRST100', `"failed to parse filter (${clip(value)})" (line 1, column 1)`,
        FILTER.test(value) ? 'filters on RPC results are not supported by this gateway' : 'unexpected end of input expecting operator');
    }
  }
  let bodyJson = '{}';
  if (method === 'POST') {
    const body = parseBody(req, await readRpcBody(req));
    bodyJson = body.raw;
    for (const [key, value] of Object.entries(body.args)) if (!columns || columns.includes(key)) args[key] = value;
  }
  return { method, name, ...profile, keys: Object.keys(args), argsJson: JSON.stringify(args), bodyJson, limit, offset };
}

/** Which representation the client accepts: a JSON array/value, or a single object (PGRST107 otherwise). */
export function negotiate(accept: string | null): 'json' | 'object' {
  if (accept === null || accept.trim() === '') return 'json';
  const types = accept.split(',').map((part, index) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    return { type: type!.toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
  }).filter((t) => t.type !== '');
  types.sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { type, q } of types) {
    if (q === 0) continue;
    if (['application/json', '*/*', 'application/*'].includes(type)) return 'json';
    if (type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object') return 'object';
  }
  throw pgrst(406, 'PGRST107', `None of these media types are available: ${types.map((t) => t.type).join(', ')}`);
}

/** The `Prefer` preferences that matter for RPC; PGRST122 for invalid ones under handling=strict. */
export function parsePrefer(headers: Headers): { count: boolean; applied: string[] } {
  const values = (headers.get('prefer') ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  const valid = /^(return=(minimal|headers-only|representation)|count=(exact|planned|estimated)|resolution=(merge|ignore)-duplicates|missing=(default|null)|handling=(lenient|strict)|tx=(commit|rollback)|timezone=.+|max-affected=\d+)$/;
  const invalid = values.filter((v) => !valid.test(v));
  const strict = values.includes('handling=strict');
  if (strict && invalid.length > 0) {
    throw pgrst(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${invalid.join(', ')}`);
  }
  const count = values.find((v) => v.startsWith('count='));
  return {
    count: count === 'count=exact' || count === 'count=estimated',
    applied: [...(count && count !== 'count=planned' ? [count] : []), ...(strict ? ['handling=strict'] : [])],
  };
}
