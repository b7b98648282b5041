// A credential's own audit trail (list_api_credential_events for one credential).
import type { CredentialSummary } from '../../../src/client/schemas.js';
import type { Api } from '../api.js';
import { useActorNames } from '../use-actor-names.js';
import { useLoader } from '../use-loader.js';
import { AuditList } from './AuditList.js';
import { Dialog } from './Dialog.js';
import { EmptyState } from './EmptyState.js';
import { ErrorNotice } from './ErrorNotice.js';

export function CredentialHistoryDialog(props: { api: Api; brandId: string; credential: CredentialSummary; onClose: () => void; returnFocus?: () => HTMLElement | null }) {
  const events = useLoader(() => props.api.credentials.listEvents({ brandId: props.brandId, credentialId: props.credential.id, limit: 100 }),
    [props.brandId, props.credential.id]);
  const actorName = useActorNames(props.api, props.brandId);
  return (
    <Dialog returnFocus={props.returnFocus} title={`Audit trail of ${props.credential.name}`} onClose={props.onClose} wide>
      <p class="muted">Every change of <code>{props.credential.clientId}</code>, newest first. Records are append-only.</p>
      {events.pending ? <p role="status">Loading the audit trail…</p> : null}
      <ErrorNotice error={events.error} />
      {events.value && events.value.items.length === 0 ? <EmptyState title="No records yet." /> : null}
      {events.value && events.value.items.length > 0 ? (
        <AuditList actorName={actorName} label={`Audit trail of ${props.credential.name}`} entries={events.value.items.map((e) => ({ ...e }))} />
      ) : null}
      <div class="dialog-actions">
        <button type="button" class="button" onClick={props.onClose}>Close</button>
      </div>
    </Dialog>
  );
}
