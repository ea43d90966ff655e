-- The Prefect server's own database, beside the product's (POSTGRES_DB, `zi`).
CREATE DATABASE prefect OWNER zi;
