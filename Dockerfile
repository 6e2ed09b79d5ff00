# The study app's web server (and, with another command, its background worker): see README,
# "Deploying". One command for a whole school: `docker compose up -d` (compose.yaml).
# Front-end libraries come from npm with the lockfile, as `make` installs them.
FROM node:22-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DEBUG=false BIND=0.0.0.0:8000 VAR_DIR=/app/var STATIC_ROOT=/app/staticfiles
WORKDIR /app
# The production lock: every package pinned with its hashes (tools/lock.py), nothing resolved here.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY --from=assets /app/node_modules ./node_modules
COPY . .
RUN useradd --system --home-dir /app study && mkdir -p var staticfiles && chown study var staticfiles
USER study
EXPOSE 8000
# The same steps as `make serve`: check the settings, collectstatic, migrate, load the questions, gunicorn.
CMD ["python", "-m", "studyapp.serve"]
