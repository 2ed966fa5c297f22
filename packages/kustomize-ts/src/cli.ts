/**
 * The `kustomize-ts` command: `build` and `edit set image`, with kustomize's verbs and flags.
 * Exit codes: 0 success, 1 a failed build or edit, 2 a usage error.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { BuildOptions, KubernetesObject } from "./api.ts";
import { KustomizeError } from "./api.ts";
import { acceptedForms, parseImageArg } from "./edit/image-arg.ts";

/** Where the command writes and which directory it acts on; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  cwd: string;
  env: Record<string, string | undefined>;
}

const usage = `Usage:
  kustomize-ts build [DIR] [--load-restrictor RESTRICTOR] [-o FILE]
  kustomize-ts edit set image ARG...
  kustomize-ts version
  kustomize-ts --help

build prints the resources of the kustomization in DIR (default: the current directory),
as \`kubectl kustomize DIR\` does.
  --load-restrictor LoadRestrictionsRootOnly (default) refuses files outside the
                    kustomization root; LoadRestrictionsNone allows them
  -o, --output FILE writes the YAML to FILE instead of standard output

edit set image sets images in the kustomization file of the current directory, keeping
its comments and layout. Each ARG is one of:
${acceptedForms.map((form) => `  ${form}`).join("\n")}
A "*" as new name, new tag or digest keeps the value already in the file.

Remote resources, helm charts and plugins are not supported: they are refused with an
error naming the file and the key.
`;

class UsageError extends Error {}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return `kustomize-ts ${pkg.version} (kustomize v5.5.0 semantics)\n`;
}

/**
 * The directory the user typed the command in. `pnpm kustomize-ts` from the repository root
 * runs the script in the root but says where it was typed in INIT_CWD; only trust that
 * when this very script is what pnpm launched.
 */
export function workingDirectory(io: Pick<CliIo, "cwd" | "env">): string {
  const { INIT_CWD: initCwd, npm_lifecycle_event: event } = io.env;
  if (event === "kustomize-ts" && initCwd && existsSync(initCwd)) return initCwd;
  return io.cwd;
}

interface BuildArgs {
  dir: string;
  output: string | undefined;
  options: BuildOptions;
}

const restrictors: Record<string, BuildOptions["loadRestrictor"]> = {
  LoadRestrictionsRootOnly: "rootOnly",
  LoadRestrictionsNone: "none",
};

function parseBuildArgs(args: readonly string[]): BuildArgs {
  const positional: string[] = [];
  let output: string | undefined;
  const options: BuildOptions = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === "") throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--load-restrictor") {
      const name = value();
      const restrictor = restrictors[name];
      if (!restrictor) {
        throw new UsageError(
          `--load-restrictor must be LoadRestrictionsRootOnly or LoadRestrictionsNone, not "${name}"`,
        );
      }
      options.loadRestrictor = restrictor;
    } else if (flag === "-o" || flag === "--output") {
      output = value();
    } else if (
      flag === "--enable-helm" ||
      flag === "--enable-alpha-plugins" ||
      flag === "--enable-exec"
    ) {
      throw new UsageError(
        `${flag} is not supported: kustomize-ts renders kustomize's built-in features only`,
      );
    } else if (flag.startsWith("-") && flag !== "-") {
      throw new UsageError(`unknown flag for build: ${flag}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length > 1)
    throw new UsageError(`build takes one directory, got: ${positional.join(" ")}`);
  return { dir: positional[0] ?? ".", output, options };
}

/** Loaded on demand, so that `edit` and `--help` start without the renderer. */
async function loadBuilder(): Promise<{
  build(dir: string, options?: BuildOptions): KubernetesObject[];
  toYaml(objects: KubernetesObject[]): string;
}> {
  const [{ build }, { toYaml }] = await Promise.all([
    import("./build.ts"),
    import("./yaml/emit.ts"),
  ]);
  return { build, toYaml };
}

async function runBuild(args: readonly string[], io: CliIo): Promise<number> {
  const { dir, output, options } = parseBuildArgs(args);
  const base = workingDirectory(io);
  const target = isAbsolute(dir) ? dir : resolve(base, dir);
  const { build, toYaml } = await loadBuilder();
  const yaml = toYaml(build(target, options));
  if (output === undefined) {
    io.stdout.write(yaml);
    return 0;
  }
  const file = isAbsolute(output) ? output : resolve(base, output);
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new UsageError(
      `-o ${output} is a directory: give a file name (one file per resource is not supported)`,
    );
  }
  writeFileSync(file, yaml);
  return 0;
}

async function runEdit(args: readonly string[], io: CliIo): Promise<number> {
  const [verb, what, ...rest] = args;
  if (verb !== "set" || what !== "image") {
    throw new UsageError(
      `kustomize-ts edit supports "edit set image" only, not "edit ${args.slice(0, 2).join(" ")}"`,
    );
  }
  if (rest.length === 0)
    throw new UsageError("edit set image: no image given, e.g. app=ghcr.io/acme/app:v1");
  for (const arg of rest) {
    try {
      parseImageArg(arg);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const { setImageInDir } = await import("./edit/set-image.ts");
  setImageInDir(workingDirectory(io), rest);
  return 0;
}

const defaultIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  get cwd() {
    return process.cwd();
  },
  env: process.env,
};

/** Runs one command line (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command !== undefined && (args.includes("--help") || args.includes("-h"))) {
      io.stdout.write(usage);
      return 0;
    }
    switch (command) {
      case "build":
        return await runBuild(args, io);
      case "edit":
        return await runEdit(args, io);
      case "version":
      case "--version":
        io.stdout.write(version());
        return 0;
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(usage);
        return 0;
      case undefined:
        io.stderr.write(usage);
        return 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`kustomize-ts: ${error.message}\nRun "kustomize-ts --help" for usage.\n`);
      return 2;
    }
    if (error instanceof KustomizeError) {
      io.stderr.write(`Error: ${error.message}\n`);
      return 1;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(
      `kustomize-ts: unexpected failure, please report it with the command line:\n${detail}\n`,
    );
    return 1;
  }
}
