// Revoke a credential, for good, after a confirmation that names it.
import { useState } from 'preact/hooks';
import { REVOCATION_REASON_CODES, type CredentialSummary } from '../../../src/client/schemas.js';
import type { Api } from '../api.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';

type ReasonCode = (typeof REVOCATION_REASON_CODES)[number];
export const REASON_LABEL: Record<ReasonCode, string> = {
  unspecified: 'Unspecified', key_compromise: 'Key compromise (the secret leaked)', superseded: 'Superseded by another credential',
  integration_retired: 'Integration retired', policy_violation: 'Policy violation', unused: 'Unused',
};

/** A reason code in words, as the revoke dialog offers it; an unknown code as its words. */
export function reasonLabel(code: string): string {
  return (REASON_LABEL as Record<string, string>)[code] ?? code.replace(/_/g, ' ');
}

export function RevokeDialog(props: { api: Api; brandId: string; credential: CredentialSummary; onClose: () => void; returnFocus?: () => HTMLElement | null; onRevoked: () => void }) {
  const [reason, setReason] = useState('');
  const [reasonCode, setReasonCode] = useState<ReasonCode>('unspecified');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { credential } = props;

  async function submit(event: Event) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await props.api.credentials.revokeCredential({ brandId: props.brandId, credentialId: credential.id, reason, reasonCode });
      props.onRevoked();
    } catch (failure) {
      setError(failure);
      setPending(false);
    }
  }

  return (
    <Dialog returnFocus={props.returnFocus} title={`Revoke ${credential.name}?`} onClose={props.onClose} busy={pending} describedBy="revoke-warning">
      <form onSubmit={submit} class="stack">
        <p id="revoke-warning" class="notice notice-danger">
          Revoking <strong>{credential.name}</strong> (<code>{credential.clientId}</code>) is permanent: it can never
          obtain a token again and cannot be un-revoked. Access tokens it already holds stay valid until they
          expire (at most the token lifetime, 10 minutes by default), unless the resource server checks them by introspection.
        </p>
        <div class="field">
          <label for="revoke-reason-code">Reason code</label>
          <select id="revoke-reason-code" name="reason-code" value={reasonCode} disabled={pending} onChange={(e) => setReasonCode(e.currentTarget.value as ReasonCode)}>
            {REVOCATION_REASON_CODES.map((code) => <option key={code} value={code}>{REASON_LABEL[code]}</option>)}
          </select>
        </div>
        <label class="field">
          <span>Reason</span>
          <textarea name="reason" required maxLength={500} rows={2} placeholder="Why it is revoked, for the audit trail" value={reason} disabled={pending}
            onInput={(e) => setReason(e.currentTarget.value)} data-autofocus />
        </label>
        <ErrorNotice error={error} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose} disabled={pending}>Cancel</button>
          <button type="submit" class="button danger" disabled={pending}>{pending ? 'Revoking…' : `Revoke ${credential.name}`}</button>
        </div>
      </form>
    </Dialog>
  );
}
