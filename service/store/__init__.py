"""The event store: SQLite, one writer with group commit, readers on their own connections."""
