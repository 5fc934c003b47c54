# syntax=docker/dockerfile:1
# Two images, built from the repository root:
#   docker build -t ktrdr-worker .                      # the default target: a worker
#   docker build --target backend -t ktrdr-backend .    # a headless backend (servers)
# The worker is a backtest or training worker (KTRDR_WORKER_TYPE) that registers itself with
# the backend (KTRDR_BACKEND_URL, KTRDR_CLUSTER_TOKEN). Node 24 LTS; the code also runs on
# Node 20.19+ (the dev machines), where the backend stores through better-sqlite3 instead.
ARG NODE_IMAGE=node:24-bookworm-slim

# A headless backend: everything built, dev dependencies pruned, the web UI included.
FROM ${NODE_IMAGE} AS backend-build
WORKDIR /src
COPY . .
# On Node 24 the backend uses the built-in node:sqlite, so no install script needs to run:
# better-sqlite3 (the Node 20 driver) stays unbuilt and is never loaded, and no compiler is needed
RUN npm ci --no-audit --no-fund --ignore-scripts && npm run build --silent && npm prune --omit=dev

FROM ${NODE_IMAGE} AS backend
ENV NODE_ENV=production \
    KTRDR_SQLITE_DRIVER=node-sqlite \
    KTRDR_HOST=0.0.0.0 \
    KTRDR_PORT=8000 \
    KTRDR_DATA_DIR=/data \
    KTRDR_LOG_LEVEL=info
WORKDIR /app
COPY --from=backend-build --chown=node:node /src /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KTRDR_PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/apps/backend/dist/bin.js"]

# The worker, 1: compile the workspace and bundle the worker into a few files.
FROM ${NODE_IMAGE} AS worker-build
WORKDIR /src
COPY . .
# install scripts are not needed to compile (better-sqlite3 is the backend's, not the worker's)
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npx tsc -b apps/worker \
 && node apps/worker/scripts/bundle.mjs

# The worker, 2 (the default target, so last): the bundle and the only packages left
# outside it (TensorFlow.js).
FROM ${NODE_IMAGE} AS worker
ENV NODE_ENV=production \
    KTRDR_WORKER_TYPE=backtesting \
    KTRDR_WORKER_HOST=0.0.0.0 \
    KTRDR_WORKER_PORT=0 \
    KTRDR_CACHE_DIR=/var/cache/ktrdr \
    KTRDR_LOG_LEVEL=info
WORKDIR /app
COPY --from=worker-build /src/apps/worker/build/ ./
# CPU image: tfjs-node(-gpu) download libtensorflow at install; build a GPU image with
# --build-arg WITH_OPTIONAL=1 on a CUDA base image instead
ARG WITH_OPTIONAL=0
RUN if [ "$WITH_OPTIONAL" = "1" ]; then npm install --omit=dev --no-audit --no-fund; \
    else npm install --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund; fi \
 && npm cache clean --force \
 && mkdir -p /var/cache/ktrdr && chown node:node /var/cache/ktrdr
USER node
VOLUME ["/var/cache/ktrdr"]
# the worker picks a free port (KTRDR_WORKER_PORT=0) and writes the URL it bound to
# /var/cache/ktrdr/worker.url, which the health check reads
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/app/healthcheck.mjs"]
# SIGTERM: stop taking work, checkpoint, report, leave — within 25 s (compose gives 30 s)
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/bin.js"]
