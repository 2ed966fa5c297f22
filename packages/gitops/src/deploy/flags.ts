/** Flag parsing for the gitops verbs: node's parseArgs, with mistakes turned into usage errors. */
import { parseArgs } from "node:util";
import { UsageError } from "../command.ts";
import { requireOneLine } from "../git/log.ts";

type Spec = Record<string, { type: "string" | "boolean" }>;
type Values<S extends Spec> = {
  [K in keyof S]?: S[K]["type"] extends "string" ? string : boolean;
};

export function parseFlags<S extends Spec>(args: readonly string[], spec: S): Values<S> {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: spec,
      strict: true,
      allowPositionals: false,
    });
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== "string") continue;
      if (value.trim() === "") throw new UsageError(`--${key} needs a value`);
      requireOneLine(`--${key}`, value, (message) => new UsageError(message));
    }
    return values as Values<S>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError(`missing --${flag}`);
  return value;
}
