// What the last action did ("Role of ana@example.com changed to admin."), said in a polite live
// region: screen readers read it out, and it stays visible until the next action replaces it.
// The region is always in the document (empty when there is nothing to say), so a new message is
// announced rather than missed as part of a newly inserted element.
export function Announcement(props: { text: string }) {
  return (
    <p role="status" aria-live="polite" class={props.text ? 'notice notice-success announcement' : 'announcement-empty'}>{props.text}</p>
  );
}
