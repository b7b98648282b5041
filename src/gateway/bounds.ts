/**
 * The gateway's bounds on what a request may make it hold or do (SPEC §15, docs/limits.md):
 * bodies are bounded before they are read, JSON nesting and the argument-name work are capped,
 * and no error text echoes more than a short, clipped piece of the input. PostgREST has none of
 * these (Supabase's infrastructure bounds bodies in front of it); they are deliberate additions.
 */
import { readBoundedText } from '../../supabase/functions/_shared/http.js';
import { pgrst } from './errors.js';

/** RPC request bodies: 1 MiB. */
export const MAX_RPC_BODY_BYTES = 1024 * 1024;
/** JSON nesting: a body nesting deeper than this is refused before it is parsed. */
export const MAX_JSON_DEPTH = 64;
/**
 * Argument names taken into account for the "Perhaps you meant" hint and echoed in a
 * PGRST202 message: a PostgreSQL function has at most 100 parameters (FUNC_MAX_ARGS), each
 * name at most 63 bytes (NAMEDATALEN − 1), so a request beyond that can match nothing anyway.
 */
const MAX_MATCHABLE_KEYS = 100;
export const MAX_KEY_LENGTH = 63;
/** Characters of caller-supplied text an error message may repeat. */
const MAX_ECHO_CHARS = 200;

/** Reads an RPC body within MAX_RPC_BODY_BYTES (413 PGRST102 beyond, whether or not Content-Length says so). */
export async function readRpcBody(req: Request): Promise<string> {
  const body = await readBoundedText(req, MAX_RPC_BODY_BYTES);
  if (body.ok) return body.text;
  if (body.reason === 'too_large') {
    throw pgrst(413, 'PGRST102', 'Request body too large', `The body exceeds ${MAX_RPC_BODY_BYTES} bytes.`,
      'Send at most 1 MiB of JSON per call.');
  }
  throw pgrst(400, 'PGRST102', 'Empty or invalid json');
}

/** True when the JSON text nests arrays/objects deeper than `max` (a linear scan, strings skipped). */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}

/** 400 PGRST102 for a body nesting deeper than MAX_JSON_DEPTH. */
export function assertJsonDepth(text: string): void {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw pgrst(400, 'PGRST102', 'Empty or invalid json', `The body nests deeper than ${MAX_JSON_DEPTH} levels.`,
      `Send JSON nested at most ${MAX_JSON_DEPTH} levels deep.`);
  }
}

/** Caller-supplied text as an error message may repeat it: at most `max` characters, then "…". */
export function clip(text: string, max = MAX_ECHO_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Whether argument names are few and short enough that any function could take them (hint work is worth doing). */
export function keysMatchable(keys: string[]): boolean {
  return keys.length <= MAX_MATCHABLE_KEYS && keys.every((k) => k.length <= MAX_KEY_LENGTH);
}

/** Sorted argument names for a PGRST202 message: at most MAX_MATCHABLE_KEYS names, each clipped, then a count. */
export function echoKeys(sorted: string[]): string {
  const shown = sorted.slice(0, MAX_MATCHABLE_KEYS).map((k) => clip(k, MAX_KEY_LENGTH)).join(', ');
  return sorted.length > MAX_MATCHABLE_KEYS ? `${shown}, … (${sorted.length - MAX_MATCHABLE_KEYS} more)` : shown;
}
