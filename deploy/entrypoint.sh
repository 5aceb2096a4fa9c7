#!/bin/sh
# Container entrypoint: wait for the database, migrate, import content when asked, then run the command.
#   TMSINFO_DB_WAIT_SECONDS  how long to wait for the database (default 60)
#   TMSINFO_MIGRATE          1 (default) applies migrations; 0 on extra web nodes (docs/deploy.md)
#   TMSINFO_IMPORT_CONTENT   1 imports content/ (validated first, one transaction; default 0)
set -eu
cd "$(dirname "$0")/.."

python manage.py wait_for_db --timeout "${TMSINFO_DB_WAIT_SECONDS:-60}"
if [ "${TMSINFO_MIGRATE:-1}" = "1" ]; then
    python manage.py migrate --noinput
fi
if [ "${TMSINFO_IMPORT_CONTENT:-0}" = "1" ]; then
    python manage.py import_content content
fi
exec "$@"
