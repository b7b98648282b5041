import { createServer } from 'node:net';

/** The URL with another database (and optionally another login). */
export function databaseUrl(url: string, database: string, login?: { user: string; password?: string }): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (login) {
    parsed.username = encodeURIComponent(login.user);
    parsed.password = login.password ? encodeURIComponent(login.password) : '';
  }
  return parsed.toString();
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
