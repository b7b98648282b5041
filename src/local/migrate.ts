import path from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import { runner } from 'node-pg-migrate';
import { ensurePlatform, type PlatformOptions } from './platform.js';
import { packageRoot } from '../package-root.js';

/** Where the product lives: the Supabase project's migrations, applied in name order. */
export const migrationsDir = path.join(packageRoot, 'supabase/migrations');

export interface MigrateOptions extends PlatformOptions {
  databaseUrl: string;
  /** Migrations directory; the product's supabase/migrations by default. */
  dir?: string;
  /** Receives one line per applied migration; silent by default. */
  log?: (line: string) => void;
}

export interface MigrateResult {
  ownerRole: string;
  applied: string[];
}

/**
 * Applies the local platform objects where missing, then every pending migration as the owner
 * role, all pending migrations in one transaction: a failure leaves the database as it was, and a
 * second run applies nothing.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
  let ownerRole: string;
  try {
    ({ ownerRole } = await ensurePlatform(sql, options));
  } finally {
    await sql.end();
  }

  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query('set client_min_messages = warning');
    const { rows } = await client.query<{ current_user: string }>('select current_user');
    if (rows[0]!.current_user !== ownerRole) {
      await client.query(`set role ${client.escapeIdentifier(ownerRole)}`);
    }
    const applied = await runner({
      dbClient: client,
      dir: options.dir ?? migrationsDir,
      direction: 'up',
      migrationsSchema: 'supabase_migrations',
      migrationsTable: 'mintid_migrations',
      createMigrationsSchema: true,
      checkOrder: true,
      singleTransaction: true,
      logger: { debug: () => {}, info: () => {}, warn: log, error: log },
    });
    for (const migration of applied) log(`applied ${migration.name}`);
    return { ownerRole, applied: applied.map((m) => m.name) };
  } finally {
    await client.end();
  }
}
