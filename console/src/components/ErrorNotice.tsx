// Shows a failure in the console's own words (console/src/error-text.ts): what went wrong and,
// where it helps, what to do; then, folded under "Details from the server", the server's own
// message and hint (SPEC §11). An optional title says what was being done ("Nothing was revoked.").
import { explainError, type SubmittedInput } from '../error-text.js';

export function ErrorNotice(props: { error: unknown; title?: string; input?: SubmittedInput }) {
  if (!props.error) return null;
  const { message, action, code, server } = explainError(props.error, props.input);
  return (
    <div class="notice notice-error" role="alert" data-error-code={code}>
      <p class="notice-title">{props.title ?? message}</p>
      {props.title ? <p>{message}</p> : null}
      {action ? <p class="notice-hint">{action}</p> : null}
      {server ? (
        <details class="notice-details">
          <summary>Details from the server</summary>
          <p>{server.message}</p>
          {server.hint ? <p>{server.hint}</p> : null}
        </details>
      ) : null}
    </div>
  );
}
