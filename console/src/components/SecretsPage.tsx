// The brand's secrets (SPEC §12): names and times only; a value is visible while it is typed and
// never again. Add, rename/describe, replace the value, delete (the confirmation says where it was
// last used).
import { useState } from 'preact/hooks';
import type { Api, BrandSecret, MyBrand } from '../api.js';
import { useLoader } from '../use-loader.js';
import { useSubmit } from '../use-submit.js';
import { Announcement } from './Announcement.js';
import { Dialog } from './Dialog.js';
import { EmptyState } from './EmptyState.js';
import { ErrorNotice } from './ErrorNotice.js';
import { formatTime, Time } from './Time.js';

type Open = { kind: 'new' } | { kind: 'edit'; secret: BrandSecret } | { kind: 'delete'; secret: BrandSecret } | null;

function ValueField(props: { label: string; value: string; onInput: (v: string) => void; disabled: boolean; required: boolean }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <textarea class="secret-input" rows={3} value={props.value} required={props.required} disabled={props.disabled}
        autoComplete="off" spellcheck={false} aria-describedby="value-help" onInput={(e) => props.onInput(e.currentTarget.value)} />
      <small id="value-help" class="muted">Visible while you type. After saving it is never shown again — not to you, not in any response.</small>
    </label>
  );
}

function NewSecretDialog(props: { api: Api; brandId: string; onClose: () => void; onSaved: (message: string) => void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const { pending, error, submit } = useSubmit(
    () => props.api.secrets.createBrandSecret({ brandId: props.brandId, name, value, description: description || undefined }),
    () => { setValue(''); props.onSaved(`Secret ${name.trim()} created.`); },
  );
  return (
    <Dialog title="New secret" onClose={props.onClose} busy={pending}>
      <form class="stack" onSubmit={submit}>
        <label class="field">
          <span>Name</span>
          <input required maxLength={100} placeholder="ERP access token" value={name} disabled={pending} data-autofocus
            onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <ValueField label="Value" value={value} onInput={setValue} disabled={pending} required />
        <label class="field">
          <span>Description (optional)</span>
          <input maxLength={500} value={description} disabled={pending} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <ErrorNotice error={error} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose} disabled={pending}>Cancel</button>
          <button type="submit" class="button primary" disabled={pending}>{pending ? 'Saving…' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  );
}

function EditSecretDialog(props: { api: Api; brandId: string; secret: BrandSecret; onClose: () => void; onSaved: (message: string) => void }) {
  const [name, setName] = useState(props.secret.name);
  const [description, setDescription] = useState(props.secret.description ?? '');
  const [value, setValue] = useState('');
  const { pending, error, submit } = useSubmit(() => props.api.secrets.updateBrandSecret({
    brandId: props.brandId, secretId: props.secret.id,
    name: name !== props.secret.name ? name : undefined,
    description: description !== (props.secret.description ?? '') ? description : undefined,
    value: value || undefined,
  }), () => {
    const changes = [
      name !== props.secret.name ? `renamed to ${name.trim()}` : null,
      value ? 'given a new value' : null,
      description !== (props.secret.description ?? '') ? 'described anew' : null,
    ].filter(Boolean);
    setValue('');
    props.onSaved(`Secret ${props.secret.name} ${changes.length ? changes.join(', ') : 'saved'}.`);
  });
  return (
    <Dialog title={`Edit ${props.secret.name}`} onClose={props.onClose} busy={pending}>
      <form class="stack" onSubmit={submit}>
        <p class="muted">References use the secret's id, so renaming breaks nothing.</p>
        <label class="field">
          <span>Name</span>
          <input required maxLength={100} value={name} disabled={pending} data-autofocus onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Description</span>
          <input maxLength={500} value={description} disabled={pending} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <ValueField label="New value (leave empty to keep the current one)" value={value} onInput={setValue} disabled={pending} required={false} />
        <ErrorNotice error={error} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose} disabled={pending}>Cancel</button>
          <button type="submit" class="button primary" disabled={pending}>{pending ? 'Saving…' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteSecretDialog(props: { api: Api; brandId: string; secret: BrandSecret; onClose: () => void; onDeleted: (message: string) => void }) {
  const { pending, error, submit } = useSubmit(() => props.api.secrets.deleteBrandSecret({ brandId: props.brandId, secretId: props.secret.id }),
    () => props.onDeleted(`Secret ${props.secret.name} deleted.`));
  const { secret } = props;
  return (
    <Dialog title={`Delete ${secret.name}?`} onClose={props.onClose} busy={pending}>
      <p class="notice notice-danger">
        The value of <strong>{secret.name}</strong> is destroyed; the audit record stays.{' '}
        {secret.lastAccessedAt
          ? <>It was last read on <strong>{formatTime(secret.lastAccessedAt)}</strong> by your server-side code (which reads it by its id, <code>{secret.id}</code>): whatever reads it there fails from now on.</>
          : <>It has never been used: your server-side code has not read it yet.</>}
      </p>
      <ErrorNotice error={error} />
      <div class="dialog-actions">
        <button type="button" class="button" onClick={props.onClose} disabled={pending} data-autofocus>Cancel</button>
        <button type="button" class="button danger" onClick={() => submit()} disabled={pending}>{pending ? 'Deleting…' : `Delete ${secret.name}`}</button>
      </div>
    </Dialog>
  );
}

export function SecretsPage(props: { api: Api; brand: MyBrand }) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoader(() => props.api.secrets.listBrandSecrets({ brandId: props.brand.brandId, cursor }), [props.brand.brandId, cursor]);
  const [open, setOpenState] = useState<Open>(null);
  const [announcement, setAnnouncement] = useState('');
  // Opening a dialog starts a new action: the last one's message goes.
  const setOpen = (next: Open) => { if (next) setAnnouncement(''); setOpenState(next); };
  // Back to the first page, which loads by itself when the cursor changes; on it already, reload it.
  const done = (message: string) => {
    setOpen(null);
    setAnnouncement(message);
    if (cursors.length === 1) page.reload();
    else setCursors([undefined]);
  };
  const brandId = props.brand.brandId;

  return (
    <section class="page" aria-labelledby="secrets-title">
      <div class="page-head">
        <div>
          <h1 id="secrets-title">Secrets</h1>
          <p class="muted">Write-only values {props.brand.name}'s server-side steps use (access tokens, signing keys). Values are encrypted and never shown.</p>
        </div>
        <button type="button" class="button primary" onClick={() => setOpen({ kind: 'new' })}>New secret</button>
      </div>
      <Announcement text={announcement} />
      <ErrorNotice error={page.error} />
      {page.pending && !page.value ? <p role="status" class="muted">Loading secrets…</p> : null}
      {page.value && page.value.items.length === 0 ? (
        <EmptyState title="No secrets yet.">
          <p>Add one with <strong>New secret</strong>. Server-side code reads it by id with the service key.</p>
        </EmptyState>
      ) : null}
      {page.value && page.value.items.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table responsive-table" role="table" aria-label="Brand secrets">
            <thead role="rowgroup">
              <tr role="row">
                <th role="columnheader" scope="col">Name</th>
                <th role="columnheader" scope="col">Created</th>
                <th role="columnheader" scope="col">Updated</th>
                <th role="columnheader" scope="col">Last used</th>
                <th role="columnheader" scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              {page.value.items.map((s) => (
                <tr role="row" key={s.id}>
                  <td role="cell" data-label="Name" class="cell-name">
                    <span class="credential-name">{s.name}</span>
                    {s.description ? <small class="muted">{s.description}</small> : null}
                    <code class="client-id">{s.id}</code>
                  </td>
                  <td role="cell" data-label="Created"><Time value={s.createdAt} /></td>
                  <td role="cell" data-label="Updated"><Time value={s.updatedAt} /></td>
                  <td role="cell" data-label="Last used"><Time value={s.lastAccessedAt} empty="never" /></td>
                  <td role="cell" data-label="Actions" class="cell-actions">
                    <button type="button" class="button small" aria-label={`Edit ${s.name}`} onClick={() => setOpen({ kind: 'edit', secret: s })}>Edit</button>
                    <button type="button" class="button small danger-outline" aria-label={`Delete ${s.name}`} onClick={() => setOpen({ kind: 'delete', secret: s })}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {page.value && (cursors.length > 1 || page.value.nextCursor) ? (
        <nav class="pager" aria-label="Secret pages">
          <button type="button" class="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
          <button type="button" class="button" disabled={!page.value.nextCursor} onClick={() => setCursors([...cursors, page.value!.nextCursor!])}>Next page</button>
        </nav>
      ) : null}
      {open?.kind === 'new' ? <NewSecretDialog api={props.api} brandId={brandId} onClose={() => setOpen(null)} onSaved={done} /> : null}
      {open?.kind === 'edit' ? <EditSecretDialog api={props.api} brandId={brandId} secret={open.secret} onClose={() => setOpen(null)} onSaved={done} /> : null}
      {open?.kind === 'delete' ? <DeleteSecretDialog api={props.api} brandId={brandId} secret={open.secret} onClose={() => setOpen(null)} onDeleted={done} /> : null}
    </section>
  );
}
