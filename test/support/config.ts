/** What the global setup hands each test file. */
export interface TestDatabaseConfig {
  /** Superuser URL (any database; the path is replaced per test file). */
  adminUrl: string;
  /** A SQL-console operator: the non-superuser owner login (embedded) or the superuser (DATABASE_URL). */
  operatorUrl: string;
  template: string;
  runId: string;
  ownerRole: string;
  embedded: boolean;
  /**
   * Password of the `authenticator` login for this run: random, never a known value; on a
   * DATABASE_URL server the teardown removes it again.
   */
  authenticatorPassword: string;
  /** Password of the `supabase_auth_admin` login for this run: random, removed at teardown like the above. */
  authAdminPassword: string;
}
