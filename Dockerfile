# One image for every NationPulse service; the command picks the service.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages ./packages
COPY protos ./protos
COPY write-api ./write-api
COPY read-api ./read-api
COPY projectors ./projectors
COPY ingestion ./ingestion
COPY bench/package.json ./bench/package.json
RUN npm ci --omit=dev --no-audit --no-fund && npm install --no-save tsx@4

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app /app
USER node
CMD ["node", "--import", "tsx", "write-api/src/main.ts"]
