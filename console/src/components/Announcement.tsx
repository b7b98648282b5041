// What the last action did ("Role of ana@example.com changed to admin."), said in a polite live
// region: screen readers read it out, and it stays visible until the next action replaces it.
// The region is always in the document (empty when there is nothing to say), so a new message is
// announced rather than missed as part of a newly inserted element.
// `hidden`: read out only, not shown (where the change is visible in the page itself).
export function Announcement(props: { text: string; hidden?: boolean }) {
  const shown = props.text ? 'notice notice-success announcement' : 'announcement-empty';
  return <p role="status" aria-live="polite" class={props.hidden ? 'visually-hidden' : shown}>{props.text}</p>;
}
