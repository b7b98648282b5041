// A timestamp, one format everywhere: compact local date and 24-hour time with the time zone
// ("Dec 1, 2025, 12:00 UTC" in en-US; the year is left out in the current year: "Dec 1, 12:00 UTC"),
// the full ISO value in datetime/title; "—" when absent. It never wraps inside its date or its time.
const dateOnly = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const dateThisYear = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const yearOf = new Intl.DateTimeFormat(undefined, { year: 'numeric' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
const dayKey = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'numeric', year: 'numeric' });

/** The date and the time of a timestamp, as the console writes them; with `sameDayTimeOnly`, no date when it is today. */
export function timeParts(iso: string, options: { sameDayTimeOnly?: boolean } = {}): { date: string | null; time: string } | null {
  const value = new Date(iso);
  if (Number.isNaN(value.getTime())) return null;
  const today = dayKey.format(value) === dayKey.format(new Date());
  const thisYear = yearOf.format(value) === yearOf.format(new Date());
  return { date: options.sameDayTimeOnly && today ? null : (thisYear ? dateThisYear : dateOnly).format(value), time: timeOnly.format(value) };
}

/** The timestamp in the console's one format ("Dec 1, 12:00 UTC"); "—" when absent. */
export function formatTime(iso: string | null | undefined, options: { sameDayTimeOnly?: boolean } = {}): string {
  if (!iso) return '—';
  const parts = timeParts(iso, options);
  if (!parts) return iso;
  return parts.date ? `${parts.date}, ${parts.time}` : parts.time;
}

/**
 * A timestamp as text, "Dec 1, 12:00 UTC", never broken inside its date or its clock time. It is on
 * one line wherever there is room; the credentials table's tight columns (`.credentials-table
 * .time`) may put the clock time under the date, the only place it may wrap.
 */
export function Time(props: { value: string | null | undefined; empty?: string; sameDayTimeOnly?: boolean }) {
  if (!props.value) return <span class="muted">{props.empty ?? '—'}</span>;
  const parts = timeParts(props.value, { sameDayTimeOnly: props.sameDayTimeOnly });
  if (!parts) return <time dateTime={props.value}>{props.value}</time>;
  return (
    <time class="time" dateTime={props.value} title={props.value}>
      {parts.date ? <><span class="time-part">{parts.date},</span> </> : null}<span class="time-part">{parts.time}</span>
    </time>
  );
}
