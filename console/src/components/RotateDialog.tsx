// Rotate a credential's secret: a new secret is made and hashed in the Web Worker; the server
// gets only the new hash; the new secret is shown once afterwards.
import { useState } from 'preact/hooks';
import type { CredentialSummary } from '../../../src/client/schemas.js';
import type { Api } from '../api.js';
import { makeSecret } from '../secret-maker.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';
import type { ShownSecret } from './NewCredentialDialog.js';
import { SecretProgress, type SecretStep } from './SecretProgress.js';

export function RotateDialog(props: { api: Api; brandId: string; credential: CredentialSummary; onClose: () => void; onRotated: (shown: ShownSecret) => void }) {
  const [reason, setReason] = useState('Scheduled rotation');
  const [step, setStep] = useState<SecretStep | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { credential } = props;

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    try {
      setStep('generating');
      const issued = await makeSecret({ withClientId: false, onStage: setStep });
      setStep('sending');
      await props.api.credentials.rotateSecretRecord({
        brandId: props.brandId, credentialId: credential.id, newSecretHash: issued.hash, reason,
      });
      props.onRotated({ credentialName: credential.name, clientId: credential.clientId, clientSecret: issued.clientSecret, hashMs: issued.hashMs, kind: 'rotated' });
    } catch (failure) {
      setError(failure);
      setStep(null);
    }
  }

  const busy = step !== null;
  return (
    <Dialog title={`Rotate the secret of ${credential.name}`} onClose={props.onClose} busy={busy}>
      <form onSubmit={submit} class="stack">
        <p>
          A new secret replaces the current one of <strong>{credential.name}</strong> (<code>{credential.clientId}</code>).
          The client ID, scopes and expiry stay. Integrations using the current secret stop getting tokens.
        </p>
        <label class="field">
          <span>Reason</span>
          <input name="reason" required maxLength={500} value={reason} disabled={busy} onInput={(e) => setReason(e.currentTarget.value)} data-autofocus />
        </label>
        {step ? <SecretProgress step={step} /> : null}
        <ErrorNotice error={error} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose} disabled={busy}>Cancel</button>
          <button type="submit" class="button primary" disabled={busy}>{busy ? 'Rotating…' : 'Rotate secret'}</button>
        </div>
      </form>
    </Dialog>
  );
}
