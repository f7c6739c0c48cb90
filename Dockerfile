# One image for every role (web, worker, beat, migrate); docker-compose.yml picks the command.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=prodops.settings.production \
    PRODOPS_DATA_DIR=/data

RUN groupadd --system prodops \
    && useradd --system --gid prodops --home-dir /app --no-create-home prodops \
    && mkdir -p /data \
    && chown prodops:prodops /data

WORKDIR /app
COPY . .
# The processes run from /app (templates and static sources live beside the packages);
# installing the project brings in its dependencies.
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
