import type { Command } from './args.js';

/**
 * `mintid migrate`: applies the platform objects where missing and every pending migration to
 * DATABASE_URL, or to the local embedded database under .mintid/ when DATABASE_URL is unset
 * (the running one, when `npm start` is running in this folder).
 */
export const migrateCommand: Command = {
  summary: 'apply the local platform objects and pending migrations to DATABASE_URL (or the local database)',
  description: `Without DATABASE_URL this migrates the local embedded database under .mintid/ — the running
one when \`npm start\` is running in this folder, else it starts it for the duration.
All pending migrations run in one transaction; a second run is a no-op.`,
  epilogue: 'Environment: DATABASE_URL, MINTID_DB_PORT, MINTID_STATE_DIR (see mintid start --help).',
  async run() {
    const [{ parseLocalEnv }, { openLocalDatabase }, { migrate }] = await Promise.all([
      import('../local/config.js'), import('../local/database.js'), import('../local/migrate.js'),
    ]);
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
  },
};
