# TMS Info production image: gunicorn serving Django, whitenoise serving compressed static files.
# Build: docker build -t tmsinfo .   Run: see docs/deploy.md.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install --no-compile -r requirements.txt

COPY . .

# Hashed, compressed (gzip and brotli) static files, built once into the image, and an
# unprivileged user that owns nothing it could use to change the code.
RUN DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q articles tmsinfo deploy \
    && useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app \
    && mkdir /data && chown 10001:10001 /data

# Without DATABASE_URL (a one-box trial) the SQLite file lives in /data, the only writable place.
# Production sets DATABASE_URL to PostgreSQL (docs/deploy.md).
ENV DATABASE_URL=sqlite:////data/db.sqlite3
VOLUME ["/data"]

USER 10001:10001
EXPOSE 8000

# The load balancer and the orchestrator use /healthz too: 200 with the database, 503 without.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

# Waits for the database, migrates, imports content when TMSINFO_IMPORT_CONTENT=1, then runs CMD.
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
# Workers from the CPU count, JSON access log on stdout, graceful shutdown: deploy/gunicorn.conf.py.
CMD ["gunicorn", "tmsinfo.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
