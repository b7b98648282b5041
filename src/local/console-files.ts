// Serves the built console (dist/console/, SPEC §11) at /console/ on the local stack, with a
// config.json that carries this stack's URL, anon key and local demo accounts.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface ConsoleRuntimeConfig {
  supabaseUrl: string;
  anonKey: string;
  signUp: boolean;
  demoAccounts: { email: string; password: string | null; role: string }[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The console needs its own origin's scripts, WASM compilation (argon2) and a worker; nothing inline. */
function securityHeaders(supabaseUrl: string): Record<string, string> {
  const api = new URL(supabaseUrl).origin;
  return {
    'Content-Security-Policy': [
      "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", `connect-src 'self' ${api}`,
      "style-src 'self'", "img-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}

/**
 * A handler for `/console` and `/console/*`; answers undefined for every other path. Files come
 * from `distDir`; unknown paths without an extension get index.html; `config.json` is generated.
 */
export function createConsoleHandler(options: { distDir: string; config: ConsoleRuntimeConfig }) {
  const root = path.resolve(options.distDir);
  const headers = securityHeaders(options.config.supabaseUrl);
  const configBody = JSON.stringify(options.config);

  const respond = (status: number, body: BodyInit | null, type: string, extra: Record<string, string> = {}) =>
    new Response(body, { status, headers: { ...headers, 'Content-Type': type, ...extra } });

  return async (req: Request): Promise<Response | undefined> => {
    const url = new URL(req.url);
    if (url.pathname !== '/console' && !url.pathname.startsWith('/console/')) return undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return respond(405, 'Method Not Allowed', 'text/plain; charset=utf-8', { Allow: 'GET, HEAD' });
    }
    if (url.pathname === '/console') return new Response(null, { status: 308, headers: { Location: `/console/${url.search}` } });
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname.slice('/console/'.length)) || 'index.html';
    } catch {
      return respond(400, 'Bad Request', 'text/plain; charset=utf-8');
    }
    const body = (text: BodyInit) => (req.method === 'HEAD' ? null : text);
    if (relative === 'config.json') return respond(200, body(configBody), TYPES['.json']!, { 'Cache-Control': 'no-store' });
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep) || relative.includes('\0')) return respond(404, body('Not Found'), 'text/plain; charset=utf-8');
    const found = await stat(file).then((s) => s.isFile(), () => false);
    const ext = path.extname(file);
    if (!found && ext) return respond(404, body('Not Found'), 'text/plain; charset=utf-8');
    const target = found ? file : path.join(root, 'index.html');
    let content: Buffer;
    try {
      content = await readFile(target);
    } catch {
      return respond(503, body('The console is not built. Run `npm run console:build`.'), 'text/plain; charset=utf-8', { 'Retry-After': '5' });
    }
    // Hashed assets never change; index.html always revalidates.
    const cache = target.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    return respond(200, body(new Uint8Array(content)), TYPES[path.extname(target)] ?? 'application/octet-stream', { 'Cache-Control': cache });
  };
}
