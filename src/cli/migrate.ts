import { parseLocalEnv } from '../local/config.js';
import { openLocalDatabase } from '../local/database.js';
import { migrate } from '../local/migrate.js';

/**
 * `mintid migrate`: applies the platform objects where missing and every pending migration to
 * DATABASE_URL, or to the local embedded database under .mintid/ when DATABASE_URL is unset.
 */
export async function migrateCommand(): Promise<number> {
  const env = parseLocalEnv();
  const database = await openLocalDatabase(env);
  try {
    const result = await migrate({
      databaseUrl: database.adminUrl,
      ...database.platform,
      log: (line) => console.log(line),
    });
    console.log(
      result.applied.length === 0
        ? `Database is up to date (migrations owned by ${result.ownerRole}).`
        : `Applied ${result.applied.length} migration(s) as ${result.ownerRole}.`,
    );
    return 0;
  } finally {
    await database.stop();
  }
}
