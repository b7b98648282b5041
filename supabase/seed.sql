-- Demo data for local development: the documentation's example brand with an owner, an admin and
-- a member. Applied by `npm start` on the first start against a database that lacks it (and by
-- `supabase db reset`). Never run it against production.
insert into auth.users (id, aud, role, email)
values
  ('00000000-0000-4000-a000-000000000001', 'authenticated', 'authenticated', 'owner@acme.example'),
  ('00000000-0000-4000-a000-000000000002', 'authenticated', 'authenticated', 'admin@acme.example'),
  ('00000000-0000-4000-a000-000000000003', 'authenticated', 'authenticated', 'member@acme.example')
on conflict (id) do nothing;

insert into mintid.brands (id, name)
values ('b1a2c3d4-0000-0000-0000-000000000001', 'Acme Demo Brand')
on conflict (id) do nothing;

insert into mintid.brand_members (brand_id, user_id, role)
values
  ('b1a2c3d4-0000-0000-0000-000000000001', '00000000-0000-4000-a000-000000000001', 'owner'),
  ('b1a2c3d4-0000-0000-0000-000000000001', '00000000-0000-4000-a000-000000000002', 'admin'),
  ('b1a2c3d4-0000-0000-0000-000000000001', '00000000-0000-4000-a000-000000000003', 'member')
on conflict (brand_id, user_id) do nothing;
