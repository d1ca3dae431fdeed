"""What only the benchmarks use: scratch stores (a temporary SQLite file or a PostgreSQL schema).
The harness shared with the tests is tests/support/harness/."""
