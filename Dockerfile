# The diplowatch worker image: `docker build -t diplowatch-worker .`
# Same install as scripts/bootstrap.sh: the uv version it pins, every package at the version and
# SHA-256 of deploy/python/requirements.lock (resolved with deploy/python/overrides.txt, which keeps
# camel-tools' torch/transformers/camel-kenlm out: several GB), the build requirements from
# deploy/python/build.lock, then the project itself. The lock holds the test extra too, so the
# image can run the unit tests. tests/unit/test_lock.py checks this file against bootstrap.sh.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_NO_CACHE=1 \
    # listen on all interfaces inside the container so Prometheus can scrape /metrics
    DIPLOWATCH_WEB_HOST=0.0.0.0 \
    DIPLOWATCH_WEB_PORT=6066

ARG UV_VERSION=0.9.30
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

WORKDIR /app
# Editable install: schemas/ and the knowledge files are read relative to the source tree.
COPY pyproject.toml setup.py README.md ./
COPY deploy/python/requirements.lock deploy/python/build.lock deploy/python/
COPY schemas schemas
COPY streams streams
# The install compiles the extractor's hot modules with Cython (setup.py, docs/extraction.md): a C
# compiler for the build only, removed again in the same layer. Without it the extractor would run
# as pure Python, ~1.35x slower; the install prints which form the image runs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && uv pip install --system --require-hashes --no-deps -r deploy/python/requirements.lock \
       --build-constraints deploy/python/build.lock \
    && uv pip install --system --no-deps --build-constraints deploy/python/build.lock -e . \
    && apt-get purge -y --auto-remove gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/* build \
    && python -c "import streams.extraction as e; print('diplowatch extractor:', *e.extractor_build())" \
    && useradd --system --no-create-home --home-dir /var/lib/diplowatch diplowatch \
    && install -d -o diplowatch /var/lib/diplowatch
USER diplowatch
# the worker keeps Faust's local data in var/faust/ under the working directory (DIPLOWATCH_DATA_DIR):
# a writable one, apart from the code
WORKDIR /var/lib/diplowatch

EXPOSE 6066
ENTRYPOINT ["python", "-m", "streams"]
CMD ["worker"]
