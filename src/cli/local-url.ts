// Where the local stack answers, for `mintid env` and the API commands' default --url: an
// explicit MINTID_PORT; else the stack running on the state directory, from the URL it recorded
// in `.mintid/stack.pid` (a stale record, its process gone, is ignored); else the default port.
// Only builtins are imported, so `--help` stays fast.
import path from 'node:path';
import { UsageError } from './args.js';
import { runningStack } from '../local/instance.js';

export const DEFAULT_LOCAL_PORT = 54321;
export const DEFAULT_LOCAL_URL = `http://127.0.0.1:${DEFAULT_LOCAL_PORT}`;

export interface LocalUrl {
  url: string;
  /** Why this URL: MINTID_PORT was set, a running stack recorded it, or the default. */
  from: 'MINTID_PORT' | 'running stack' | 'default';
}

/** The local stack's API URL (see the top of this file). */
export function localStackUrl(env: NodeJS.ProcessEnv = process.env): LocalUrl {
  if (env.MINTID_PORT) {
    const port = Number(env.MINTID_PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`MINTID_PORT must be a port number (1-65535), not '${env.MINTID_PORT}'`);
    return { url: `http://127.0.0.1:${port}`, from: 'MINTID_PORT' };
  }
  const running = runningStack(path.resolve(env.MINTID_STATE_DIR || '.mintid'));
  if (running?.url) return { url: running.url, from: 'running stack' };
  return { url: DEFAULT_LOCAL_URL, from: 'default' };
}
