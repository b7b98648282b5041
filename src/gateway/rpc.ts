import type { Sql } from 'postgres';
import { clip } from './bounds.js';
import { fromDatabaseError, pgrst } from './errors.js';
import type { AuthResult } from './jwt.js';
import { openApiResponse } from './openapi.js';
import { resolveRoutine } from './resolve.js';
import { negotiate, parsePath, parsePrefer, parseRpcRequest, selectSchema } from './rpc-request.js';
import type { SchemaCache } from './schema-cache.js';
import { runCall, type CallResult } from './transaction.js';

export interface RpcDeps {
  sql: Sql;
  cache: SchemaCache;
  schemas: string[];
  extraSearchPath: string[];
  anonRole: string;
  maxRows: number;
}

/** The request as the gateway forwards it: path below `/rest/v1`, identity, forwarded Authorization. */
export interface RpcContext {
  path: string;
  auth: AuthResult;
  authorization: string | undefined;
}

const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'];

/** Status, headers and body of a successful call (POSTGREST.md §2). */
function respond(result: CallResult, options: { method: string; void: boolean; singular: boolean; offset: number; profile: string | null;
  applied: string[] }): Response {
  const headers = new Headers();
  const last = options.offset + result.pageTotal - 1;
  headers.set('Content-Range', `${result.pageTotal === 0 ? '*' : `${options.offset}-${last}`}/${result.total ?? '*'}`);
  if (options.profile) headers.set('Content-Profile', options.profile);
  if (options.applied.length) headers.set('Preference-Applied', options.applied.join(', '));
  let status = result.total !== null && result.pageTotal < result.total ? 206 : 200;
  if (options.void) status = 204;
  for (const [name, value] of result.headers) headers.append(name, value);
  if (result.status !== null && result.status >= 200) status = result.status;
  if (status === 204) return new Response(null, { status, headers });
  if (!headers.has('Content-Type')) {
    headers.set('Content-Type', `${options.singular ? 'application/vnd.pgrst.object+json' : 'application/json'}; charset=utf-8`);
  }
  if (options.method === 'HEAD') return new Response(null, { status, headers });
  headers.set('Content-Length', String(Buffer.byteLength(result.body)));
  return new Response(result.body, { status, headers });
}

/**
 * `/rest/v1/<path>`: PostgREST's request processing for functions (POSTGREST.md §1.2 steps 3–6),
 * after CORS, apikey and JWT ran. Database failures go through the single SQLSTATE mapping.
 */
export function createRpcHandler(deps: RpcDeps): (req: Request, ctx: RpcContext) => Promise<Response> {
  return async (req, ctx) => {
    const data = deps.cache.data;
    if (!data) throw pgrst(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.');
    if ((ctx.path === '/' || ctx.path === '') && (req.method === 'GET' || req.method === 'HEAD')) {
      // The root answers the OpenAPI description (openapi.ts), relative to where server.ts mounts us.
      const { schema, echoProfile } = selectSchema(req, deps.schemas);
      const url = new URL(req.url);
      return openApiResponse({
        sql: deps.sql, data, schema, auth: ctx.auth, host: req.headers.get('host') ?? url.host, basePath: '/rest/v1/',
        scheme: url.protocol === 'https:' ? 'https' : 'http',
      }, req.method, echoProfile ? schema : null);
    }
    const target = parsePath(ctx.path);
    const profile = selectSchema(req, deps.schemas);
    if ('table' in target) {
      throw pgrst(404, 'PGRST205', `Could not find the table '${profile.schema}.${clip(target.table)}' in the schema cache`);
    }
    if (!METHODS.includes(req.method)) throw pgrst(405, 'PGRST101', `Cannot use the ${req.method} method on RPC`);
    const request = await parseRpcRequest(req, target.rpc, profile);
    const call = resolveRoutine(data, request.schema, request.name, request.keys, request.method === 'POST');
    if (request.method === 'OPTIONS') {
      const allow = call.routine.volatility === 'volatile' ? 'OPTIONS,POST' : 'OPTIONS,GET,HEAD,POST';
      return new Response(null, { status: 200, headers: { Allow: allow } });
    }
    const singular = negotiate(req.headers.get('accept')) === 'object';
    const prefer = parsePrefer(req.headers);
    let result: CallResult;
    try {
      result = await runCall(deps.sql, {
        request, target: call, auth: ctx.auth, headers: req.headers, authorization: ctx.authorization,
        singular, count: prefer.count, extraSearchPath: deps.extraSearchPath, maxRows: deps.maxRows,
      }, data);
    } catch (error) {
      throw fromDatabaseError(error, ctx.auth.role !== deps.anonRole);
    }
    return respond(result, {
      method: request.method, void: call.routine.returns === 'void', singular, offset: request.offset,
      profile: request.echoProfile ? request.schema : null, applied: prefer.applied,
    });
  };
}
