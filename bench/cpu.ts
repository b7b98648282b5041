// CPU time, not wall time, for the token table: on a shared 2-core box the wall-clock rates of two
// cells of one run differ by 2× when someone else's job starts, while the CPU an operation takes
// barely moves. A meter sums this process (every thread: the bench client, the API worker, the
// libuv pool) and, when the database is a local server whose processes it can read (Linux /proc),
// PostgreSQL (the postmaster, its live children and the children it reaped).
import { readdir, readFile } from 'node:fs/promises';
import type { Sql } from 'postgres';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime (+ cutime + cstime) of a process, in ms; null when it cannot be read. */
async function processMs(pid: number, withChildren: boolean): Promise<{ ms: number; ppid: number } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    const at = (n: number) => Number(fields[n - 3]);
    const ticks = at(14) + at(15) + (withChildren ? at(16) + at(17) : 0);
    return { ms: (ticks * 1000) / TICKS_PER_SECOND, ppid: at(4) };
  } catch {
    return null;
  }
}

export interface CpuMeter {
  /** Whether PostgreSQL's CPU is included. */
  readonly database: boolean;
  /** CPU ms used so far (this process + PostgreSQL). */
  sample(): Promise<number>;
}

/** A meter over this process and, when visible, the PostgreSQL server `admin` is connected to. */
export async function cpuMeter(admin: Sql): Promise<CpuMeter> {
  let postmaster: number | null = null;
  try {
    const [row] = await admin<{ pid: number }[]>`select pg_backend_pid() as pid`;
    postmaster = (await processMs(row!.pid, false))?.ppid ?? null;
    if (postmaster !== null && !(await readFile(`/proc/${postmaster}/cmdline`, 'utf8')).includes('postgres')) postmaster = null;
  } catch {
    postmaster = null;
  }
  const database = async (): Promise<number> => {
    if (postmaster === null) return 0;
    let total = (await processMs(postmaster, true))?.ms ?? 0;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const child = await processMs(Number(entry), false);
      if (child?.ppid === postmaster) total += child.ms;
    }
    return total;
  };
  return {
    database: postmaster !== null,
    async sample() {
      const own = process.cpuUsage();
      return (own.user + own.system) / 1000 + (await database());
    },
  };
}

/** Runs `fn` and returns its result with the CPU ms it took (as the meter sees it). */
export async function measureCpu<T>(meter: CpuMeter, fn: () => Promise<T>): Promise<{ value: T; cpuMs: number }> {
  const before = await meter.sample();
  const value = await fn();
  return { value, cpuMs: (await meter.sample()) - before };
}
