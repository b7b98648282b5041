import { z } from 'zod';
import { authError, AuthReply } from './errors.js';

/** The largest request body the /auth/v1 routes read (their bodies are a few hundred bytes). */
export const AUTH_BODY_LIMIT_BYTES = 16 * 1024;

/** Reads the body as text, refusing (413) past the limit without reading further. */
async function readBounded(req: Request, limit: number): Promise<string> {
  const tooLarge = () => new AuthReply(authError(req, 413, 'validation_failed', `Request body is larger than ${limit} bytes`));
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function badJson(req: Request, reason: string): AuthReply {
  return new AuthReply(authError(req, 400, 'bad_json', `Could not parse request body as JSON: ${reason}`));
}

/** Go's name for a JSON value's type, as encoding/json reports a mismatch. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value === 'boolean' ? 'bool' : typeof value;
}

/** Go's name for the type a params field expects (zod's `expected`). */
const GO_TYPES: Record<string, string> = { string: 'string', record: 'map[string]interface {}' };

/**
 * Reads a JSON object body as Supabase Auth's `retrieveRequestParams` does (Go's encoding/json into
 * a params struct), checked with the route's zod schema: empty or malformed → 400 bad_json; `null`
 * → no fields; a field of the wrong type → 400 bad_json naming it as Go does; unknown fields are
 * ignored (the schemas are loose). `struct` is the Go params type named in the messages.
 */
export async function readParams<S extends z.ZodObject>(req: Request, struct: string, schema: S): Promise<z.infer<S>> {
  const text = await readBounded(req, AUTH_BODY_LIMIT_BYTES);
  if (text.trim() === '') throw badJson(req, 'unexpected end of JSON input');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badJson(req, 'invalid character in JSON input');
  }
  if (value === null) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badJson(req, `json: cannot unmarshal ${jsonKind(value)} into Go value of type api.${struct}`);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0]);
  const expected = GO_TYPES[(issue as { expected?: string }).expected ?? ''] ?? 'string';
  throw badJson(req, `json: cannot unmarshal ${jsonKind((value as Record<string, unknown>)[field])} into Go struct field ${struct}.${field} of type ${expected}`);
}
