import type { EdgeFunction } from './options.js';

/** Supabase's answer for a function that is not deployed. */
export function functionNotFound(): Response {
  const text = JSON.stringify({ code: 'NOT_FOUND', message: 'Requested function was not found' });
  return new Response(text, { status: 404, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
}

/** A handler that threw: the edge runtime's generic 500, without the error's text (it may hold secrets). */
function functionFailed(): Response {
  const text = JSON.stringify({ code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' });
  return new Response(text, { status: 500, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
}

/** The function name of a `/functions/v1/<name>[/…]` path, or undefined. */
export function functionName(pathname: string): string | undefined {
  const match = /^\/functions\/v1\/([^/]+)/.exec(pathname);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
}

/**
 * The mount point for edge functions: a name → handler registry. Which functions need a
 * Supabase JWT is the caller's decision (`verifyJwt`), enforced before the handler runs by
 * `guard`, which answers the refusal or hands back the request to forward (Authorization added
 * from the apikey as Kong does).
 */
export function createFunctionsHandler(
  functions: Record<string, EdgeFunction>,
  guard: (req: Request) => Promise<Request | Response>,
): (req: Request) => Promise<Response> {
  const registry = new Map(Object.entries(functions));
  return async (req) => {
    const name = functionName(new URL(req.url).pathname);
    const fn = name === undefined ? undefined : registry.get(name);
    if (!fn) return functionNotFound();
    let forwarded = req;
    if (fn.verifyJwt) {
      const checked = await guard(req);
      if (checked instanceof Response) return checked;
      forwarded = checked;
    }
    try {
      return await fn.handler(forwarded);
    } catch (error) {
      console.error(`edge function ${name} failed: ${(error as Error)?.name ?? 'error'}`);
      return functionFailed();
    }
  };
}
