// Create a credential: name, scopes, optional expiry and metadata. The secret and the client id
// are made and the secret argon2id-hashed in the Web Worker; only the hash goes to the server.
import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { makeSecret } from '../secret-maker.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';
import { SecretProgress, type SecretStep } from './SecretProgress.js';

export interface ShownSecret {
  credentialName: string;
  clientId: string;
  clientSecret: string;
  hashMs: number;
  kind: 'created' | 'rotated';
  graceUntil?: string | null;
}

/** Splits "a:read, b:write c:read" into distinct scopes. */
export function parseScopes(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}

export function NewCredentialDialog(props: { api: Api; brandId: string; onClose: () => void; returnFocus?: () => HTMLElement | null; onCreated: (shown: ShownSecret) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState('');
  const [expires, setExpires] = useState('');
  const [metadata, setMetadata] = useState('');
  const [step, setStep] = useState<SecretStep | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The scopes of the refused attempt, so the error can name the ones written wrong.
  const [sentScopes, setSentScopes] = useState<string[]>([]);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    let meta: Record<string, unknown> | undefined;
    if (metadata.trim()) {
      try {
        const parsed: unknown = JSON.parse(metadata);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        meta = parsed as Record<string, unknown>;
      } catch {
        setError(new Error('Metadata must be a JSON object, e.g. {"team": "erp"}.'));
        return;
      }
    }
    try {
      setStep('generating');
      const issued = await makeSecret({ withClientId: true, onStage: setStep });
      setStep('sending');
      const list = parseScopes(scopes);
      setSentScopes(list);
      await props.api.credentials.createCredentialRecord({
        brandId: props.brandId, name, clientId: issued.clientId!, clientSecretHash: issued.hash, scopes: list,
        metadata: meta, expiresAt: expires ? new Date(expires).toISOString() : null,
      });
      props.onCreated({ credentialName: name.trim(), clientId: issued.clientId!, clientSecret: issued.clientSecret, hashMs: issued.hashMs, kind: 'created' });
    } catch (failure) {
      setError(failure);
      setStep(null);
    }
  }

  const busy = step !== null;
  return (
    <Dialog returnFocus={props.returnFocus} title="New credential" onClose={props.onClose} busy={busy}>
      <form onSubmit={submit} class="stack">
        <label class="field">
          <span>Name</span>
          <input name="name" required maxLength={120} placeholder="ERP sync" value={name} disabled={busy}
            onInput={(e) => setName(e.currentTarget.value)} data-autofocus />
        </label>
        <label class="field">
          <span>Scopes</span>
          <input name="scopes" required placeholder="products:read orders:write" value={scopes} disabled={busy}
            aria-describedby="scopes-help" onInput={(e) => setScopes(e.currentTarget.value)} />
          <small id="scopes-help" class="muted">resource:action, separated by spaces or commas.</small>
        </label>
        <label class="field">
          <span>Expires (optional)</span>
          <input type="datetime-local" name="expires" value={expires} disabled={busy} onInput={(e) => setExpires(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Metadata (optional JSON object)</span>
          <textarea name="metadata" rows={3} placeholder='{"team": "erp"}' value={metadata} disabled={busy}
            onInput={(e) => setMetadata(e.currentTarget.value)} />
        </label>
        {step ? <SecretProgress step={step} /> : null}
        <ErrorNotice error={error} input={{ scopes: sentScopes }} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose} disabled={busy}>Cancel</button>
          <button type="submit" class="button primary" disabled={busy}>{busy ? 'Creating…' : 'Create'}</button>
        </div>
      </form>
    </Dialog>
  );
}
