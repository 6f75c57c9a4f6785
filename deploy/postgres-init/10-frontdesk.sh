#!/bin/sh
# Run once by the official PostgreSQL image, when its data volume is empty: the server's own
# role and database. The role is no superuser and has no BYPASSRLS (the server refuses one
# that could read every clinic's rows); it owns its database, so it runs the migrations.
# APP_PASSWORD_FILE names the file holding the role's password (a Docker secret).
set -eu
role="${APP_USER:-frontdesk}"
database="${APP_DATABASE:-frontdesk}"
password="$(cat "$APP_PASSWORD_FILE")"
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
    -v role="$role" -v database="$database" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
SQL
