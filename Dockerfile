# One recipe for every gcm service: docker build --build-arg APP=api|scheduler|sandbox -t gcm-<app> .
# The build stage bundles the app (nx build: the workspace libs compiled in) and installs only its
# production dependencies from the generated package.json and pruned lockfile; the runtime stage is
# that folder, run by plain node as the unprivileged `node` user. CI runs these same commands
# without Docker (tools/scripts/smoke-built.ts): keep the `RUN` and `CMD` lines in its shape.
ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its binding at install time
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /workspace
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ARG APP=api
RUN npx nx build ${APP} --skip-nx-cache
WORKDIR /workspace/dist/apps/${APP}
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG APP=api
# what the health check asks: /health/live (api), /healthz (scheduler)
ARG HEALTH_URL=http://127.0.0.1:3000/health/live
ENV NODE_ENV=production \
    GCM_HEALTH_URL=${HEALTH_URL} \
    GCM_API_HOST=0.0.0.0 \
    GCM_API_PORT=3000 \
    GCM_SCHEDULER_HOST=0.0.0.0 \
    GCM_SCHEDULER_PORT=9464 \
    GCM_DATABASE_URL=sqlite:/var/lib/gcm/gcm.sqlite \
    GCM_ARCHIVE_DIR=/var/lib/gcm/archive \
    GCM_API_AUDIT_DIR=/var/lib/gcm/audit/api \
    GCM_SCHEDULER_AUDIT_DIR=/var/lib/gcm/audit/scheduler
WORKDIR /app
COPY --from=build --chown=node:node /workspace/dist/apps/${APP} ./
RUN mkdir -p /var/lib/gcm && chown node:node /var/lib/gcm
VOLUME /var/lib/gcm
USER node
EXPOSE 3000 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.GCM_HEALTH_URL,{signal:AbortSignal.timeout(4000)}).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM from `docker stop` reaches node directly (exec form, PID 1): the apps shut down gracefully
CMD ["node", "--enable-source-maps", "main.js"]
