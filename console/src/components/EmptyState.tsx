// What an empty list says: what is (not) here, and what to do next.
import type { ComponentChildren } from 'preact';

export function EmptyState(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty-state">
      <p class="empty-title">{props.title}</p>
      {props.children ? <div class="empty-body">{props.children}</div> : null}
    </div>
  );
}
