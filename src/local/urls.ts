/** The PostgreSQL URL with another database and/or another login (user and password). */
export function databaseUrl(url: string, database?: string, login?: { user: string; password?: string }): string {
  const parsed = new URL(url);
  if (database) parsed.pathname = `/${database}`;
  if (login) {
    parsed.username = encodeURIComponent(login.user);
    parsed.password = login.password ? encodeURIComponent(login.password) : '';
  }
  return parsed.toString();
}

/** The URL with its password (if any) replaced by `***`, for printing. */
export function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
