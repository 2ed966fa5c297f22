# syntax=docker/dockerfile:1
# One Dockerfile for every app under apps/: docker buildx build --build-arg APP=agent .
#
# JavaScript does not depend on the CPU, so prune, install and build run once on the build
# machine's platform ($BUILDPLATFORM) and the per-platform runtime stage only copies files:
# an arm64 image needs no emulated build steps. The steps themselves live in
# scripts/package-app.sh, which a test runs without Docker (see docs/delivery.md).
# Apps whose production dependencies carry native add-ons need those built for
# $TARGETPLATFORM instead; this template's agent has none.

ARG NODE_IMAGE=node:24.18.0-bookworm-slim

# Node and pnpm on the build platform, plus the packaging script.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS tools
WORKDIR /repo
COPY package.json /tmp/root-package.json
RUN npm install --global --no-fund --no-audit \
      "pnpm@$(node -p 'require("/tmp/root-package.json").packageManager.split("@")[1]')"
COPY scripts/package-app.sh /usr/local/bin/package-app
ENV PNPM_STORE_DIR=/pnpm/store

# turbo prune: only the app and the workspace packages it depends on, split into
# json/ (manifests + pruned lockfile) and full/ (sources).
FROM tools AS prune
ARG APP=agent
COPY . .
RUN package-app prune "$APP" /pruned

# Install from the pruned manifests only: a change elsewhere in the repository (another app,
# the gitops tree, docs) does not bust this layer. The pnpm store is a cache mount.
FROM tools AS build
ARG APP=agent
COPY --from=prune /pruned/json/ ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    package-app install .
COPY --from=prune /pruned/full/ ./
RUN package-app build "$APP" .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    package-app deploy "$APP" . /out

# The runtime: one per target platform, files copied in, nothing run.
FROM ${NODE_IMAGE} AS runtime
ARG APP=agent
ARG APP_VERSION=dev
ARG SOURCE_URL=""
ARG REVISION=""
LABEL org.opencontainers.image.title="$APP" \
      org.opencontainers.image.source="$SOURCE_URL" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.version="$APP_VERSION"
ENV NODE_ENV=production \
    APP_VERSION=$APP_VERSION \
    PORT=8000
WORKDIR /app
# Owned by root and read-only to the app: the process cannot rewrite its own code.
COPY --from=build /out/ ./
# The image's `node` user, numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8000
# node itself is the main process (through the image's exec-ing entrypoint): SIGTERM reaches the server.
CMD ["node", "dist/server.js"]
