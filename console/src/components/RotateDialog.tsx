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
import { formatTime } from './Time.js';

const GRACE_OPTIONS: [number, string][] = [
  [0, 'None'], [3600, '1 hour'], [86_400, '24 hours'], [259_200, '3 days'], [604_800, '7 days (the maximum)'],
];

/** What the grace choice means for the current secret, in words, shown next to the choice. */
function graceConsequence(seconds: number, expiresAt: string | null): string {
  if (seconds === 0) return 'The current secret stops working at once: integrations that still use it get no new tokens from the moment you rotate.';
  const until = new Date(Date.now() + seconds * 1000);
  const capped = expiresAt && new Date(expiresAt) < until;
  return `The current secret keeps working until about ${formatTime((capped ? new Date(expiresAt) : until).toISOString())}`
    + `${capped ? ' (the credential expires then)' : ''}; both secrets work until then, and the table shows when the old one was last used.`;
}

export function RotateDialog(props: { api: Api; brandId: string; credential: CredentialSummary; onClose: () => void; returnFocus?: () => HTMLElement | null; onRotated: (shown: ShownSecret) => void }) {
  const [reason, setReason] = useState('');
  const [grace, setGrace] = useState(0);
  const [step, setStep] = useState<SecretStep | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { credential } = props;

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    // Like Revoke: a reason someone typed, for the audit trail (no secret is made without one).
    if (!reason.trim()) {
      setError(new Error('Give a reason for the rotation: it is kept in the audit trail.'));
      return;
    }
    try {
      setStep('generating');
      const issued = await makeSecret({ withClientId: false, onStage: setStep });
      setStep('sending');
      const result = await props.api.credentials.rotateSecretRecord({
        brandId: props.brandId, credentialId: credential.id, newSecretHash: issued.hash, reason, graceSeconds: grace,
      });
      props.onRotated({
        credentialName: credential.name, clientId: credential.clientId, clientSecret: issued.clientSecret, hashMs: issued.hashMs, kind: 'rotated',
        graceUntil: result.previousSecretExpiresAt,
      });
    } catch (failure) {
      setError(failure);
      setStep(null);
    }
  }

  const busy = step !== null;
  return (
    <Dialog returnFocus={props.returnFocus} title={`Rotate the secret of ${credential.name}`} onClose={props.onClose} busy={busy}>
      <form onSubmit={submit} class="stack">
        <p>
          A new secret replaces the current one of <strong>{credential.name}</strong> (<code>{credential.clientId}</code>).
          The client ID, scopes and expiry stay.
        </p>
        <label class="field">
          <span>Reason</span>
          <textarea name="reason" required maxLength={500} rows={2} placeholder="Why it is rotated, for the audit trail" value={reason} disabled={busy}
            onInput={(e) => setReason(e.currentTarget.value)} data-autofocus />
        </label>
        <div class="field">
          <label for="rotate-grace">Grace period for the current secret</label>
          <select id="rotate-grace" name="grace" value={String(grace)} disabled={busy} onChange={(e) => setGrace(Number(e.currentTarget.value))} aria-describedby="grace-consequence grace-help">
            {GRACE_OPTIONS.map(([seconds, label]) => <option key={seconds} value={String(seconds)}>{label}</option>)}
          </select>
          <p id="grace-consequence" class={`notice ${grace === 0 ? 'notice-danger' : 'notice-info'} grace-consequence`} aria-live="polite">
            {graceConsequence(grace, credential.expiresAt)}
          </p>
          <small id="grace-help" class="muted">A grace period lets you switch the integration over to the new secret without an outage (never past the credential's expiry).</small>
        </div>
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
