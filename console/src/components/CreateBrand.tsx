// Create a brand (create_brand): the signed-in user becomes its owner.
import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { useSubmit } from '../use-submit.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';

export function CreateBrandForm(props: { api: Api; onCreated: (brandId: string) => void; autofocus?: boolean }) {
  const [name, setName] = useState('');
  const { pending, error, submit } = useSubmit(() => props.api.brands.createBrand({ name }), ({ brandId }) => props.onCreated(brandId));
  return (
    <form onSubmit={submit} class="stack">
      <label class="field">
        <span>Brand name</span>
        <input name="brand-name" required maxLength={200} placeholder="Acme Shop" value={name} disabled={pending}
          onInput={(e) => setName(e.currentTarget.value)} data-autofocus={props.autofocus ? '' : undefined} />
      </label>
      <ErrorNotice error={error} />
      <div class="dialog-actions">
        <button type="submit" class="button primary" disabled={pending}>{pending ? 'Creating the brand…' : 'Create brand'}</button>
      </div>
    </form>
  );
}

export function CreateBrandDialog(props: { api: Api; onClose: () => void; onCreated: (brandId: string) => void }) {
  return (
    <Dialog title="New brand" onClose={props.onClose}>
      <p class="muted">You become the brand's owner; add admins and members afterwards.</p>
      <CreateBrandForm api={props.api} onCreated={props.onCreated} autofocus />
    </Dialog>
  );
}
