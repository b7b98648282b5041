/**
 * `X-Forwarded-For` as a proxy in front of the edge functions sets it: the address of the socket
 * the request came in on, replacing whatever the client sent (a client-chosen value would let it
 * escape the token endpoint's per-address limit). In-process requests (no socket) pass unchanged.
 */
export function withForwardedFor(req: Request, env: unknown): Request {
  const address = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
  if (!address) return req;
  const headers = new Headers(req.headers);
  headers.set('x-forwarded-for', address.startsWith('::ffff:') ? address.slice(7) : address);
  return new Request(req, { headers });
}
