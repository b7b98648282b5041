// Revoke a credential, for good, after a confirmation that names it.
import { useState } from 'preact/hooks';
import type { CredentialSummary } from '../../../src/client/schemas.js';
import type { Api } from '../api.js';
import { useSubmit } from '../use-submit.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';
import { RevocationFields, type ReasonCode } from './RevocationFields.js';

export function RevokeDialog(props: { api: Api; brandId: string; credential: CredentialSummary; onClose: () => void; returnFocus?: () => HTMLElement | null; onRevoked: () => void }) {
  const [reason, setReason] = useState('');
  const [reasonCode, setReasonCode] = useState<ReasonCode>('unspecified');
  const { credential } = props;
  const { pending, error, submit } = useSubmit(
    () => props.api.credentials.revokeCredential({ brandId: props.brandId, credentialId: credential.id, reason, reasonCode }),
    props.onRevoked,
  );

  return (
    <Dialog returnFocus={props.returnFocus} title={`Revoke ${credential.name}?`} onClose={props.onClose} busy={pending} describedBy="revoke-warning">
      <form onSubmit={submit} class="stack">
        <p id="revoke-warning" class="notice notice-danger">
          Revoking <strong>{credential.name}</strong> (<code>{credential.clientId}</code>) is permanent: it can never
          obtain a token again and cannot be un-revoked. Access tokens it already holds stay valid until they
          expire (at most the token lifetime, 10 minutes by default), unless the resource server checks them by introspection.
        </p>
        <RevocationFields id="revoke" reasonCode={reasonCode} onReasonCode={setReasonCode} reason={reason} onReason={setReason}
          placeholder="Why it is revoked, for the audit trail" disabled={pending} />
        <ErrorNotice error={error} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose} disabled={pending}>Cancel</button>
          <button type="submit" class="button danger" disabled={pending}>{pending ? 'Revoking…' : `Revoke ${credential.name}`}</button>
        </div>
      </form>
    </Dialog>
  );
}
