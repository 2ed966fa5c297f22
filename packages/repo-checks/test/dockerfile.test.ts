// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NODE_IMAGE} is Dockerfile syntax, not a template
/** The Dockerfile's shape: what makes the image small, fast to build for two platforms, and safe. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/repository.ts";

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const rootPackage = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

interface Stage {
  from: string;
  name: string;
  instructions: string[];
}

/** Instructions with continuation lines joined and comments dropped, grouped by stage. */
function stages(text: string): { preamble: string[]; stages: Stage[] } {
  const joined = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const preamble: string[] = [];
  const result: Stage[] = [];
  for (const line of joined) {
    const from = /^FROM\s+(.+?)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) result.push({ from: from[1]!, name: from[2] ?? "", instructions: [] });
    else if (result.length) result[result.length - 1]!.instructions.push(line);
    else preamble.push(line);
  }
  return { preamble, stages: result };
}

const parsed = stages(dockerfile);
const runtime = parsed.stages[parsed.stages.length - 1]!;

describe("Dockerfile", () => {
  it("takes the app as a build argument, defaulting to agent", () => {
    for (const stage of parsed.stages.filter((s) => s.name !== "tools")) {
      expect(stage.instructions, stage.name).toContain("ARG APP=agent");
    }
  });

  it("runs a pinned Node 24 slim release", () => {
    const image = parsed.preamble.find((line) => line.startsWith("ARG NODE_IMAGE="))!.split("=")[1];
    expect(image).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    expect(runtime.from).toBe("${NODE_IMAGE}");
  });

  it("prunes, installs and builds on the build platform, and only copies per platform", () => {
    const builders = parsed.stages.slice(0, -1);
    expect(builders.map((stage) => stage.name)).toEqual(["tools", "prune", "build"]);
    expect(builders[0]!.from).toBe("--platform=$BUILDPLATFORM ${NODE_IMAGE}");
    expect(builders.slice(1).every((stage) => stage.from === "tools")).toBe(true);
    expect(runtime.from).not.toContain("--platform");
    expect(runtime.instructions.filter((line) => /^RUN\b/i.test(line))).toEqual([]);
    expect(runtime.instructions).toContain("COPY --from=build /out/ ./");
  });

  it("uses the shared packaging script for every step, with the pnpm store as a cache mount", () => {
    const runs = parsed.stages.flatMap((stage) =>
      stage.instructions.filter((line) => line.startsWith("RUN")),
    );
    for (const step of ["prune", "install", "build", "deploy"]) {
      expect(
        runs.some((line) => line.includes(`package-app ${step} `)),
        step,
      ).toBe(true);
    }
    const mounted = runs.filter((line) =>
      line.includes("--mount=type=cache,id=pnpm-store,target=/pnpm/store"),
    );
    expect(mounted.map((line) => /package-app (\w+)/.exec(line)![1])).toEqual([
      "install",
      "deploy",
    ]);
    // The install layer sees only the pruned manifests; sources come after it.
    const build = parsed.stages.find((stage) => stage.name === "build")!.instructions;
    expect(build.indexOf("COPY --from=prune /pruned/json/ ./")).toBeLessThan(
      build.findIndex((l) => l.includes("package-app install")),
    );
    expect(build.findIndex((l) => l.includes("package-app install"))).toBeLessThan(
      build.indexOf("COPY --from=prune /pruned/full/ ./"),
    );
    expect(rootPackage.packageManager).toMatch(/^pnpm@\d+\.\d+\.\d+$/);
  });

  it("runs node directly as a non-root user in production mode, with version and OCI labels", () => {
    const text = runtime.instructions.join("\n");
    expect(text).toContain('CMD ["node", "dist/server.js"]');
    expect(text).toMatch(/^USER 1000:1000$/m);
    expect(text).toMatch(/^EXPOSE 8000$/m);
    expect(text).toContain("NODE_ENV=production");
    expect(text).toContain("ARG APP_VERSION=dev");
    expect(text).toContain("APP_VERSION=$APP_VERSION");
    for (const label of ["source", "revision", "version"]) {
      expect(text).toContain(`org.opencontainers.image.${label}=`);
    }
  });

  it("keeps the build context to sources: no git, no node_modules, no gitops tree", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["**/node_modules", "**/dist", ".git", "gitops", "docs", "**/.env"]) {
      expect(ignored).toContain(entry);
    }
  });
});
