# syntax=docker/dockerfile:1
# Kanal image: one image for every process (web, Celery worker and beat,
# migrations); the Helm chart in helm/kanal picks the command.
#
#   docker build -t kanal:0.1.0 .
#   docker run --rm -p 8000:8000 --env-file prod.env kanal:0.1.0
#
# The builder and runtime stages must use the same Python base image: the
# virtualenv built in the first is copied to the same path in the last.
ARG PYTHON_IMAGE=python:3.11-slim
# Vite 8 needs Node.js 20.19+ or 22.12+.
ARG NODE_IMAGE=node:22-slim

# --- webapp: the white-label web app (webapp/ -> webapp/dist) -----------------
FROM ${NODE_IMAGE} AS webapp
WORKDIR /src/webapp
COPY webapp/package.json webapp/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY webapp/ ./
# The app imports the GraphQL operation documents at build time.
COPY graphql/operations/ /src/graphql/operations/
RUN npm run build

# --- builder: compilers and headers, only to build the virtualenv -------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# Every pinned dependency ships manylinux wheels for x86_64 (psycopg2-binary
# bundles libpq, Pillow/pillow-heif/shapely bundle their C libraries); the
# compilers are the fallback for a platform without a wheel. Not pinned: they
# follow the base image's Debian release and never reach the final image.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
# pyproject.toml lists the pinned dependencies (and packages = []: the code is
# imported from /app, not installed), so this layer is rebuilt only when the
# dependencies change.
COPY pyproject.toml README.md ./
RUN pip install .

# --- runtime: python:3.11-slim + the virtualenv + the source + the web app -----
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KANAL_ENV=production \
    DEBUG=false \
    MEDIA_ROOT=/data/media \
    MPLCONFIGDIR=/tmp/matplotlib \
    HOME=/tmp

RUN groupadd --system --gid 10001 kanal \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /tmp --shell /usr/sbin/nologin kanal \
    && mkdir -p /data/media \
    && chown 10001:10001 /data/media

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
# Owned by root and not writable by the app user: the code is read-only at run
# time (the chart also mounts the root filesystem read-only).
COPY . /app
# Django serves the built app (STATICFILES_DIRS, graphql/webshell reads index.html).
COPY --from=webapp /src/webapp/dist /app/webapp/dist

# Static files are collected at build time into STATIC_ROOT (/app/staticfiles)
# with throw-away settings: collectstatic connects to neither PostgreSQL nor
# Redis, and none of these values ends up in the image's environment.
# Sources are byte-compiled now because nothing can write .pyc files later.
RUN SECRET_KEY=build-time-only-collectstatic-key-never-used-at-run-time-0123456789 \
    DATABASE_URL=postgres://build@127.0.0.1:1/build \
    REDIS_URL=redis://127.0.0.1:1/0 \
    KANAL_BASE_DOMAIN=build.invalid \
    python manage.py collectstatic --noinput \
    && python -m compileall -q /app

USER 10001:10001
EXPOSE 8000

# The web server; the chart overrides the command for the worker, beat and the
# migration Job.
CMD ["python", "-m", "kanal.serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
