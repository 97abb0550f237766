# syntax=docker/dockerfile:1
# The Realtime Platform server. Two stages: `build` installs every dependency and compiles
# TypeScript and the browser SDK into dist/; the final image holds production dependencies, dist/
# and the static pages only, runs as the unprivileged `node` user, and starts `node` itself as
# PID 1 (no npm, no sh in between), so `docker stop`'s SIGTERM reaches the server, which drains
# (README "Shutting down") and exits 0. `docker stop` waits 10 s by default: give it more than
# SHUTDOWN_TIMEOUT_MS (compose.yaml sets stop_grace_period: 20s).
#
#   docker build -t realtime-platform .
#   docker run -p 3000:3000 -e JWT_SECRET=$(openssl rand -hex 32) realtime-platform

# The Node.js line CI tests on besides Node 20 (README "Node.js versions").
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY shared ./shared
COPY client ./client
COPY server ./server
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# No lifecycle scripts: prestart/prepare would try to build, and production needs none.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Static pages the server serves: the admin console (/admin/) and the demo (DEMO_ENABLED=true).
COPY client/admin ./client/admin
COPY client/demo ./client/demo
USER node
EXPOSE 3000
# Liveness: the process answers HTTP. Balancers should also watch GET /ready (503 while draining
# or while Redis or MongoDB is down). The image has no curl: Node's fetch does the request.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT ?? '3000') + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/cli.js"]
