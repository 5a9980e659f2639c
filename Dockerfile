# The diplowatch worker image: `docker build -t diplowatch-worker .`
# Same install path as scripts/bootstrap.sh: uv with deploy/python/overrides.txt, which keeps
# camel-tools' torch/transformers/camel-kenlm out of the image (several GB).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_NO_CACHE=1 \
    # listen on all interfaces inside the container so Prometheus can scrape /metrics
    DIPLOWATCH_WEB_HOST=0.0.0.0 \
    DIPLOWATCH_WEB_PORT=6066

RUN pip install --no-cache-dir uv

WORKDIR /app
# Editable install: schemas/ and the knowledge files are read relative to the source tree.
COPY pyproject.toml README.md ./
COPY deploy/python/overrides.txt deploy/python/overrides.txt
COPY schemas schemas
COPY streams streams
RUN uv pip install --system --overrides deploy/python/overrides.txt -e . \
    && useradd --system --no-create-home --home-dir /var/lib/diplowatch diplowatch \
    && install -d -o diplowatch /var/lib/diplowatch
USER diplowatch
# the worker keeps Faust's local data in var/faust/ under the working directory (DIPLOWATCH_DATA_DIR):
# a writable one, apart from the code
WORKDIR /var/lib/diplowatch

EXPOSE 6066
ENTRYPOINT ["python", "-m", "streams"]
CMD ["worker"]
