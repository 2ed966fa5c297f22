/**
 * Text helpers that count characters as code points, as the API's length limits do: cutting
 * a string by UTF-16 units can split an emoji into half a surrogate pair, which PostgreSQL's
 * jsonb refuses and which no client can decode.
 */

/** `text` cut to at most `max` code points, ending with "…" when something was cut. */
export function truncate(text: string, max: number): string {
  // A string is never longer in code points than in UTF-16 units.
  if (text.length <= max) return text;
  let units = 0;
  let points = 0;
  for (const char of text) {
    if (points === max - 1) {
      // What is left must be more than this one character for a cut to be needed.
      if (units + char.length < text.length) return `${text.slice(0, units).trimEnd()}…`;
      return text;
    }
    units += char.length;
    points += 1;
  }
  return text;
}

/** `text` with every unpaired surrogate half replaced by U+FFFD, so it can be stored and sent. */
export function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}
