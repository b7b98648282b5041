// Revoke several credentials at once, for good, after a confirmation that says how many and names
// each. One call (revoke_api_credential_records by ids): all or nothing. A selected credential that
// someone else revoked in the meantime is not an error there — it is left as it was and missing
// from the answer's ids — so the result says plainly which ones this revocation did not change.
import { useState } from 'preact/hooks';
import type { CredentialSummary } from '../../../src/client/schemas.js';
import type { Api } from '../api.js';
import { useSubmit } from '../use-submit.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';
import { RevocationFields, type ReasonCode } from './RevocationFields.js';

/** What one "Revoke selected" did: the credentials it revoked, and the selected ones that were already revoked. */
export interface RevokeManyResult {
  revoked: CredentialSummary[];
  alreadyRevoked: CredentialSummary[];
  reasonCode: ReasonCode;
}

export const credentialsWord = (n: number) => (n === 1 ? '1 credential' : `${n} credentials`);

export function RevokeManyDialog(props: {
  api: Api; brandId: string; credentials: CredentialSummary[];
  onClose: () => void; returnFocus?: () => HTMLElement | null; onRevoked: (result: RevokeManyResult) => void;
}) {
  const [reason, setReason] = useState('');
  const [reasonCode, setReasonCode] = useState<ReasonCode>('unspecified');
  const { credentials } = props;
  const count = credentialsWord(credentials.length);
  const { pending, error, submit } = useSubmit(async (): Promise<RevokeManyResult> => {
    const answer = await props.api.credentials.revokeCredentials({
      brandId: props.brandId, credentialIds: credentials.map((c) => c.id), reason, reasonCode,
    });
    const revokedIds = new Set(answer.credentialIds);
    return {
      revoked: credentials.filter((c) => revokedIds.has(c.id)),
      alreadyRevoked: credentials.filter((c) => !revokedIds.has(c.id)),
      reasonCode,
    };
  }, props.onRevoked);

  return (
    <Dialog returnFocus={props.returnFocus} title={`Revoke ${count}?`} onClose={props.onClose} busy={pending} describedBy="revoke-many-warning">
      <form onSubmit={submit} class="stack">
        <div id="revoke-many-warning" class="notice notice-danger">
          <p>
            {credentials.length === 1
              ? 'Revoking is permanent: this credential can never obtain a token again and cannot be un-revoked. Access tokens it already holds'
              : `Revoking is permanent: these ${count} can never obtain a token again and cannot be un-revoked. Access tokens they already hold`}
            {' '}stay valid until they expire (at most the token lifetime, 10 minutes by default), unless the resource
            server checks them by introspection.
          </p>
        </div>
        <ul class="revoke-list" aria-label="Credentials to revoke">
          {credentials.map((c) => <li key={c.id}><strong>{c.name}</strong> (<code>{c.clientId}</code>)</li>)}
        </ul>
        {credentials.length > 1 ? <p class="muted">All or nothing: if one of them cannot be revoked, none is.</p> : null}
        <RevocationFields id="revoke-many" reasonCode={reasonCode} onReasonCode={setReasonCode} reason={reason} onReason={setReason}
          placeholder="Why they are revoked, for the audit trail" disabled={pending} />
        <ErrorNotice error={error} title="Nothing was revoked." />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose} disabled={pending}>Cancel</button>
          <button type="submit" class="button danger" disabled={pending}>{pending ? 'Revoking…' : `Revoke ${count}`}</button>
        </div>
      </form>
    </Dialog>
  );
}
