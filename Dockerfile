# Logistic Lens: one app process per container (a process trains on one core). More cores or
# machines: many containers behind a proxy that hashes on the session id, one PostgreSQL
# (app/deploy/compose.yaml, app/deploy/kubernetes/).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    LL_DATA_DIR=/data LL_HOST=0.0.0.0 LL_PORT=8000
WORKDIR /srv

# Dependencies first (installed from pyproject with a stub package, then the stub removed),
# so code changes do not reinstall them. The app runs from /srv, where uvicorn imports it.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py \
    && pip install --no-cache-dir . \
    && pip uninstall -y logistic-lens && rm -rf app

COPY app ./app
COPY static ./static
COPY templates ./templates
RUN useradd --create-home --uid 10001 lens \
    && mkdir -p /data && chown lens /data

USER lens
VOLUME ["/data"]
EXPOSE 8000
# From inside the container, so a loopback client: /api/health needs no token (and would
# answer even without one) and 127.0.0.1 is always an allowed Host for it. Not 2xx: raises.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/api/health' % os.environ.get('LL_PORT', '8000'), timeout=2)"
# exec: uvicorn is PID 1 and gets the SIGTERM of `docker stop` (and saves its sessions);
# LL_WORKER defaults to the container's hostname, so /api/health says which container answered.
CMD ["sh", "-c", "export LL_WORKER=\"${LL_WORKER:-$(hostname)}\"; exec uvicorn app.main:app --ws app.ws_protocol:Protocol --host \"$LL_HOST\" --port \"$LL_PORT\""]
