/** Position after the last task of a page: keyset on (created_at, id), newest first. */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

/** A UTC time as Date.toISOString() writes it, from year 1 (PostgreSQL has no year 0) to 9999. */
const ISO_TIME = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString("base64url");
}

/** undefined when the text is not a cursor this store produced. */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== "string" || typeof id !== "string") return undefined;
    // exactly the form Date.toISOString() gives (and PostgreSQL reads back): Date.parse alone
    // takes "1" or "2026-02-30", which the database refuses or reads otherwise
    if (!ISO_TIME.test(createdAt)) return undefined;
    const time = Date.parse(createdAt);
    if (Number.isNaN(time) || new Date(time).toISOString() !== createdAt) return undefined;
    const position = { createdAt, id };
    // only the exact text encodeCursor produced, not one of its lenient base64 variants
    return encodeCursor(position) === cursor ? position : undefined;
  } catch {
    return undefined;
  }
}
