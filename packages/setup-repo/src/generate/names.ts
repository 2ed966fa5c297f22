/**
 * What a new agent may be called, and on which port it listens. The name becomes the npm
 * package @repo/<name>, the directory apps/<name>, Kubernetes names (Service, namespaces
 * <name>-<env>) and the image <registry>/<owner>/<repo>/<name>, so it must suit all of them.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

// A DNS-1035 label (what a Service name must be): lower-case letters, digits and hyphens,
// starting with a letter, ending with a letter or digit. Also a valid npm name and image path.
const NAME = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
// The longest namespace is <name>-production, and a label is at most 63 characters.
export const MAX_NAME_LENGTH = 63 - "-production".length;
export const MIN_PORT = 1024;
export const DEFAULT_SOURCE_PORT = 8000;

export interface AgentNames {
  /** As typed: apps/<name>, Kubernetes names, the image. */
  name: string;
  /** For identifiers that refuse hyphens (SQL channel names): billing_bot. */
  snake: string;
  /** For titles: Billing-bot. */
  display: string;
  /** The npm package: @repo/billing-bot. */
  pkg: string;
}

export function agentNames(name: string): AgentNames {
  return {
    name,
    snake: name.replaceAll("-", "_"),
    display: name.charAt(0).toUpperCase() + name.slice(1),
    pkg: `@repo/${name}`,
  };
}

function directories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

/** Workspace package names (apps/* and packages/*) with their directories. */
function workspacePackages(root: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const group of ["apps", "packages"]) {
    for (const dir of directories(join(root, group))) {
      const manifest = join(root, group, dir, "package.json");
      if (!existsSync(manifest)) continue;
      try {
        const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
        if (typeof name === "string") found.set(name, `${group}/${dir}`);
      } catch {
        // An unreadable manifest names no package; pnpm reports it on its own.
      }
    }
  }
  return found;
}

/** true, or what is wrong with the name and what to do (as a generator prompt shows it). */
export function validateAgentName(input: unknown, root: string): true | string {
  const name = typeof input === "string" ? input.trim() : "";
  const rules =
    "use lower-case letters, digits and hyphens, starting with a letter and ending with a letter or digit " +
    `(at most ${MAX_NAME_LENGTH} characters): it becomes the package @repo/<name>, the namespaces <name>-<env> and the image .../<name>`;
  if (name === "") return `An agent name is required: ${rules}.`;
  if (name.length > MAX_NAME_LENGTH) {
    return `"${name}" is ${name.length} characters long: ${rules}.`;
  }
  if (!NAME.test(name)) return `"${name}" is not a valid agent name: ${rules}.`;
  for (const taken of [`apps/${name}`, `gitops/apps/${name}`]) {
    if (existsSync(join(root, taken))) {
      return `"${name}" already exists (${taken}): choose another name, or remove ${taken} first.`;
    }
  }
  const owner = workspacePackages(root).get(`@repo/${name}`);
  if (owner) return `@repo/${name} is already the package in ${owner}: choose another name.`;
  return true;
}

/** The port each app's Deployment declares (gitops/apps/<app>/base/deployment.yaml). */
export function appPorts(root: string): Map<number, string> {
  const ports = new Map<number, string>();
  for (const app of directories(join(root, "gitops/apps")).sort()) {
    const port = declaredPort(root, app);
    if (port !== undefined && !ports.has(port)) ports.set(port, app);
  }
  return ports;
}

/** The containerPort in an app's base Deployment, if it declares one. */
export function declaredPort(root: string, app: string): number | undefined {
  const file = join(root, "gitops/apps", app, "base/deployment.yaml");
  if (!existsSync(file)) return undefined;
  const match = /containerPort:\s*"?(\d+)/.exec(readFileSync(file, "utf8"));
  return match ? Number(match[1]) : undefined;
}

/** The first port above every app's port: the prompt's default. */
export function suggestPort(root: string): number {
  const used = [...appPorts(root).keys()];
  return used.length === 0 ? DEFAULT_SOURCE_PORT + 1 : Math.max(...used) + 1;
}

export function parsePort(input: unknown): number | undefined {
  const text = String(input ?? "").trim();
  return /^\d{1,5}$/.test(text) ? Number(text) : undefined;
}

export function validatePort(input: unknown, root: string): true | string {
  const port = parsePort(input);
  if (port === undefined || port < MIN_PORT || port > 65535) {
    return `The port must be a whole number from ${MIN_PORT} to 65535 (the container runs as a non-root user, which cannot bind lower ports); got "${String(input ?? "")}".`;
  }
  const owner = appPorts(root).get(port);
  if (owner) {
    return `Port ${port} is already ${owner}'s: two apps on one port cannot run side by side with pnpm dev. Choose another (${suggestPort(root)} is free).`;
  }
  return true;
}

/**
 * The line for an answer that was not passed and cannot be asked for (no terminal): what is
 * missing and the non-interactive command that passes all three.
 */
export function missingAnswer(answer: "name" | "description" | "port", root: string): string {
  const example = `pnpm gen agent --args billing-bot "Bills customers for agent work" ${suggestPort(root)}`;
  return `No ${answer} given, and no terminal to ask for it on: pass all three answers, e.g. ${example}.`;
}

export function validateDescription(input: unknown): true | string {
  const text = typeof input === "string" ? input.trim() : "";
  if (text === "")
    return "A one-line description is required (it goes into package.json and the README).";
  if (/[\r\n]/.test(text)) return "The description must be a single line.";
  if (text.length > 200)
    return `The description is ${text.length} characters long: keep it to 200.`;
  return true;
}
