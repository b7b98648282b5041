// Authorization server metadata (RFC 8414, SPEC §14), so OAuth client libraries configure
// themselves from the issuer alone. Served by the token function at
// `<issuer>/.well-known/openid-configuration` (where OpenID-style clients look: the issuer's path
// plus the suffix) and, on the local stack, at RFC 8414's own location
// `/.well-known/oauth-authorization-server/functions/v1/token` (the suffix inserted before the path).
import { json, preflight } from './http.ts';

export interface DiscoveryConfig {
  /** The `iss` of every access token; clients compare it with the metadata's `issuer` byte for byte. */
  issuer: string;
  /** Base URL of the project (SUPABASE_URL): the endpoints live under `<base>/functions/v1/`. */
  baseUrl: string;
}

/** The metadata document (RFC 8414 §2). MintID issues tokens by the client credentials grant only. */
export function authorizationServerMetadata(config: DiscoveryConfig): Record<string, unknown> {
  const functions = `${config.baseUrl.replace(/\/+$/, '')}/functions/v1`;
  return {
    issuer: config.issuer,
    token_endpoint: `${functions}/token`,
    jwks_uri: `${functions}/jwks`,
    grant_types_supported: ['client_credentials'],
    // No authorization endpoint, so no response type (RFC 8414 §2 lists the member as required).
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint: `${functions}/introspect`,
    // Besides these, the introspection endpoint accepts the project's service key as a Bearer token.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    // Access tokens are ES256 JWTs (RFC 9068 `at+jwt`) verifiable against jwks_uri.
    access_token_signing_alg_values_supported: ['ES256'],
  };
}

const METHODS = 'GET, HEAD, OPTIONS';
const SUFFIXES = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];

/** True for a request path that asks the token function for its metadata. */
export function isDiscoveryPath(pathname: string): boolean {
  return SUFFIXES.some((suffix) => pathname.endsWith(suffix));
}

/** GET/HEAD answer the metadata (cacheable for 5 minutes); other methods 405. */
export function createDiscoveryHandler(config: DiscoveryConfig): (req: Request) => Promise<Response> {
  const body = authorizationServerMetadata(config);
  return async (req) => {
    if (req.method === 'OPTIONS') return preflight(METHODS);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return json({ error: 'invalid_request', error_description: 'The metadata endpoint accepts only GET.' }, 405, { Allow: METHODS });
    }
    const response = json(body, 200, { 'Cache-Control': 'public, max-age=300' });
    return req.method === 'HEAD' ? new Response(null, { status: 200, headers: response.headers }) : response;
  };
}
