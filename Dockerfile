# syntax=docker/dockerfile:1
# Every TicketPing image (the services and the queue-scaler operator), one workspace per build:
#   docker build --build-arg WORKSPACE=services/booking -t ticketping/booking .                # production image
#   docker build --build-arg WORKSPACE=services/booking --target dev -t ticketping/booking .   # Tilt's live-update image
#   docker build --build-arg WORKSPACE=services/gateway --build-arg EXTRA_BUILD=services/web \
#     --build-arg EXTRA_FILES=docs/openapi.yaml -t ticketping/gateway .                        # the gateway and its pages
# Build from the repository root (the context is the whole monorepo, see /.dockerignore).
# WORKSPACE is the workspace's folder; its package is @ticketping/<last segment of the folder>.
# EXTRA_BUILD lists further workspace folders whose dist/ the image serves (the gateway's web pages),
# EXTRA_FILES files of the build context the image reads (the gateway's docs/openapi.yaml).
# The production image runs as uid 1000 from /app/$WORKSPACE: `node dist/main.js`, and for a service
# with a database the migrations hook Job runs `node dist/migrate.js` (built migrations in migrations/).
# node:24-slim rather than distroless: the chart's commands start with `node`, which distroless
# has only as /nodejs/bin/node.
ARG NODE_IMAGE=node:24-slim
ARG WORKSPACE=services/booking
ARG EXTRA_BUILD=
ARG EXTRA_FILES=

# Only the workspaces the image needs: manifests and lockfile in out/json, sources in out/full.
FROM ${NODE_IMAGE} AS prune
WORKDIR /app
ARG TURBO_VERSION=2.11.11
RUN npm install --global turbo@${TURBO_VERSION}
COPY . .
ARG WORKSPACE
ARG EXTRA_BUILD
RUN turbo prune "@ticketping/${WORKSPACE##*/}" $(for w in ${EXTRA_BUILD}; do echo "@ticketping/${w##*/}"; done) --docker

# Every dependency (the build tools too); this layer stays cached until a manifest changes.
FROM ${NODE_IMAGE} AS installer
WORKDIR /app
COPY --from=prune /app/out/json/ ./
# npm ci's postinstall applies patches/ (patch-package): kafkajs' idle timer loop, kafkajs#1704.
COPY patches ./patches
RUN --mount=type=cache,target=/root/.npm npm ci
COPY --from=prune /app/out/full/ ./
COPY tsconfig.base.json ./

# Tilt's image: the pruned repository as in git, TypeScript run directly (`source` condition),
# writable by uid 1000 so live update can sync files into it (the Debian base has `tar`).
FROM ${NODE_IMAGE} AS dev
ARG WORKSPACE
ENV NODE_ENV=development
COPY --from=installer --chown=1000:1000 /app /app
WORKDIR /app/${WORKSPACE}
USER 1000
EXPOSE 8080
CMD ["node", "--conditions=source", "--watch", "src/main.ts"]

# dist/ of the workspace, of the EXTRA_BUILD ones and of every workspace package they import; then
# production dependencies only, and of each workspace package only what runs (package.json for its
# `exports`, and dist/).
FROM installer AS build
ARG WORKSPACE
ARG EXTRA_BUILD
ARG EXTRA_FILES
RUN npx turbo run build "--filter=./${WORKSPACE}" $(for w in ${EXTRA_BUILD}; do echo "--filter=./$w"; done)
RUN npm prune --omit=dev \
  && find packages -mindepth 2 -maxdepth 2 ! -name package.json ! -name dist ! -name node_modules -exec rm -rf {} +
# The rest of the production image, laid out as under /app in /image: the workspace's package.json
# and dist/; its built migrations in migrations/ where it has a database (dist/migrate.js reads
# ../migrations, and not every service has one, so COPY cannot name them); each EXTRA_BUILD
# workspace's dist/ and each EXTRA_FILES file where the gateway's config looks (relative to /app).
RUN --mount=type=bind,target=/context \
  mkdir -p "/image/${WORKSPACE}" \
  && cp -R "${WORKSPACE}/package.json" "${WORKSPACE}/dist" "/image/${WORKSPACE}/" \
  && if [ -d "${WORKSPACE}/dist/migrations" ]; then cp -R "${WORKSPACE}/dist/migrations" "/image/${WORKSPACE}/migrations"; fi \
  && for w in ${EXTRA_BUILD}; do mkdir -p "/image/$w" && cp -R "$w/dist" "/image/$w/"; done \
  && for f in ${EXTRA_FILES}; do mkdir -p "/image/$(dirname "$f")" && cp "/context/$f" "/image/$f"; done

# The production image: node, production dependencies and built JavaScript.
FROM ${NODE_IMAGE} AS runtime
ARG WORKSPACE
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /image/ ./
WORKDIR /app/${WORKSPACE}
USER 1000
EXPOSE 8080
CMD ["node", "dist/main.js"]
