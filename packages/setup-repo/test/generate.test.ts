/**
 * The agent generator's parts on a small fixture repository: name, port and description
 * rules, the renames in sources and in the gitops tree, the AppProject entries, and the
 * generated tree. The whole flow on a copy of this repository is generate-agent.e2e.test.ts.
 */
import {
  copyFileSync,
  existsSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { addAppToProject } from "../src/generate/appproject.ts";
import {
  defaultSource,
  formatGenerated,
  generateAgent,
  installWorkspace,
  summary,
} from "../src/generate/generate.ts";
import {
  agentNames,
  MAX_NAME_LENGTH,
  missingAnswer,
  suggestPort,
  validateAgentName,
  validateDescription,
  validatePort,
} from "../src/generate/names.ts";
import { type RenameContext, renameInGitops, renameInSource } from "../src/generate/rename.ts";
import { fixtureRepo, REPO_ROOT } from "./support/repo.ts";

const APPPROJECT = `# Fences every app.
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: agents
spec:
  sourceRepos:
    - https://github.com/acme/agent-platform.git
  destinations:
    - server: https://kubernetes.default.svc
      namespace: agent-*
  # Namespace entries, one per app.
  clusterResourceWhitelist:
    - group: ""
      kind: Namespace
      name: agent-*
  namespaceResourceWhitelist:
    - group: apps
      kind: Deployment
`;

const FILES: Record<string, string> = {
  "gitops/repository.yaml": "repository: acme/agent-platform\nregistry: ghcr.io\n",
  "gitops/argocd/appproject.yaml": APPPROJECT,
  "gitops/argocd/kustomization.yaml": "resources:\n  - appproject.yaml\n",
  "gitops/apps/agent/base/deployment.yaml": `# The agent never calls the Kubernetes API; secrets come from agent-db-app.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
  labels:
    app.kubernetes.io/name: agent
spec:
  template:
    metadata:
      annotations:
        prometheus.io/port: "8000"
    spec:
      containers:
        - name: agent
          image: ghcr.io/acme/agent-platform/agent
          ports:
            - containerPort: 8000
          env:
            - name: AGENT_URL
              value: http://agent
            - name: PORT
              value: "8000"
`,
  "gitops/apps/agent/overlays/dev/kustomization.yaml": `namespace: agent-dev
resources:
  - ../../base
images:
  - name: ghcr.io/acme/agent-platform/agent
    newTag: main-abc1234
    digest: sha256:${"a".repeat(64)}
`,
  "gitops/apps/agent/overlays/production/kustomization.yaml": "namespace: agent-production\n",
  "gitops/apps/agent/overlays/production/HOLD": "held by a rollback\n",
  "apps/agent/package.json": `${JSON.stringify(
    {
      name: "@repo/agent",
      version: "1.4.2",
      description: "The example agent.",
      scripts: { dev: "PORT=8000 tsx watch src/server.ts" },
    },
    null,
    2,
  )}\n`,
  "apps/agent/README.md":
    "# @repo/agent\n\nThe example agent: run it with `pnpm --filter @repo/agent dev`.\n",
  "apps/agent/CHANGELOG.md": "# @repo/agent\n\n## 1.4.2\n",
  "apps/agent/src/config.ts":
    'export const port = integer("PORT", 8000, 0, 65535);\n// NOTIFY payloads stay under 8000 bytes\n',
  "apps/agent/src/logger.ts":
    'export const base = { service: "agent" };\nexport const channel = "agent_tasks";\n// What the agent returned.\nexport const title = "Agent service";\n',
  "apps/agent/test/url.test.ts": 'const url = "http://127.0.0.1:8000/tasks";\n',
  "packages/gitops/package.json": '{ "name": "@repo/gitops" }\n',
  "packages/broken/package.json": "{ not json",
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function fixture(extra: Record<string, string> = {}): string {
  const dir = fixtureRepo({ ...FILES, ...extra }, "setup-repo-gen-");
  dirs.push(dir);
  return dir;
}
const read = (root: string, file: string) => readFileSync(join(root, file), "utf8");

describe("validateAgentName", () => {
  it("accepts DNS-1035 labels that are also package and image names", () => {
    const root = fixture();
    for (const name of ["billing-bot", "a", "x9", "triage2-agent"]) {
      expect(validateAgentName(name, root), name).toBe(true);
    }
    expect(validateAgentName("a".repeat(MAX_NAME_LENGTH), root)).toBe(true);
  });

  it.each([
    ["", /An agent name is required/],
    [undefined, /An agent name is required/],
    ["Billing", /"Billing" is not a valid agent name: use lower-case letters/],
    ["9lives", /not a valid agent name/],
    ["billing-", /not a valid agent name/],
    ["billing_bot", /not a valid agent name/],
    ["billing.bot", /not a valid agent name/],
    ["a".repeat(MAX_NAME_LENGTH + 1), /is 53 characters long/],
  ])("refuses %j, saying what a name must be", (name, message) => {
    const result = validateAgentName(name, fixture());
    expect(result).toMatch(message);
    expect(result).toMatch(/@repo\/<name>, the namespaces <name>-<env> and the image/);
  });

  it("refuses names already taken by an app, a gitops tree or a workspace package", () => {
    const root = fixture({ "gitops/apps/orphan/base/kustomization.yaml": "resources: []\n" });
    expect(validateAgentName("agent", root)).toBe(
      '"agent" already exists (apps/agent): choose another name, or remove apps/agent first.',
    );
    expect(validateAgentName("orphan", root)).toMatch(/already exists \(gitops\/apps\/orphan\)/);
    expect(validateAgentName("gitops", root)).toBe(
      "@repo/gitops is already the package in packages/gitops: choose another name.",
    );
  });
});

describe("validatePort and suggestPort", () => {
  it("accepts a free unprivileged port and suggests the one after the highest in use", () => {
    const root = fixture();
    expect(validatePort("8001", root)).toBe(true);
    expect(validatePort(65535, root)).toBe(true);
    expect(suggestPort(root)).toBe(8001);
  });

  it.each(["", "80", "1023", "65536", "80a", "8001.5", " "])("refuses %j", (port) => {
    expect(validatePort(port, fixture())).toMatch(
      /^The port must be a whole number from 1024 to 65535/,
    );
  });

  it("refuses another app's port and names a free one", () => {
    expect(validatePort("8000", fixture())).toBe(
      "Port 8000 is already agent's: two apps on one port cannot run side by side with pnpm dev. Choose another (8001 is free).",
    );
  });
});

describe("validateDescription", () => {
  it("wants one non-empty line of at most 200 characters", () => {
    expect(validateDescription("Bills customers")).toBe(true);
    expect(validateDescription("  ")).toMatch(/A one-line description is required/);
    expect(validateDescription(42)).toMatch(/A one-line description is required/);
    expect(validateDescription("a\nb")).toBe("The description must be a single line.");
    expect(validateDescription("x".repeat(201))).toMatch(/201 characters long/);
  });
});

const ctx: RenameContext = {
  from: agentNames("agent"),
  to: agentNames("billing-bot"),
  fromPort: 8000,
  toPort: 8001,
  protect: ["ghcr.io/acme/agent-platform/", "acme/agent-platform", "agent-platform"],
};

describe("renameInSource", () => {
  it("renames the package, paths, strings and snake_case identifiers, and the port where a line is about one", () => {
    const text = [
      'import x from "@repo/agent";',
      "pnpm --filter @repo/agent dev; see apps/agent/README.md",
      'const base = { service: "agent" }; const pool = "agent-migrations";',
      "stderr.write(`agent: configuration error`);",
      'const channel = "agent_tasks"; // listeners on agent_tasks',
      'const title = "Agent service";',
      'port: integer("PORT", 8000, 0, 65535),',
      "-- NOTIFY payloads must stay under 8000 bytes",
      "fetch('http://127.0.0.1:8000/health')",
      "/** What the agent returned. Agents and agentic things stay. */",
      "see https://github.com/acme/agent-platform and @repo/agents",
      'createAgent(config: Pick<Config, "agent">); Omit<Options, "store" | "agent">',
      '"export `agent` (or a default export)"; describe("agent processes", f)',
      '"Agent runs in progress"',
    ].join("\n");
    expect(renameInSource(text, ctx).split("\n")).toEqual([
      'import x from "@repo/billing-bot";',
      "pnpm --filter @repo/billing-bot dev; see apps/billing-bot/README.md",
      'const base = { service: "billing-bot" }; const pool = "billing-bot-migrations";',
      "stderr.write(`billing-bot: configuration error`);",
      'const channel = "billing_bot_tasks"; // listeners on billing_bot_tasks',
      'const title = "Billing-bot service";',
      'port: integer("PORT", 8001, 0, 65535),',
      "-- NOTIFY payloads must stay under 8000 bytes",
      "fetch('http://127.0.0.1:8001/health')",
      "/** What the agent returned. Agents and agentic things stay. */",
      "see https://github.com/acme/agent-platform and @repo/agents",
      'createAgent(config: Pick<Config, "agent">); Omit<Options, "store" | "agent">',
      '"export `agent` (or a default export)"; describe("agent processes", f)',
      '"Agent runs in progress"',
    ]);
  });
});

describe("renameInGitops", () => {
  it("renames Kubernetes names and the image but never the repository, drops digests, keeps prose", () => {
    const text = [
      "# The agent runs here; Secret agent-db-app, see gitops/apps/agent.",
      "namespace: agent-dev",
      "  - name: ghcr.io/acme/agent-platform/agent",
      "    newTag: main-abc1234",
      `    digest: sha256:${"b".repeat(64)}`,
      "        - name: AGENT_URL",
      "          value: http://agent",
      '        prometheus.io/port: "8000"',
      "  name: agent-smoke-test",
      "  repoURL: https://github.com/acme/agent-platform.git",
    ].join("\n");
    expect(renameInGitops(text, "overlays/dev/kustomization.yaml", ctx).split("\n")).toEqual([
      "# The agent runs here; Secret billing-bot-db-app, see gitops/apps/billing-bot.",
      "namespace: billing-bot-dev",
      "  - name: ghcr.io/acme/agent-platform/billing-bot",
      "    newTag: not-built-yet",
      "        - name: AGENT_URL",
      "          value: http://billing-bot",
      '        prometheus.io/port: "8001"',
      "  name: billing-bot-smoke-test",
      "  repoURL: https://github.com/acme/agent-platform.git",
    ]);
  });

  it("replaces only commit-build tags, which name no image of the new app, and keeps release tags", () => {
    const lines = (tag: string) =>
      `images:\n  - name: ghcr.io/acme/agent-platform/agent\n    ${tag}\n`;
    const renamed = (tag: string) =>
      renameInGitops(lines(tag), "overlays/x/kustomization.yaml", ctx).split("\n")[2];
    expect(renamed("newTag: main-59bdb9b")).toBe("    newTag: not-built-yet");
    expect(renamed('newTag: "main-59bdb9b" # deployed')).toBe(
      '    newTag: "not-built-yet" # deployed',
    );
    expect(renamed("newTag: 0.1.0")).toBe("    newTag: 0.1.0");
    expect(renamed("newTag: main-branch")).toBe("    newTag: main-branch");
  });

  it("treats files other than YAML as prose", () => {
    expect(renameInGitops("the agent: apps/agent, agent-dev, port 8000", "README.md", ctx)).toBe(
      "the agent: apps/billing-bot, billing-bot-dev, port 8000",
    );
  });
});

describe("addAppToProject", () => {
  it("clones every entry that names the source app's namespaces, keeping comments", () => {
    const out = addAppToProject(APPPROJECT, "agent", "billing-bot");
    expect(out).toBe(
      APPPROJECT.replace(
        "      namespace: agent-*\n",
        "      namespace: agent-*\n    - server: https://kubernetes.default.svc\n      namespace: billing-bot-*\n",
      ).replace(
        "      name: agent-*\n",
        '      name: agent-*\n    - group: ""\n      kind: Namespace\n      name: billing-bot-*\n',
      ),
    );
    expect(addAppToProject(out, "agent", "billing-bot")).toBe(out);
  });

  it("leaves a project that does not list the source app's namespaces", () => {
    const open = "kind: AppProject\nspec:\n  destinations:\n    - namespace: '*'\n";
    expect(addAppToProject(open, "agent", "billing-bot")).toBe(open);
  });
});

describe("generateAgent", () => {
  it("copies the app and its gitops tree with the new names, and adds the app to the AppProject", () => {
    const root = fixture();
    const result = generateAgent({
      root,
      name: " billing-bot ",
      description: " Bills customers. ",
      port: "8001",
    });
    expect(result).toMatchObject({
      name: "billing-bot",
      pkg: "@repo/billing-bot",
      port: 8001,
      environments: ["dev", "production"],
      modified: ["gitops/argocd/appproject.yaml"],
    });
    expect(result.created.sort()).toEqual([
      "apps/billing-bot/README.md",
      "apps/billing-bot/package.json",
      "apps/billing-bot/src/config.ts",
      "apps/billing-bot/src/logger.ts",
      "apps/billing-bot/test/url.test.ts",
      "gitops/apps/billing-bot/base/deployment.yaml",
      "gitops/apps/billing-bot/overlays/dev/kustomization.yaml",
      "gitops/apps/billing-bot/overlays/production/kustomization.yaml",
    ]);
    expect(JSON.parse(read(root, "apps/billing-bot/package.json"))).toEqual({
      name: "@repo/billing-bot",
      version: "0.1.0",
      description: "Bills customers.",
      scripts: { dev: "PORT=8001 tsx watch src/server.ts" },
    });
    expect(read(root, "apps/billing-bot/README.md")).toBe(
      "# @repo/billing-bot\n\nBills customers.\n\nThe example agent: run it with `pnpm --filter @repo/billing-bot dev`.\n",
    );
    expect(read(root, "apps/billing-bot/src/logger.ts")).toBe(
      'export const base = { service: "billing-bot" };\nexport const channel = "billing_bot_tasks";\n// What the agent returned.\nexport const title = "Billing-bot service";\n',
    );
    expect(read(root, "gitops/apps/billing-bot/base/deployment.yaml")).toContain(
      "image: ghcr.io/acme/agent-platform/billing-bot\n",
    );
    const dev = read(root, "gitops/apps/billing-bot/overlays/dev/kustomization.yaml");
    expect(dev).not.toContain("digest:");
    expect(dev).toContain("    newTag: not-built-yet\n");
    expect(existsSync(join(root, "gitops/apps/billing-bot/overlays/production/HOLD"))).toBe(false);
    expect(read(root, "gitops/argocd/appproject.yaml")).toContain("namespace: billing-bot-*");
    expect(read(root, "gitops/argocd/kustomization.yaml")).toBe(
      FILES["gitops/argocd/kustomization.yaml"],
    );
    // The source app is untouched.
    expect(read(root, "apps/agent/src/logger.ts")).toBe(FILES["apps/agent/src/logger.ts"]);
    expect(statSync(join(root, "apps/billing-bot/src/config.ts")).mode & 0o777).toBe(
      statSync(join(root, "apps/agent/src/config.ts")).mode & 0o777,
    );
  });

  it("copies binary files as they are", () => {
    const root = fixture();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x61, 0x67, 0x65, 0x6e, 0x74]);
    writeFileSync(join(root, "apps/agent/logo.png"), png);
    generateAgent({ root, name: "x", description: "d", port: 9000 });
    expect(readFileSync(join(root, "apps/x/logo.png")).equals(png)).toBe(true);
  });

  it("refuses a bad name, description or port before writing anything", () => {
    const root = fixture();
    expect(() => generateAgent({ root, name: "Bad", description: "d", port: 9000 })).toThrow(
      /"Bad" is not a valid agent name/,
    );
    expect(() => generateAgent({ root, name: "ok", description: "", port: 9000 })).toThrow(
      /description is required/,
    );
    expect(() => generateAgent({ root, name: "ok", description: "d", port: 8000 })).toThrow(
      /Port 8000 is already agent's/,
    );
    expect(existsSync(join(root, "apps/ok"))).toBe(false);
  });

  it("says so when the example app to copy is missing", () => {
    const root = fixture();
    expect(() =>
      generateAgent({ root, name: "ok", description: "d", port: 9000, source: "gone" }),
    ).toThrow('apps/gone is missing: the generator copies the example app "gone" from it.');
  });

  it("copies another app when the example is gone, and says what to do when there is none", () => {
    const root = fixture();
    generateAgent({ root, name: "first", description: "d", port: 9000 });
    rmSync(join(root, "apps/agent"), { recursive: true });
    rmSync(join(root, "gitops/apps/agent"), { recursive: true });
    expect(defaultSource(root)).toBe("first");
    const second = generateAgent({ root, name: "second", description: "d", port: 9001 });
    expect(second.created).toContain("gitops/apps/second/base/deployment.yaml");
    expect(read(root, "gitops/apps/second/base/deployment.yaml")).toContain("name: second\n");
    for (const app of ["first", "second"]) {
      rmSync(join(root, "apps", app), { recursive: true });
    }
    expect(defaultSource(root)).toBe("agent");
    expect(() => generateAgent({ root, name: "third", description: "d", port: 9002 })).toThrow(
      'apps/agent is missing: the generator copies the example app "agent" from it.',
    );
  });

  it("works without gitops/repository.yaml or an AppProject", () => {
    const root = fixture();
    rmSync(join(root, "gitops/repository.yaml"));
    rmSync(join(root, "gitops/argocd"), { recursive: true });
    const result = generateAgent({ root, name: "ok", description: "d", port: 9000 });
    expect(result.modified).toEqual([]);
    expect(read(root, "gitops/apps/ok/base/deployment.yaml")).toContain(
      "image: ghcr.io/acme/agent-platform/ok",
    );
  });
});

describe("installWorkspace and summary", () => {
  const result = {
    name: "billing-bot",
    pkg: "@repo/billing-bot",
    port: 8001,
    environments: ["dev", "production", "staging"],
    created: [],
    modified: ["gitops/argocd/appproject.yaml"],
  };

  it("runs pnpm install in the root, updating the lockfile, and reports whether it worked", () => {
    const calls: string[] = [];
    expect(
      installWorkspace("/repo", (command, args, cwd) => {
        calls.push(`${cwd}: ${command} ${args.join(" ")}`);
        return 0;
      }),
    ).toBe(true);
    expect(calls).toEqual(["/repo: pnpm install --prefer-offline --no-frozen-lockfile"]);
    expect(installWorkspace("/repo", () => 1)).toBe(false);
    expect(installWorkspace("/repo", () => null)).toBe(false);
  });

  it("lists the next steps, with pnpm install first when it has not run", () => {
    const done = summary(result, true);
    expect(done).toContain(
      "Created apps/billing-bot (@repo/billing-bot, port 8001) and gitops/apps/billing-bot (base, overlays dev, production, staging); added billing-bot-* to gitops/argocd/appproject.yaml.",
    );
    expect(done).not.toContain("pnpm install");
    expect(done).toContain(
      "pnpm --filter @repo/billing-bot dev   (listens on http://localhost:8001)",
    );
    const pending = summary({ ...result, modified: [] }, false);
    expect(pending.split("\n")[1]).toBe("Next steps:");
    expect(pending.split("\n")[2]).toBe(
      "  pnpm install   (links the new package into the workspace)",
    );
    expect(pending.split("\n")[0]).toMatch(/overlays dev, production, staging\)\.$/);
    const unformatted = summary(result, true, { ok: false, output: "biome: 2 errors\nmore" });
    expect(unformatted).toContain(
      "  pnpm format   (formatting the new files failed: biome: 2 errors)",
    );
    expect(done).not.toContain("pnpm format");
  });
});

describe("formatGenerated", () => {
  it("formats the files written with the repository's Biome and biome.json", () => {
    const root = fixture();
    copyFileSync(join(REPO_ROOT, "biome.json"), join(root, "biome.json"));
    symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"));
    const long = `export const billingBotDescription = { service: "billing-bot", summary: "${"x".repeat(60)}" };\n`;
    writeFileSync(join(root, "apps/agent/src/long.ts"), long);
    const result = generateAgent({ root, name: "billing-bot", description: "Bills.", port: 8001 });
    expect(read(root, "apps/billing-bot/src/long.ts")).toBe(long);
    const formatted = formatGenerated(root, result);
    expect(formatted.ok, formatted.output).toBe(true);
    expect(read(root, "apps/billing-bot/src/long.ts")).toBe(
      `export const billingBotDescription = {\n  service: "billing-bot",\n  summary: "${"x".repeat(60)}",\n};\n`,
    );
    // only what was generated: the source app's file stays as it was
    expect(read(root, "apps/agent/src/long.ts")).toBe(long);
  });

  it("says to install first when Biome is not there", () => {
    const root = fixture();
    const result = generateAgent({ root, name: "billing-bot", description: "Bills.", port: 8001 });
    expect(formatGenerated(root, result)).toEqual({
      ok: false,
      output: `${join(root, "node_modules/.bin/biome")} is missing: run pnpm install, then pnpm format.`,
    });
  });
});

describe("missingAnswer", () => {
  it("names the missing answer and the command that passes all three, with a free port", () => {
    const root = fixture();
    expect(missingAnswer("port", root)).toBe(
      'No port given, and no terminal to ask for it on: pass all three answers, e.g. pnpm gen agent --args billing-bot "Bills customers for agent work" 8001.',
    );
  });
});
