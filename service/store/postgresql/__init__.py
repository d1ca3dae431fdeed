"""The PostgreSQL backend: one shared log for every process of a farm (psycopg 3)."""
