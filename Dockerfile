# One image for every NationPulse service; the command picks the service (see docker-compose.yml
# and deploy/k8s). The web UI is built into packages/web/dist, which the gateway serves.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 (the embedded adapters) compiles from source when no prebuilt binary is reachable.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci --no-audit --no-fund && npm run build -w @nationpulse/web && npm prune --omit=dev --no-audit --no-fund && npm install --no-save --no-audit --no-fund tsx@4

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
CMD ["node", "--import", "tsx", "gateway/src/main.ts"]
