// One local stack per state directory, and clear answers when something is already there: a
// second `npm start` names the PID of the first; `mintid migrate` finds the running embedded
// server; a port in use names the variable that moves it.
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';

/** Whether a process with this PID exists (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]!.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The running stack of this state directory, if any: the PID of its `mintid start`. */
export function runningStackPid(stateDir: string): number | null {
  return runningStack(stateDir)?.pid ?? null;
}

/** What a running stack records about itself in `.mintid/stack.pid`. */
export interface StackRecord {
  pid: number;
  /** Its API URL, once it listens (null before, or in a file of an older version). */
  url: string | null;
  /** Its embedded PostgreSQL port (null with DATABASE_URL). */
  dbPort: number | null;
}

/**
 * The running stack of this state directory with what it recorded, or null when there is none
 * or its process is gone (a stale file is ignored). The file is like postmaster.pid: line 1 the
 * PID, line 2 the API URL, line 3 the embedded database's port (empty with DATABASE_URL).
 */
export function runningStack(stateDir: string): StackRecord | null {
  let lines: string[];
  try {
    lines = readFileSync(path.join(stateDir, 'stack.pid'), 'utf8').split('\n').map((line) => line.trim());
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return null;
  let url: string | null = null;
  try {
    if (lines[1]) url = new URL(lines[1]).origin;
  } catch {
    url = null;
  }
  const dbPort = Number(lines[2]);
  return { pid, url, dbPort: lines[2] && Number.isInteger(dbPort) && dbPort > 0 ? dbPort : null };
}

/**
 * Adds this stack's API URL and database port to its `.mintid/stack.pid` (written whole, then
 * renamed, so a reader never sees half a file); only while the file is this process's.
 */
export async function recordStack(stateDir: string, info: { url: string; dbPort: number | null }): Promise<void> {
  const file = path.join(stateDir, 'stack.pid');
  if (readPid(file) !== process.pid) return;
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${process.pid}\n${info.url}\n${info.dbPort ?? ''}\n`);
  await rename(temp, file);
}

/**
 * Marks this process as the state directory's stack (`.mintid/stack.pid`); refuses when another
 * one runs there. Returns the release function (removes the file).
 */
export async function claimStateDir(stateDir: string): Promise<() => Promise<void>> {
  const other = runningStackPid(stateDir);
  if (other !== null) {
    throw new Error(
      `MintID is already running in this folder (PID ${other}, state directory ${stateDir}). ` +
        `Stop it with Ctrl-C in its terminal (or: kill ${other}), or give this one another MINTID_STATE_DIR.`,
    );
  }
  await mkdir(stateDir, { recursive: true, mode: 0o755 });
  const file = path.join(stateDir, 'stack.pid');
  await writeFile(file, `${process.pid}\n`);
  return async () => {
    if (readPid(file) === process.pid) await rm(file, { force: true });
  };
}

/** The postmaster serving a data directory right now (from its postmaster.pid), if any. */
export function runningPostmaster(dataDir: string): { pid: number; port: number } | null {
  let lines: string[];
  try {
    lines = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && alive(pid) ? { pid, port } : null;
}

/** Refuses a port that something already listens on, naming the variable that moves it. */
export async function assertPortFree(port: number, variable: string): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
  if (inUse) throw new Error(`Port ${port} is in use on 127.0.0.1; stop what uses it or set ${variable} to another port.`);
}

/** Waits until a process is gone (polling), at most `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
