# syntax=docker/dockerfile:1
# migration-gate image. Two stages: the build stage has dev dependencies and
# the TypeScript compiler; the runtime stage ships only production
# dependencies, the compiled JS and the bundled policies, runs as a numeric
# non-root user and writes nowhere but /data (volume) and /tmp (tmpfs), so it
# runs with a read-only root filesystem. test/integration/container.test.ts
# parses this file and starts the built app exactly as CMD/ENV/WORKDIR say.
# scripts/image/build.sh builds the same layout without Docker (npm run
# image); test/image/image-layout.test.ts checks that the two agree, so a
# change here needs the same change there. Node: the major must match
# scripts/node/node-version.env.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing here needs one, and none may download anything.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-slim AS runtime
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY policies ./policies
# /app stays root-owned and read-only to the gate. /data (audit log, local
# TLS, generated token) and /certs/* (the compose demo's artifact TLS) are
# owned by the gate's user so fresh named volumes mounted there inherit it.
RUN mkdir -p /data /certs/ca /certs/tls && chown 10001:10001 /data /certs/ca /certs/tls
ENV NODE_ENV=production \
    GATE_DATA_DIR=/data \
    GATE_POLICY_DIR=/app/policies \
    GATE_BIND_ADDRESS=0.0.0.0 \
    GATE_API_PORT=8080 \
    GATE_WEBHOOK_PORT=8443
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8443 8080
# In Node, not curl: the image has no curl, and distroless would have no shell.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.GATE_API_PORT||8080)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
