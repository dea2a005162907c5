-- Roles and databases of the consultation backend. Idempotent (psql script, uses \gexec).
-- Run as a superuser by infra/bin/postgres-up on every `up`, and by the postgres image on its first
-- start (docker-compose.yml mounts this file into /docker-entrypoint-initdb.d/).
-- Schemas, tables and the analyst's read-only grants on the `analytics` schema are created by the
-- migrations, not here.
\set ON_ERROR_STOP on

-- The applications' role: owns both databases; CREATEDB because integration tests clone a
-- database per test file from the migrated template (consultation_test).
SELECT 'CREATE ROLE consultation'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consultation') \gexec
ALTER ROLE consultation WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION PASSWORD 'consultation';

-- Analysts: log in, read what migrations grant them, nothing else. No membership in any other
-- role, so INHERIT/NOINHERIT makes no difference: every privilege must be granted to `analyst`
-- directly. Read-only by default (a session can switch that off, so the real guard is the absence
-- of write grants).
SELECT 'CREATE ROLE analyst'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analyst') \gexec
ALTER ROLE analyst WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD 'analyst';
ALTER ROLE analyst SET default_transaction_read_only = on;

SELECT 'CREATE DATABASE consultation OWNER consultation ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'consultation') \gexec
SELECT 'CREATE DATABASE consultation_test OWNER consultation ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'consultation_test') \gexec
ALTER DATABASE consultation OWNER TO consultation;
ALTER DATABASE consultation_test OWNER TO consultation;
