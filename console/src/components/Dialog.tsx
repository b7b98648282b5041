// A modal dialog (native <dialog> + showModal): named by its title, focus moves into it on open,
// Tab cycles inside it, Escape closes it (unless busy), and focus returns where it was on close.
import type { ComponentChildren } from 'preact';
import { useId, useLayoutEffect, useRef } from 'preact/hooks';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: {
  title: ComponentChildren;
  /** Accessible name when the visible title is not plain text. */
  label?: string;
  onClose: () => void;
  /** While true, Escape does not close (an action is in flight). */
  busy?: boolean;
  /** Wider layout for tables. */
  wide?: boolean;
  describedBy?: string;
  /** Where focus goes on close (default: the element focused when it opened). */
  returnFocus?: () => HTMLElement | null | undefined;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  const busy = useRef(props.busy);
  busy.current = props.busy;
  const returnFocus = useRef(props.returnFocus);
  returnFocus.current = props.returnFocus;

  // A layout effect, not useEffect: Preact 11 defers a passive effect's cleanup on unmount until
  // after paint, when the <dialog> is already out of the document and focus has fallen to <body>.
  // Opening (showModal, focus in) and closing (close, focus back) happen in the same commit as the
  // DOM change, so focus is never left on <body> in between.
  useLayoutEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    const onCancel = (event: Event) => {
      event.preventDefault();
      if (!busy.current) onClose.current();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Tab') return;
      const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
      if (items.length === 0) return;
      const [head, tail] = [items[0]!, items[items.length - 1]!];
      if (event.shiftKey && document.activeElement === head) {
        event.preventDefault();
        tail.focus();
      } else if (!event.shiftKey && document.activeElement === tail) {
        event.preventDefault();
        head.focus();
      }
    };
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('keydown', onKeyDown);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('keydown', onKeyDown);
      if (dialog.open) dialog.close();
      const target = returnFocus.current?.() ?? opener;
      // The opener may be gone (a revoked row loses its Revoke button): fall back to the main region.
      (target?.isConnected ? target : document.getElementById('main'))?.focus();
    };
  }, []);

  return (
    <dialog ref={ref} class={props.wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={props.label ? undefined : titleId}
      aria-label={props.label} aria-describedby={props.describedBy}>
      <header class="dialog-header">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="icon-button" aria-label="Close" disabled={props.busy} onClick={() => props.onClose()}>×</button>
      </header>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  );
}
