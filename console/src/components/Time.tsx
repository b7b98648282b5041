// A timestamp: short local date and time, the full ISO value in datetime/title; "—" when absent.
const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format.format(date);
}

export function Time(props: { value: string | null | undefined; empty?: string }) {
  if (!props.value) return <span class="muted">{props.empty ?? '—'}</span>;
  return <time dateTime={props.value} title={props.value}>{formatTime(props.value)}</time>;
}
