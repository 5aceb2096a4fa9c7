# TMS Info production image: gunicorn serving Django, whitenoise serving compressed static files.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Hashed, compressed (gzip and brotli) static files, built once into the image.
RUN DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --no-create-home app

USER app
EXPOSE 8000

# Waits for the database, migrates, imports content when TMSINFO_IMPORT_CONTENT=1, then runs CMD.
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["gunicorn", "tmsinfo.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
