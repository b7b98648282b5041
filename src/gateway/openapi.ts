// GET /rest/v1/: the OpenAPI (Swagger 2.0) description PostgREST serves at its root, generated
// from the schema cache: one path /rpc/<fn> per function the request's role may execute
// (PostgREST's default openapi-mode `follow-privileges`), the function's comment as summary (first
// line) and description (the rest), its parameters as the body schema of POST and, for STABLE and
// IMMUTABLE functions, as query parameters of GET. The gateway serves RPCs only, so there are no
// table paths or definitions.
import type { Sql } from 'postgres';
import { fromDatabaseError } from './errors.js';
import type { AuthResult } from './jwt.js';
import type { Routine, RoutineParam, SchemaCacheData } from './schema-cache.js';

type Json = Record<string, unknown>;

/** The PostgREST version whose output this follows (POSTGREST.md). */
const POSTGREST_VERSION = '14';
const MEDIA = ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json'];

/** PostgREST's toSwaggerType: json/jsonb have no Swagger type, arrays are arrays, the rest strings. */
function swaggerType(type: string): string | undefined {
  switch (type) {
    case 'character varying': case 'character': case 'text': return 'string';
    case 'boolean': return 'boolean';
    case 'smallint': case 'integer': case 'bigint': return 'integer';
    case 'numeric': case 'real': case 'double precision': return 'number';
    case 'json': case 'jsonb': return undefined;
    default: return type.endsWith('[]') ? 'array' : 'string';
  }
}

function property(param: RoutineParam): Json {
  const type = swaggerType(param.type);
  const items = type === 'array' ? { items: { ...(swaggerType(param.type.slice(0, -2)) ? { type: swaggerType(param.type.slice(0, -2)) } : {}) } } : {};
  return { format: param.type, ...(type ? { type } : {}), ...items };
}

/** First line → summary, the rest (leading newlines dropped) → description, as PostgREST splits it. */
function splitDescription(text: string | null): { summary?: string; description?: string } {
  if (text === null) return {};
  const newline = text.indexOf('\n');
  if (newline === -1) return { summary: text };
  const rest = text.slice(newline).replace(/^\n+/, '');
  return { summary: text.slice(0, newline), ...(rest ? { description: rest } : {}) };
}

function required(params: RoutineParam[]): Json {
  const names = params.filter((p) => !p.hasDefault).map((p) => p.name);
  return names.length ? { required: names } : {};
}

function routinePath(routine: Routine): Json {
  const operation = {
    tags: [`(rpc) ${routine.name}`],
    ...splitDescription(routine.description),
    produces: MEDIA,
    responses: { 200: { description: 'OK' } },
  };
  const post = {
    ...operation,
    parameters: [
      {
        in: 'body', name: 'args', required: true,
        schema: {
          ...(routine.description !== null ? { description: routine.description } : {}),
          type: 'object',
          properties: Object.fromEntries(routine.params.map((p) => [p.name, property(p)])),
          ...required(routine.params),
        },
      },
      { $ref: '#/parameters/preferParams' },
    ],
  };
  if (routine.volatility === 'volatile') return { post };
  const get = {
    ...operation,
    parameters: routine.params.map((p) => {
      const type = swaggerType(p.type);
      return { format: p.type, in: 'query', name: p.name, required: !p.hasDefault, type: type === 'array' || type === undefined ? 'string' : type };
    }),
  };
  return { get, post };
}

const header = (name: string, description: string, extra: Json = {}) => ({ name, description, required: false, in: 'header', type: 'string', ...extra });
const query = (name: string, description: string) => ({ name, description, required: false, in: 'query', type: 'string' });

/** PostgREST's shared parameter definitions (referenced by $ref). */
const PARAMETERS = {
  preferParams: header('Prefer', 'Preference', { enum: ['params=single-object'] }),
  preferReturn: header('Prefer', 'Preference', { enum: ['return=representation', 'return=minimal', 'return=none'] }),
  preferCount: header('Prefer', 'Preference', { enum: ['count=none'] }),
  preferPost: header('Prefer', 'Preference', {
    enum: ['return=representation', 'return=minimal', 'return=none', 'resolution=ignore-duplicates', 'resolution=merge-duplicates'],
  }),
  select: query('select', 'Filtering Columns'),
  on_conflict: query('on_conflict', 'On Conflict'),
  order: query('order', 'Ordering'),
  range: header('Range', 'Limiting and Pagination'),
  rangeUnit: header('Range-Unit', 'Limiting and Pagination', { default: 'items' }),
  offset: query('offset', 'Limiting and Pagination'),
  limit: query('limit', 'Limiting and Pagination'),
};

export interface OpenApiContext {
  sql: Sql;
  data: SchemaCacheData;
  schema: string;
  auth: AuthResult;
  /** `host[:port]` the client used, and the base path the document's paths are relative to. */
  host: string;
  basePath: string;
  scheme: 'http' | 'https';
}

/** The functions of `schema` the role may execute, and the schema's comment. */
async function privileges(sql: Sql, schema: string, role: string): Promise<{ executable: Set<string>; comment: string | null }> {
  const rows = await sql.unsafe<{ name: string | null; comment: string | null }[]>(`
    select (select pg_catalog.obj_description(n.oid, 'pg_namespace')) as comment, p.proname as name
      from pg_catalog.pg_namespace n
      left join pg_catalog.pg_proc p on p.pronamespace = n.oid and p.prokind = 'f'
                                    and pg_catalog.has_function_privilege($2::text, p.oid, 'execute')
     where n.nspname = $1`, [schema, role]);
  return { executable: new Set(rows.flatMap((r) => (r.name ? [r.name] : []))), comment: rows[0]?.comment ?? null };
}

/** The OpenAPI document for the request's schema and role. */
export async function openApiDocument(ctx: OpenApiContext): Promise<Json> {
  let allowed: Awaited<ReturnType<typeof privileges>>;
  try {
    allowed = await privileges(ctx.sql, ctx.schema, ctx.auth.role);
  } catch (error) {
    throw fromDatabaseError(error, ctx.auth.role !== 'anon');
  }
  const routines = [...ctx.data.routines.values()].flat()
    .filter((r) => r.schema === ctx.schema && allowed.executable.has(r.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  const paths: Json = {
    '/': {
      get: {
        tags: ['Introspection'], summary: 'OpenAPI description (this document)',
        produces: ['application/openapi+json', 'application/json'], responses: { 200: { description: 'OK' } },
      },
    },
  };
  // Overloads share one path, as in PostgREST (the last one wins).
  for (const routine of routines) paths[`/rpc/${routine.name}`] = routinePath(routine);
  const { summary: title, description } = splitDescription(allowed.comment);
  return {
    swagger: '2.0',
    info: {
      description: description ?? (title ? '' : 'This is a dynamic API generated by PostgREST'),
      title: title ?? 'PostgREST API',
      version: POSTGREST_VERSION,
    },
    host: ctx.host,
    basePath: ctx.basePath,
    schemes: [ctx.scheme],
    consumes: [...MEDIA, 'text/csv'],
    produces: [...MEDIA, 'text/csv'],
    paths,
    definitions: {},
    parameters: PARAMETERS,
    externalDocs: { description: 'PostgREST Documentation', url: `https://postgrest.org/en/v${POSTGREST_VERSION}/references/api.html` },
  };
}

/** The response PostgREST gives at its root: `application/openapi+json`. */
export async function openApiResponse(ctx: OpenApiContext, method: string, profile: string | null): Promise<Response> {
  const body = JSON.stringify(await openApiDocument(ctx));
  const headers = new Headers({ 'Content-Type': 'application/openapi+json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
  if (profile) headers.set('Content-Profile', profile);
  return new Response(method === 'HEAD' ? null : body, { status: 200, headers });
}
