// Response helpers shared by the token and JWKS handlers: JSON bodies, CORS, 405s.

/** CORS for browser callers. Tokens are bearer values in a body, never cookies: no credentials mode. */
export const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'WWW-Authenticate',
});

/** The answer to a CORS preflight for the given methods. */
export function preflight(methods: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...CORS_HEADERS,
      'Access-Control-Allow-Methods': methods,
      'Access-Control-Allow-Headers': 'authorization, content-type, apikey, x-client-info',
      'Access-Control-Max-Age': '86400',
      Allow: methods,
    },
  });
}

/** A JSON response with CORS headers. */
export function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json;charset=UTF-8', ...CORS_HEADERS, ...headers },
  });
}

/** A request body read within a byte limit, or why it was not. */
export type BoundedBody = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'unreadable' };

/**
 * Reads a request body as UTF-8 text, never holding more than `maxBytes` of it: a declared
 * Content-Length above the limit is refused before reading, and the stream is counted as it
 * arrives (chunked bodies, or a Content-Length that lies), cancelled at the first byte too many.
 */
export async function readBoundedText(req: Request, maxBytes: number): Promise<BoundedBody> {
  const declared = req.headers.get('content-length');
  if (declared !== null && (!/^\d{1,15}$/.test(declared.trim()) || Number(declared) > maxBytes)) {
    return /^\d+$/.test(declared.trim()) ? { ok: false, reason: 'too_large' } : { ok: false, reason: 'unreadable' };
  }
  if (req.body === null) return { ok: true, text: '' };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: 'too_large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { ok: true, text: new TextDecoder().decode(bytes) };
}
