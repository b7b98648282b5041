// Shows a failure as the server put it: its message, and its hint (what to do about it).
import { MintIdError } from '../../../src/client/errors.js';

export function describeError(error: unknown): { message: string; hint: string | null } {
  if (error instanceof MintIdError) return { message: error.message, hint: error.hint };
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return { message: error.message, hint: null };
  }
  return { message: String(error), hint: null };
}

export function ErrorNotice(props: { error: unknown; title?: string }) {
  if (!props.error) return null;
  const { message, hint } = describeError(props.error);
  return (
    <div class="notice notice-error" role="alert">
      <p class="notice-title">{props.title ?? message}</p>
      {props.title ? <p>{message}</p> : null}
      {hint ? <p class="notice-hint">{hint}</p> : null}
    </div>
  );
}
