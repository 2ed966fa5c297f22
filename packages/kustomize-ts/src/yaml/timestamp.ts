/**
 * The timestamps go-yaml recognises in plain scalars (YYYY-M-D, optionally with a time),
 * rendered the way encoding/json writes a time.Time (RFC 3339 with nanoseconds trimmed).
 */
const DATE_TIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?)?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The RFC 3339 text for a timestamp scalar, or undefined when `s` is not one. */
export function parseTimestamp(s: string): string | undefined {
  const m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, sep, h, mi, se, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  const date = `${y}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  if (sep === undefined) return `${date}T00:00:00Z`;
  // "2006-1-2 15:4:5" carries no zone; the T forms require one.
  if (sep === " " ? zone !== undefined : zone === undefined) return undefined;
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(se);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (frac !== undefined && frac.length > 9) return undefined;
  const fraction = frac ? frac.replace(/0+$/, "") : "";
  const time = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}`;
  let tz = zone ?? "Z";
  if (tz === "+00:00") tz = "Z";
  return `${date}T${time}${fraction ? `.${fraction}` : ""}${tz}`;
}
