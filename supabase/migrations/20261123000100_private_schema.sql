-- The private schema `mintid` holds every table and helper of MintID Credentials. PostgREST
-- exposes only `public` (and `graphql_public`), so nothing in here is reachable over HTTP except
-- through the security-definer RPCs that later migrations add to `public`.

-- Functions created from here on are not executable by PUBLIC unless a migration grants it.
alter default privileges revoke execute on functions from public;
-- Hosted Supabase also grants anon/authenticated/service_role everything on new objects in
-- `public`. Those project-wide defaults are left alone (other features of the project rely on
-- them); instead every function below revokes them explicitly and grants the one role it needs.

create schema mintid;
comment on schema mintid is
  'MintID Credentials: private data and helpers. Not exposed by PostgREST; reached only through the RPCs in public.';
revoke all on schema mintid from public, anon, authenticated, service_role;
