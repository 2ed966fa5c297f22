#!/bin/sh
# Turns one app of this monorepo into a directory that runs with production dependencies only:
#   prune   turbo prune <package> --docker   (json/: manifests + lockfile, full/: sources)
#   install pnpm install --frozen-lockfile   (from the pruned lockfile: other apps do not bust it)
#   build   turbo run build --filter=<package>
#   deploy  pnpm deploy --prod               (the package's "files" + production node_modules)
# The Dockerfile runs each step in its own layer; `all` runs them in a row, which is what
# packages/repo-checks/test/package-app.test.ts does before it starts the app from the output.
#
# usage: scripts/package-app.sh prune   <app> <out>         (from the repository root)
#        scripts/package-app.sh install <dir>
#        scripts/package-app.sh build   <app> <dir>
#        scripts/package-app.sh deploy  <app> <dir> <out>
#        scripts/package-app.sh all     <app> <out>         (from the repository root)
# <app> is a directory under apps/. PNPM_STORE_DIR, when set, is the pnpm store to use.
set -eu

usage() {
  sed -n '10,15p' "$0" >&2
  exit 2
}

# The package name of apps/<app>, read from its package.json (in <dir> when given).
package_name() {
  manifest="${2:-.}/apps/$1/package.json"
  if [ ! -f "$manifest" ]; then
    echo "package-app: no app \"$1\": $manifest does not exist (apps are the directories under apps/)." >&2
    exit 1
  fi
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).name)' "$manifest"
}

store_flag() {
  if [ -n "${PNPM_STORE_DIR:-}" ]; then printf -- '--store-dir=%s' "$PNPM_STORE_DIR"; fi
}

turbo() {
  if [ -x node_modules/.bin/turbo ]; then
    node_modules/.bin/turbo "$@"
  else
    # The Dockerfile's prune stage has no node_modules: run the version package.json pins.
    version=$(node -p 'require("./package.json").devDependencies.turbo')
    pnpm dlx "turbo@$version" "$@"
  fi
}

prune() {
  [ $# -eq 2 ] || usage
  package=$(package_name "$1")
  rm -rf "$2"
  turbo prune "$package" --docker --out-dir "$2"
}

install() {
  [ $# -eq 1 ] || usage
  cd "$1"
  # shellcheck disable=SC2046 # store_flag prints one word or nothing
  CI=true pnpm install --frozen-lockfile --prefer-offline $(store_flag)
}

build() {
  [ $# -eq 2 ] || usage
  package=$(package_name "$1" "$2")
  cd "$2"
  turbo run build --filter="$package" --output-logs=errors-only
}

deploy() {
  [ $# -eq 3 ] || usage
  package=$(package_name "$1" "$2")
  rm -rf "$3"
  out=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
  cd "$2"
  # shellcheck disable=SC2046
  CI=true pnpm --filter "$package" deploy --prod --prefer-offline $(store_flag) "$out"
}

all() {
  [ $# -eq 2 ] || usage
  work=$(mktemp -d "${TMPDIR:-/tmp}/package-app.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  prune "$1" "$work/pruned"
  (install "$work/pruned/json")
  # Sources over the installed manifests, as the Dockerfile's COPY of full/ does.
  cp -R "$work/pruned/full/." "$work/pruned/json/"
  (build "$1" "$work/pruned/json")
  (deploy "$1" "$work/pruned/json" "$2")
}

[ $# -ge 1 ] || usage
step=$1
shift
case "$step" in
  prune | install | build | deploy | all) "$step" "$@" ;;
  *) usage ;;
esac
