// Ends a rotation's grace period now: from then on only the current secret authenticates.
import { useState } from 'preact/hooks';
import type { CredentialSummary } from '../../../src/client/schemas.js';
import type { Api } from '../api.js';
import { useSubmit } from '../use-submit.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';
import { formatTime } from './Time.js';

export function EndGraceDialog(props: { api: Api; brandId: string; credential: CredentialSummary; onClose: () => void; returnFocus?: () => HTMLElement | null; onEnded: () => void }) {
  const [reason, setReason] = useState('Integration switched to the new secret');
  const { credential } = props;
  const { pending, error, submit } = useSubmit(
    () => props.api.credentials.endRotationGrace({ brandId: props.brandId, credentialId: credential.id, reason }),
    props.onEnded,
  );
  return (
    <Dialog returnFocus={props.returnFocus} title={`End the grace period of ${credential.name}?`} onClose={props.onClose} busy={pending}>
      <form class="stack" onSubmit={submit}>
        <p>
          The previous secret of <strong>{credential.name}</strong> stops working now instead of at {formatTime(credential.previousSecretExpiresAt)}.
          It was last used {credential.previousSecretLastUsedAt ? formatTime(credential.previousSecretLastUsedAt) : 'never'}.
        </p>
        <label class="field">
          <span>Reason</span>
          <input required maxLength={500} value={reason} disabled={pending} data-autofocus onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <ErrorNotice error={error} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose} disabled={pending}>Cancel</button>
          <button type="submit" class="button danger" disabled={pending}>{pending ? 'Ending…' : 'End grace'}</button>
        </div>
      </form>
    </Dialog>
  );
}
