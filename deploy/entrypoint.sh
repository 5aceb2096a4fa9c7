#!/bin/sh
# Container entrypoint: wait for the database, migrate, import content when asked, then run the command.
set -eu
cd "$(dirname "$0")/.."

python manage.py wait_for_db --timeout "${TMSINFO_DB_WAIT_SECONDS:-60}"
python manage.py migrate --noinput
if [ "${TMSINFO_IMPORT_CONTENT:-0}" = "1" ]; then
    python manage.py import_content content
fi
exec "$@"
