# syntax=docker/dockerfile:1
# One image for every hostwatch deployable: `hostwatch ingest|alerter|api|agent|migrate|nats-config|tail`.
#   docker build -t hostwatch .
# Stages: prune (only the workspaces the hostwatch command needs, by turbo prune) -> build (all
# dependencies, compile, then drop dev dependencies and sources) -> runtime (slim, non-root).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS prune
WORKDIR /src
RUN npm install --global --no-fund --no-audit turbo@2.11.11
COPY . .
RUN turbo prune hostwatch --docker --out-dir /pruned

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
# Manifests and lock first, so the dependency layer is reused until they change.
COPY --from=prune /pruned/json/ ./
COPY .npmrc ./
# npm install, not npm ci: the lock file is made where only Linux builds of turbo are served, and
# npm ci refuses a lock file without the other platforms' entries; npm install keeps every pin.
RUN npm install --no-fund --no-audit
COPY --from=prune /pruned/full/ ./
COPY tsconfig.base.json ./
RUN npx turbo run build --filter=hostwatch... --output-logs=errors-only \
 && npm prune --omit=dev --no-fund --no-audit \
 && rm -rf libs/*/src libs/*/test services/*/src services/*/test node_modules/.cache \
 && find . -name '*.tsbuildinfo' -delete

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The image's own user (uid 1000), never root; keys and agent state live in directories it owns.
RUN mkdir -p /etc/hostwatch/nats-auth /var/lib/hostwatch \
 && chown node:node /etc/hostwatch /etc/hostwatch/nats-auth /var/lib/hostwatch
COPY --from=build --chown=root:root /app ./
USER node
ENTRYPOINT ["node", "/app/services/cli/bin/hostwatch.js"]
CMD ["--help"]
