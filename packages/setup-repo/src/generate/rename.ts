/**
 * Targeted rewrites that turn a copy of one app (its sources and its gitops tree) into
 * another: names where they are identifiers, strings or Kubernetes names, the port where a
 * line is about a port. Prose that speaks of "the agent" in general is left alone.
 */
import type { AgentNames } from "./names.ts";

export interface RenameContext {
  from: AgentNames;
  to: AgentNames;
  fromPort: number;
  toPort: number;
  /** Text that must never change (the repository's names, which may contain the app's). */
  protect: string[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const NAME_CHAR = "A-Za-z0-9_";

/** Runs edit on text with every protected string masked out, then puts them back. */
function masked(text: string, protect: string[], edit: (text: string) => string): string {
  const terms = [...new Set(protect.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (terms.length === 0) return edit(text);
  const found: string[] = [];
  const pattern = new RegExp(terms.map(escapeRegExp).join("|"), "gi");
  const hidden = text.replace(pattern, (match) => {
    found.push(match);
    return `\uE000${found.length - 1}\uE001`;
  });
  return edit(hidden).replace(/\uE000(\d+)\uE001/g, (_, i: string) => found[Number(i)] as string);
}

function replacePort(line: string, ctx: RenameContext): string {
  return line.replace(new RegExp(`(?<![0-9])${ctx.fromPort}(?![0-9])`, "g"), String(ctx.toPort));
}

/** A source file of the app (TypeScript, JSON, Markdown). */
export function renameInSource(text: string, ctx: RenameContext): string {
  const { from, to } = ctx;
  const name = escapeRegExp(from.name);
  const rules: [RegExp, string][] = [
    [new RegExp(`${escapeRegExp(from.pkg)}(?![${NAME_CHAR}-])`, "g"), to.pkg],
    [new RegExp(`(?<![${NAME_CHAR}-])apps/${name}(?![${NAME_CHAR}-])`, "g"), `apps/${to.name}`],
    // snake_case identifiers built on the name: the tasks NOTIFY channel agent_tasks.
    [new RegExp(`(?<![${NAME_CHAR}])${escapeRegExp(from.snake)}_`, "g"), `${to.snake}_`],
    // Names built on it at the start of a string: "agent-migrations", `agent: config error`.
    [new RegExp(`(?<=["'\`])${name}(?=[-:])`, "g"), `${to.name}`],
    // The name as a whole string where it is a value (service: "agent"), not where it is a
    // key of a type or an export (Pick<Config, "agent">, "export `agent`").
    [new RegExp(`(?<=[:=(]\\s*(["'\`]))${name}(?=\\1)`, "g"), to.name],
    // The OpenAPI title: "Agent service".
    [new RegExp(`(?<=["'\`])${escapeRegExp(from.display)}(?= service\\b)`, "g"), to.display],
  ];
  return masked(text, ctx.protect, (hidden) => {
    let out = hidden;
    for (const [pattern, replacement] of rules) out = out.replace(pattern, replacement);
    return out
      .split("\n")
      .map((line) =>
        /port/i.test(line) || line.includes(`:${ctx.fromPort}`) ? replacePort(line, ctx) : line,
      )
      .join("\n");
  });
}

/** What a new app's overlays run until CI's first build of it (`gitops bump` replaces it). */
export const NOT_BUILT_TAG = "not-built-yet";
const BUILD_TAG = /^(\s*newTag:\s*["']?)main-[0-9a-f]{7,40}(["']?\s*(?:#.*)?)$/;

/**
 * A file of the app's gitops tree. In YAML the name is a Kubernetes name wherever it stands
 * as a word (name: agent, namespace agent-dev, Secret agent-db-app, http://agent); in
 * comments only its hyphenated forms and paths change. Copied image entries lose their
 * digest: the new app's image is a different image. A tag of a commit build (main-<sha7>, where
 * CI's bumps land) becomes NOT_BUILT_TAG: no image of the new app was built from that commit,
 * and the first push of the new app builds one and moves the environment to it.
 */
export function renameInGitops(text: string, file: string, ctx: RenameContext): string {
  const { from, to } = ctx;
  const name = escapeRegExp(from.name);
  const word = new RegExp(`(?<![${NAME_CHAR}.-])${name}(?![${NAME_CHAR}])`, "g");
  const inComment: [RegExp, string][] = [
    [new RegExp(`(?<![${NAME_CHAR}-])${name}-(?=[a-z0-9])`, "g"), `${to.name}-`],
    [new RegExp(`(?<![${NAME_CHAR}-])apps/${name}(?![${NAME_CHAR}-])`, "g"), `apps/${to.name}`],
  ];
  const yaml = /\.ya?ml$/.test(file);
  return masked(text, ctx.protect, (hidden) =>
    hidden
      .split("\n")
      .filter((line) => !(yaml && /^\s*digest:\s/.test(line)))
      .map((line) => {
        if (!yaml || /^\s*#/.test(line)) {
          return inComment.reduce((out, [pattern, value]) => out.replace(pattern, value), line);
        }
        const build = BUILD_TAG.exec(line);
        if (build) return `${build[1]}${NOT_BUILT_TAG}${build[2]}`;
        return replacePort(line.replace(word, to.name), ctx);
      })
      .join("\n"),
  );
}
