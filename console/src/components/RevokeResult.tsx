// What "Revoke selected" did, said plainly on the credentials page: how many were revoked, which,
// and which of the selected ones were already revoked (by someone else, before the confirmation).
import type { Ref } from 'preact';
import { credentialsWord, type RevokeManyResult } from './RevokeManyDialog.js';
import { reasonLabel } from './RevocationFields.js';

const names = (list: { name: string }[]) => list.map((c) => c.name).join(', ');

export function RevokeResult(props: { result: RevokeManyResult; onDismiss: () => void; focusRef?: Ref<HTMLDivElement> }) {
  const { revoked, alreadyRevoked, reasonCode } = props.result;
  const selected = revoked.length + alreadyRevoked.length;
  const headline = revoked.length === 0
    ? `Nothing was revoked: all ${credentialsWord(selected)} you selected had already been revoked.`
    : alreadyRevoked.length === 0
      ? `Revoked ${credentialsWord(revoked.length)}: ${names(revoked)}.`
      : `Revoked ${revoked.length} of the ${selected} selected credentials: ${names(revoked)}.`;
  return (
    <div id="revoke-result" ref={props.focusRef} tabIndex={-1} class={`notice ${revoked.length ? 'notice-info' : 'notice-error'} revoke-result`}
      role="region" aria-label="Revoke result">
      <div>
        <p class="notice-title">{headline}</p>
        {alreadyRevoked.length > 0 && revoked.length > 0 ? (
          <p>
            Already revoked before you confirmed (probably by someone else), so left as they were: {names(alreadyRevoked)}.
          </p>
        ) : null}
        {revoked.length > 0 ? <p class="muted">Reason code: {reasonLabel(reasonCode)}. Each revocation is in the audit trail.</p> : null}
      </div>
      <button type="button" class="button small" onClick={props.onDismiss}>Dismiss</button>
    </div>
  );
}
