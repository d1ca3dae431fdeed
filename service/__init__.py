"""droidledger: the event-sourced task service (API, store, domain, scheduler, CLI)."""
