# syntax=docker/dockerfile:1
# One image for the three apps (ingest-api, query-api, projector) and the one-shot jobs of
# docker-compose.yml. The app is chosen by the command: `node dist/apps/<app>/src/main.js`
# (the layout of `npm run build`, as infra/bin/start runs them); migrations:
# `node dist/libs/postgres/src/migrate.cli.js`.

ARG NODE_IMAGE=node:20-slim

# --- build: all dependencies, SWC build (`npm run build`: apps and libs into dist/) ----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json .swcrc ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && \
    for app in ingest-api query-api projector; do \
      test -f "dist/apps/$app/src/main.js" || { echo "build produced no dist/apps/$app/src/main.js" >&2; exit 1; }; \
    done

# --- runtime: production dependencies and the built apps ---------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY infra/scripts ./infra/scripts
COPY infra/kafka/topics.json ./infra/kafka/topics.json
USER node
# Inside a container the apps must listen on every interface (their default is 127.0.0.1).
ENV HOST=0.0.0.0
EXPOSE 3000 3001 3002
CMD ["node", "--enable-source-maps", "dist/apps/ingest-api/src/main.js"]
