# Warta in one container. Build: `docker build -t warta .`  Run: see docs/container.md (README).
#
# BASE may be any Debian-like image with Python >= 3.11 and `python -m venv` (scripts/container-check
# builds one with mmdebstrap where no registry of images is reachable). Both stages use the same BASE,
# so the virtual environment built in the first stage finds its interpreter at the same path in the
# second. Only that environment is copied over: nothing used to build lands in the final image.
ARG BASE=python:3.12-slim

# ---- build: a virtual environment holding Warta and its dependencies ---------------------------
FROM ${BASE} AS build

# pip settings for the build only (index mirror, CA bundle, timeout); empty values are ignored by pip.
ARG PIP_INDEX_URL=
ARG PIP_EXTRA_INDEX_URL=
ARG PIP_TRUSTED_HOST=
ARG PIP_CERT=
ARG PIP_DEFAULT_TIMEOUT=60
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

RUN python3 -m venv /opt/venv

WORKDIR /src
# Dependencies first, from pyproject.toml alone, so that a change to the code reuses this layer.
COPY pyproject.toml ./
RUN /opt/venv/bin/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
 && /opt/venv/bin/pip install --quiet -r /tmp/requirements.txt
COPY README.md ./
COPY bot ./bot
RUN /opt/venv/bin/pip install --quiet --no-deps . \
 && /opt/venv/bin/python -m compileall -q /opt/venv/lib \
 && /opt/venv/bin/python -m pip uninstall --quiet --yes pip setuptools

# ---- run ----------------------------------------------------------------------------------------
FROM ${BASE}

LABEL org.opencontainers.image.title="Warta" \
      org.opencontainers.image.description="Self-hosted multilingual news alert bot for Telegram" \
      org.opencontainers.image.licenses="MIT"

# A fixed, unprivileged user; /data (the database) is its only writable place.
RUN groupadd --system --gid 10001 warta \
 && useradd --system --uid 10001 --gid warta --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin warta \
 && mkdir -p /data /config /opt/warta \
 && chown warta:warta /data

COPY --from=build /opt/venv /opt/venv
# The shipped rules: a config's default `rules.paths` ("rules", beside the config or in the working
# directory) finds them here unless /config/rules exists.
COPY rules /opt/warta/rules

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WARTA_CONFIG=/config/config.yaml \
    WARTA_HTTP_LISTEN=0.0.0.0:8080 \
    WARTA_STORAGE_PATH=/data/warta.db

WORKDIR /opt/warta
# CLDR's territory names, read from Babel once at build time so that every start is fast.
ENV XDG_CACHE_HOME=/opt/warta/cache
RUN python -c 'from bot.analyze.entities import known_territory; known_territory("KP")' \
 && chmod -R a+rX /opt/warta/cache
USER warta:warta
VOLUME ["/data"]
EXPOSE 8080

# Liveness from inside, with only what the image has: Python's urllib (no curl). A non-2xx answer
# or no answer within 4 s makes urlopen raise, and the check fails.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('WARTA_HTTP_LISTEN', '0.0.0.0:8080').rpartition(':')[2]; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).close()"]

# Exec form: Warta is the process that receives SIGTERM (run with `--init` so a tiny init reaps
# children and forwards signals to it).
STOPSIGNAL SIGTERM
CMD ["warta", "run"]
