-- Run once by the postgres image's entrypoint, on an empty data volume only
-- (mounted into /docker-entrypoint-initdb.d/ by docker-compose.yml).
-- One database per service: each service owns its tables, outbox and inbox.
CREATE DATABASE intake;
CREATE DATABASE dispatch;
CREATE DATABASE case_penalty;
CREATE DATABASE mediation;
CREATE DATABASE evaluation;
