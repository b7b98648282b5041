import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/local/embedded.js';
import { migrate } from '../../src/local/migrate.js';
import { databaseUrl, freePort } from './urls.js';
import type { TestDatabaseConfig } from './config.js';

declare module 'vitest' {
  export interface ProvidedContext {
    database: TestDatabaseConfig;
  }
}

/**
 * Once per run: a PostgreSQL (DATABASE_URL if set, else an embedded server in a temporary
 * directory), and one template database holding the platform objects and every migration.
 * Each test file then gets its own cheap copy (see test/support/database.ts).
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedServer | undefined;
  let dataRoot: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dataRoot = await mkdtemp(path.join(tmpdir(), 'mintid-test-'));
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataRoot, 'db'), port: await freePort(), durable: false });
    adminUrl = embedded.adminUrl;
  }
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const template = `mintid_tpl_${runId}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${template}`);
  // Random passwords for this run only: no login of the server is left with a known one. On a
  // DATABASE_URL server the owner is a NOLOGIN role (no password at all) and the teardown removes
  // the authenticator's password again.
  const authenticatorPassword = randomBytes(24).toString('base64url');
  const authAdminPassword = randomBytes(24).toString('base64url');
  const ownerPassword = embedded ? randomBytes(24).toString('base64url') : undefined;
  const { ownerRole } = await migrate({
    databaseUrl: databaseUrl(adminUrl, template),
    ...(ownerPassword ? { ownerPassword } : {}),
    authenticatorPassword,
    authAdminPassword,
  });
  const operatorUrl = embedded ? databaseUrl(adminUrl, template, { user: ownerRole, password: ownerPassword }) : adminUrl;
  project.provide('database', { adminUrl, operatorUrl, template, runId, ownerRole, embedded: !!embedded, authenticatorPassword, authAdminPassword });

  return async () => {
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`mintid_%_${runId}%`}`;
    for (const { datname } of leftovers) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    // A server of your own keeps no login this run made: the stack's platform step gives them back theirs.
    if (!embedded) await admin.unsafe('alter role authenticator with nologin password null; alter role supabase_auth_admin with nologin password null');
    await admin.end();
    await embedded?.stop();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  };
}
