# One image for every role (web, worker, beat, migrate); docker-compose.yml picks the command.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=prodops.settings.production \
    PRODOPS_DATA_DIR=/data \
    PYTHONPATH=/app

RUN groupadd --system prodops \
    && useradd --system --gid prodops --home-dir /app --no-create-home prodops \
    && mkdir -p /data \
    && chown prodops:prodops /data

WORKDIR /app
COPY . .
# Every process imports the project from /app (PYTHONPATH), where templates and static
# sources live beside the packages; installing the project brings in its dependencies.
# (The celery command adds the working directory to sys.path only while it imports the
# app, so without PYTHONPATH later imports would come from the installed copy.)
RUN pip install .

# Static files are collected into the image and served by WhiteNoise. Production settings
# insist on these variables; the values below exist only for this build step.
RUN SECRET_KEY=collectstatic-only \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://unused@localhost/unused \
    python manage.py collectstatic --noinput

USER prodops
EXPOSE 8000
CMD ["gunicorn", "prodops.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
