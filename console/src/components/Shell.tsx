// The signed-in console: top bar (brand switcher, user, sign out), section navigation, and the
// page of the current section for the selected brand.
import type { Session } from '@supabase/supabase-js';
import { useEffect, useState } from 'preact/hooks';
import type { Api, MyBrand } from '../api.js';
import type { ConsoleConfig } from '../config.js';
import { useLoader } from '../use-loader.js';
import { BrandAuditPage } from './BrandAuditPage.js';
import { CreateBrandDialog, CreateBrandForm } from './CreateBrand.js';
import { CredentialsPage } from './CredentialsPage.js';
import { ErrorNotice } from './ErrorNotice.js';
import { MembersPage } from './MembersPage.js';
import { RoleNotice } from './RoleNotice.js';
import { SecretsPage } from './SecretsPage.js';

const SECTIONS = [
  { id: 'credentials', label: 'Credentials' },
  { id: 'audit', label: 'Audit trail' },
  { id: 'members', label: 'Members' },
  { id: 'secrets', label: 'Secrets' },
] as const;
type Section = (typeof SECTIONS)[number]['id'];

const BRAND_KEY = 'mintid-console-brand';
const sectionFromHash = (): Section => {
  const id = location.hash.replace(/^#\/?/, '');
  return SECTIONS.some((s) => s.id === id) ? (id as Section) : 'credentials';
};
const canManage = (role: string) => role === 'owner' || role === 'admin';

export function Shell(props: { api: Api; config: ConsoleConfig; session: Session }) {
  const brands = useLoader(async () => (await props.api.brands.listMyBrands()).items, [props.session.user.id]);
  const [brandId, setBrandId] = useState<string | null>(() => localStorage.getItem(BRAND_KEY));
  const [section, setSection] = useState<Section>(sectionFromHash);
  const [creatingBrand, setCreatingBrand] = useState(false);
  const [signOutError, setSignOutError] = useState<unknown>(null);

  useEffect(() => {
    const onHash = () => setSection(sectionFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const items = brands.value ?? [];
  const brand: MyBrand | undefined = items.find((b) => b.brandId === brandId) ?? items[0];
  useEffect(() => {
    if (brand) localStorage.setItem(BRAND_KEY, brand.brandId);
  }, [brand?.brandId]);

  const selectBrand = (id: string) => setBrandId(id);
  const onBrandCreated = (id: string) => {
    setCreatingBrand(false);
    setBrandId(id);
    brands.reload();
  };
  const signOut = async () => {
    const { error } = await props.api.supabase.auth.signOut();
    if (error) setSignOutError(error);
  };
  const tokenUrl = `${props.config.supabaseUrl.replace(/\/$/, '')}/functions/v1/token`;

  return (
    <div class="shell">
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <span class="brand-mark">MintID <span class="muted">Credentials</span></span>
        <div class="topbar-brand">
          {items.length > 0 ? (
            <div class="field inline">
              <label for="brand-select">Brand</label>
              <select id="brand-select" value={brand?.brandId} onChange={(e) => selectBrand(e.currentTarget.value)}>
                {items.map((b) => <option key={b.brandId} value={b.brandId}>{b.name} ({b.role})</option>)}
              </select>
            </div>
          ) : null}
          <button type="button" class="button small" onClick={() => setCreatingBrand(true)}>New brand</button>
        </div>
        <div class="topbar-user">
          <span class="user-email" title={props.session.user.email}>{props.session.user.email}</span>
          <button type="button" class="button small" onClick={signOut}>Sign out</button>
        </div>
      </header>
      {brand ? (
        <nav class="sections" aria-label="Sections">
          {SECTIONS.map((s) => (
            <a key={s.id} href={`#/${s.id}`} aria-current={s.id === section ? 'page' : undefined}>{s.label}</a>
          ))}
        </nav>
      ) : null}
      <main id="main" tabIndex={-1} class="content">
        <ErrorNotice error={signOutError} />
        <ErrorNotice error={brands.error} title="Your brands could not be loaded." />
        {brands.pending && !brands.value ? <p role="status" class="muted">Loading your brands…</p> : null}
        {brands.value && !brand ? (
          <section class="page narrow" aria-labelledby="first-brand-title">
            <h1 id="first-brand-title">Create your first brand</h1>
            <p class="muted">You are not a member of any brand yet. Create one (you become its owner), or ask an owner of an existing brand to add <strong>{props.session.user.email}</strong>.</p>
            <CreateBrandForm api={props.api} onCreated={onBrandCreated} />
          </section>
        ) : null}
        {brand ? (
          <>
            {brand.role === 'member' && section !== 'members' ? (
              <h1 class="page-title">{SECTIONS.find((s) => s.id === section)!.label}</h1>
            ) : null}
            {brand.role === 'member' && section !== 'members' ? (
              <RoleNotice role={brand.role} brandName={brand.name} needs="owner or admin"
                what={section === 'secrets' ? 'Managing brand secrets' : section === 'audit' ? 'Reading the audit trail' : 'Managing credentials'} />
            ) : null}
            {section === 'credentials' && canManage(brand.role) ? (
              <CredentialsPage key={brand.brandId} api={props.api} brandId={brand.brandId} brandName={brand.name} tokenUrl={tokenUrl} />
            ) : null}
            {section === 'audit' && canManage(brand.role) ? <BrandAuditPage key={brand.brandId} api={props.api} brand={brand} /> : null}
            {section === 'members' ? (
              <MembersPage key={brand.brandId} api={props.api} brand={brand} userId={props.session.user.id} onLeft={brands.reload} />
            ) : null}
            {section === 'secrets' && canManage(brand.role) ? <SecretsPage key={brand.brandId} api={props.api} brand={brand} /> : null}
          </>
        ) : null}
      </main>
      {creatingBrand ? <CreateBrandDialog api={props.api} onClose={() => setCreatingBrand(false)} onCreated={onBrandCreated} /> : null}
    </div>
  );
}
