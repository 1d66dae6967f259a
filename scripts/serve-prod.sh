#!/usr/bin/env bash
# Run attkit as in production on this machine: gunicorn workers, PostgreSQL, Redis when it answers.
# Secrets are generated once into var/prod.env (mode 0600, ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
mkdir -p var && chmod 700 var
if [ ! -f var/prod.env ]; then
  umask 077
  {
    echo "ATTKIT_SECRET_KEY=$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    echo "ATTKIT_KEY_ENCRYPTION_KEY=$($BIN/python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
  } > var/prod.env
fi
set -a
# shellcheck disable=SC1091
. var/prod.env
set +a

export ATTKIT_ENV=production
export ATTKIT_DATABASE_URL="${ATTKIT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/attkit_prod}"
export ATTKIT_ALLOWED_HOSTS="${ATTKIT_ALLOWED_HOSTS:-127.0.0.1,localhost}"
export ATTKIT_SECURE_COOKIES="${ATTKIT_SECURE_COOKIES:-0}"   # plain HTTP on loopback; a TLS proxy sets it to 1
export ATTKIT_LOG_FORMAT="${ATTKIT_LOG_FORMAT:-json}"
export ATTKIT_DB_CONN_MAX_AGE="${ATTKIT_DB_CONN_MAX_AGE:-60}"
if [ -z "${ATTKIT_REDIS_URL:-}" ] && $BIN/python -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1).close()" 2>/dev/null; then
  export ATTKIT_REDIS_URL=redis://127.0.0.1:6379/0
fi

db_name="${ATTKIT_DATABASE_URL##*/}"
$BIN/python - "$ATTKIT_DATABASE_URL" "$db_name" <<'PY'
import sys, psycopg
url, name = sys.argv[1], sys.argv[2]
with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
PY
$BIN/attkit migrate --no-input -v 0
$BIN/attkit collectstatic --no-input -v 0
if [ "${ATTKIT_PROD_DEMO:-1}" = "1" ]; then
  $BIN/attkit demo load --quiet
fi

workers="${ATTKIT_WORKERS:-$(( $(nproc) * 2 + 1 ))}"
echo "attkit (production settings) on http://${ATTKIT_BIND:-127.0.0.1:8000} with $workers workers; database $db_name; redis ${ATTKIT_REDIS_URL:-off}"
exec $BIN/gunicorn attkit.wsgi \
  --bind "${ATTKIT_BIND:-127.0.0.1:8000}" \
  --workers "$workers" \
  --worker-class sync \
  --timeout 60 --graceful-timeout 20 \
  --preload --max-requests 5000 --max-requests-jitter 500 \
  --access-logfile - --access-logformat '{"time":"%(t)s","request_id":"%({x-request-id}o)s","method":"%(m)s","path":"%(U)s","status":%(s)s,"bytes":%(B)s,"ms":%(M)s}'
