# Aldero SMS MFA: the production image.
#
# NOT BUILT HERE: no container registry is reachable from our machines, so this file has never
# been built or run. It uses exactly the commands that test/production/production.test.ts runs on
# a fresh clone (npm ci, npm run build, npm prune --omit=dev, npm run start:prod); keep the two in
# step when either changes.
#
#   docker build -t aldero .
#   docker run -p 3000:3000 -e NODE_ENV=production -e MONGODB_URI=... -e ALDERO_SECRET=... \
#     -e ALDERO_JWT_PRIVATE_JWK=... -e ALDERO_PLATFORM_KEY=... -e ALDERO_SMS=sandbox aldero

# --- build: with the development dependencies (Vite, TypeScript, the manifest analyzer) -------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# --- run: production dependencies and the compiled server only, as a non-root user ------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000
# Liveness: the process answers. (Readiness, /readyz, is for the load balancer.)
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# npm runs `exec node dist/server/main.js`: SIGTERM from `docker stop` reaches node, which drains
# the requests in flight (ALDERO_SHUTDOWN_TIMEOUT_MS, default 10 s; docker stop waits 10 s by
# default: give it --time 15 or stop_grace_period) and exits 0.
CMD ["npm", "run", "start:prod", "--silent"]
