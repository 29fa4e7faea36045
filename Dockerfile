# syntax=docker/dockerfile:1
# Build: docker build -t followthrough .
# Run:   docker run -e DATABASE_URL=postgresql+psycopg://user:pass@db/followthrough \
#                   -e SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" \
#                   -e FORWARDED_ALLOW_IPS=10.0.0.0/8 -p 8000:8000 followthrough
# The image runs in production mode: without a SECRET_KEY of 32+ bytes it stops at startup
# with an error saying so. FORWARDED_ALLOW_IPS names the reverse proxies whose
# X-Forwarded-For is believed (default: none but 127.0.0.1).

FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Dependencies exactly as locked (hash-checked), then the project itself without resolving again.
COPY requirements.lock pyproject.toml README.md ./
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-deps -r requirements.lock
COPY app ./app
RUN /opt/venv/bin/pip install --no-deps .

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/srv \
    DATABASE_URL=sqlite:////data/followthrough.db \
    ENVIRONMENT=production \
    LOG_JSON=true
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home /srv app \
 && mkdir -p /data && chown app:app /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv
COPY --chown=app:app alembic.ini ./
COPY --chown=app:app migrations ./migrations
COPY --chown=app:app app ./app
# Numeric, so the host (and Kubernetes' runAsNonRoot) can resolve it.
USER 10001:10001
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status == 200 else 1)"]
# `serve` applies migrations first, then runs uvicorn; SIGTERM drains in-flight requests.
STOPSIGNAL SIGTERM
CMD ["followthrough", "serve", "--host", "0.0.0.0", "--port", "8000"]
