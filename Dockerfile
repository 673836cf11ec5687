# Build: compile TypeScript and the better-sqlite3 addon, then keep production dependencies only.
FROM node:20-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY scripts/link-bin.mjs scripts/compile-knowledge.mjs ./scripts/
COPY src ./src
COPY config ./config
# `npm ci` runs `prepare`, which compiles src/ to dist/ and the dictionaries to dist/extract/knowledge-index.json.
RUN npm ci && npm prune --omit=dev

FROM node:20-slim
# In the container /healthz and /metrics listen on all interfaces (publishing the port is explicit,
# with -p); outside it attribot binds them to loopback unless ATTRIBOT_HTTP_HOST says otherwise.
# Logs stay JSON for collectors even when the container is started with a terminal (-t).
ENV NODE_ENV=production \
    ATTRIBOT_LOG_FORMAT=json \
    ATTRIBOT_HTTP_HOST=0.0.0.0 \
    ATTRIBOT_DB=/data/attribot.db \
    ATTRIBOT_HTTP_PORT=8080
WORKDIR /app
# Summary charts are drawn by resvg with the system's fonts; the slim image has none.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/config ./config
# Licences of the reference data the dictionaries are built from (ATT&CK, Microsoft CC-BY-4.0, ...).
COPY NOTICE ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=60s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.ATTRIBOT_HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# No heap flag: memory is bounded by design (documents parsed in capped worker threads, items
# committed in batches); npm run bench:polling measures it.
ENTRYPOINT ["node", "bin/attribot.js"]
CMD ["run"]
