// The reason code and the reason of a revocation, as the revoke dialogs (one credential or many)
// ask for them, and the reason codes in words wherever they are shown.
import { REVOCATION_REASON_CODES } from '../../../src/client/schemas.js';

export type ReasonCode = (typeof REVOCATION_REASON_CODES)[number];

const REASON_LABEL: Record<ReasonCode, string> = {
  unspecified: 'Unspecified', key_compromise: 'Key compromise (the secret leaked)', superseded: 'Superseded by another credential',
  integration_retired: 'Integration retired', policy_violation: 'Policy violation', unused: 'Unused',
};

/** A reason code in words, as the revoke dialogs offer it; an unknown code as its words. */
export function reasonLabel(code: string): string {
  return (REASON_LABEL as Record<string, string>)[code] ?? code.replace(/_/g, ' ');
}

export function RevocationFields(props: {
  /** Prefix of the select's id (one per dialog). */
  id: string;
  reasonCode: ReasonCode; onReasonCode: (code: ReasonCode) => void;
  reason: string; onReason: (reason: string) => void;
  placeholder: string; disabled: boolean;
}) {
  return (
    <>
      <div class="field">
        <label for={`${props.id}-reason-code`}>Reason code</label>
        <select id={`${props.id}-reason-code`} name="reason-code" value={props.reasonCode} disabled={props.disabled}
          onChange={(e) => props.onReasonCode(e.currentTarget.value as ReasonCode)}>
          {REVOCATION_REASON_CODES.map((code) => <option key={code} value={code}>{REASON_LABEL[code]}</option>)}
        </select>
      </div>
      <label class="field">
        <span>Reason</span>
        <textarea name="reason" required maxLength={500} rows={2} placeholder={props.placeholder} value={props.reason} disabled={props.disabled}
          onInput={(e) => props.onReason(e.currentTarget.value)} data-autofocus />
      </label>
    </>
  );
}
