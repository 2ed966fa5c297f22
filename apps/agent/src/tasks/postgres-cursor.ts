/** Position after the last task of a page: keyset on (created_at, id), newest first. */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

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
    if (Number.isNaN(Date.parse(createdAt))) return undefined;
    const position = { createdAt, id };
    // only the exact text encodeCursor produced, not one of its lenient base64 variants
    return encodeCursor(position) === cursor ? position : undefined;
  } catch {
    return undefined;
  }
}
