import postgres, { type Sql } from 'postgres';

/** One input parameter of a routine, as PostgREST's schema cache records it. */
export interface RoutineParam {
  name: string;
  /** `format_type` of the declared type, length-limited types widened (char(n) → varchar). */
  type: string;
  hasDefault: boolean;
}

/** A callable function of an exposed schema. */
export interface Routine {
  schema: string;
  name: string;
  params: RoutineParam[];
  volatility: 'volatile' | 'stable' | 'immutable';
  returns: 'void' | 'scalar' | 'composite';
  setof: boolean;
  /** The function's own `SET default_transaction_isolation`, if any. */
  isolation: string | null;
  /** `SET` clauses PostgREST hoists into the transaction settings (db-hoisted-tx-settings). */
  hoisted: [string, string][];
  /** The function's comment (COMMENT ON FUNCTION), for the OpenAPI description. */
  description: string | null;
}

/** What the gateway knows about the database: routines by `schema.name`, role settings by role. */
export interface SchemaCacheData {
  routines: Map<string, Routine[]>;
  /** Functions per schema, for "Perhaps you meant …" hints. */
  names: Map<string, string[]>;
  roleSettings: Map<string, [string, string][]>;
}

const HOISTED = new Set(['statement_timeout', 'plan_filter.statement_cost_limit', 'default_transaction_isolation']);

// Input parameters (modes i, b, v) with names and types; OUT/TABLE columns tell a composite result.
const ROUTINES_SQL = `
select n.nspname as schema, p.proname as name, p.provolatile::text as volatility, p.proretset as setof,
       p.prorettype = 'pg_catalog.void'::pg_catalog.regtype as returns_void,
       (rt.typtype = 'c' or coalesce(p.proargmodes::text[] && '{t,b,o}', false)) as returns_composite,
       p.pronargs::int as nargs, p.pronargdefaults::int as ndefaults, coalesce(pg_catalog.array_to_json(p.proconfig), '[]')::text as config,
       pg_catalog.obj_description(p.oid, 'pg_proc') as description,
       coalesce((select pg_catalog.json_agg(pg_catalog.json_build_object(
                  'name', coalesce(a.name, ''),
                  'type', case a.type when 'pg_catalog.bpchar'::pg_catalog.regtype then 'character varying'
                                      when 'pg_catalog.bit'::pg_catalog.regtype then 'bit varying'
                                      else pg_catalog.format_type(a.type, null) end) order by a.idx)
                 from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]),
                             coalesce(p.proargmodes, array_fill('i'::"char", array[p.pronargs::int])),
                             p.proargnames) with ordinality as a(type, mode, name, idx)
                where a.mode in ('i', 'b', 'v')), '[]')::text as params
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  join pg_catalog.pg_type rt on rt.oid = p.prorettype
 where n.nspname in (select pg_catalog.json_array_elements_text($1::text::json)) and p.prokind = 'f'
   and p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype
 order by n.nspname, p.proname, p.oid`;

// Settings stored on roles (ALTER ROLE … SET), database-specific ones last so they win; only
// those the authenticator may set inside a transaction.
const ROLE_SETTINGS_SQL = `
select r.rolname as role, split_part(c.setting, '=', 1) as name,
       substr(c.setting, strpos(c.setting, '=') + 1) as value
  from pg_catalog.pg_db_role_setting s
  join pg_catalog.pg_roles r on r.oid = s.setrole
  cross join lateral unnest(s.setconfig) as c(setting)
  left join pg_catalog.pg_settings ps on ps.name = split_part(c.setting, '=', 1)
 where s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
   and (ps.name is null or ps.context = 'user'
        or case when ps.context = 'superuser' then has_parameter_privilege(ps.name, 'SET') else false end)
 order by r.rolname, s.setdatabase`;

interface RoutineRow {
  schema: string; name: string; volatility: string; setof: boolean; returns_void: boolean; returns_composite: boolean;
  nargs: number; ndefaults: number; config: string; params: string; description: string | null;
}

const VOLATILITY = { v: 'volatile', s: 'stable', i: 'immutable' } as const;

/** Reads the schema cache for the exposed schemas from the database. */
export async function loadSchemaCache(sql: Sql, schemas: string[]): Promise<SchemaCacheData> {
  const rows = await sql.unsafe<RoutineRow[]>(ROUTINES_SQL, [JSON.stringify(schemas)]);
  const settings = await sql.unsafe<{ role: string; name: string; value: string }[]>(ROLE_SETTINGS_SQL);
  const routines = new Map<string, Routine[]>();
  const names = new Map<string, string[]>();
  for (const row of rows) {
    const params = JSON.parse(row.params) as { name: string; type: string }[];
    // Callable: every input parameter named, or a single unnamed json/jsonb one (raw body).
    const unnamed = params.filter((p) => p.name === '');
    if (unnamed.length > 0 && !(params.length === 1 && (params[0]!.type === 'json' || params[0]!.type === 'jsonb'))) continue;
    const config = (JSON.parse(row.config) as string[]).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as [string, string]);
    const routine: Routine = {
      schema: row.schema,
      name: row.name,
      params: params.map((p, i) => ({ ...p, hasDefault: i >= row.nargs - row.ndefaults })),
      volatility: VOLATILITY[row.volatility as keyof typeof VOLATILITY] ?? 'volatile',
      returns: row.returns_void ? 'void' : row.returns_composite ? 'composite' : 'scalar',
      setof: row.setof,
      isolation: config.find(([k]) => k === 'default_transaction_isolation')?.[1] ?? null,
      hoisted: config.filter(([k]) => HOISTED.has(k)),
      description: row.description,
    };
    const key = `${row.schema}.${row.name}`;
    routines.set(key, [...(routines.get(key) ?? []), routine]);
    const list = names.get(row.schema) ?? [];
    if (!list.includes(row.name)) names.set(row.schema, [...list, row.name]);
  }
  const roleSettings = new Map<string, [string, string][]>();
  for (const { role, name, value } of settings) {
    const list = (roleSettings.get(role) ?? []).filter(([k]) => k !== name);
    roleSettings.set(role, [...list, [name, value]]);
  }
  return { routines, names, roleSettings };
}

export interface SchemaCacheOptions {
  /** The request pool, used for loading. */
  sql: Sql;
  databaseUrl: string;
  schemas: string[];
  /** Where reload failures are reported (never with secrets); console.warn by default. */
  onWarning?: (message: string) => void;
}

/**
 * The live schema cache: loaded at start, reloaded on `NOTIFY pgrst, 'reload schema'` (or an
 * empty payload) received on a dedicated LISTEN connection, and after that connection comes back
 * from a database outage (the schema may have changed meanwhile), as PostgREST does.
 */
export class SchemaCache {
  #data: SchemaCacheData | null = null;
  #listener: Sql;
  #closed = false;
  #reloading: Promise<void> | null = null;
  #again = false;
  #retry: NodeJS.Timeout | null = null;
  #backoff = 100;

  constructor(private readonly options: SchemaCacheOptions) {
    this.#listener = postgres(options.databaseUrl, {
      max: 1, max_lifetime: null, fetch_types: false, connect_timeout: 5,
      onnotice: () => {},
      // postgres.js delivers NOTIFY through this option (its own listen() uses it; untyped).
      onnotify: (_channel: string, payload: string) => {
        if (payload === '' || payload === 'reload schema') void this.reload();
      },
      onclose: () => this.#scheduleListen(),
    } as postgres.Options<Record<string, never>>);
  }

  /** The current snapshot; null until the first load succeeded. */
  get data(): SchemaCacheData | null {
    return this.#data;
  }

  /** Loads the cache and starts listening; rejects if the database cannot be read at start. */
  async start(): Promise<void> {
    this.#data = await loadSchemaCache(this.options.sql, this.options.schemas);
    await this.#listen();
  }

  /** Reloads now; concurrent requests coalesce, a request during a load triggers one more. */
  reload(): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#again = false;
        try {
          this.#data = await loadSchemaCache(this.options.sql, this.options.schemas);
        } catch (error) {
          if (!this.#closed) (this.options.onWarning ?? console.warn)(`schema cache reload failed: ${(error as Error).message}`);
        }
      } while (this.#again && !this.#closed);
    })().finally(() => {
      this.#reloading = null;
    });
    return this.#reloading;
  }

  async #listen(): Promise<void> {
    await this.#listener.unsafe('listen pgrst');
    this.#backoff = 100;
  }

  #scheduleListen(): void {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.#listen().then(() => this.reload(), () => {
        this.#backoff = Math.min(this.#backoff * 2, 5000);
        this.#scheduleListen();
      });
    }, this.#backoff);
  }

  /** Stops listening; waits for a running reload. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    await this.#listener.end({ timeout: 1 });
    await this.#reloading;
  }
}
