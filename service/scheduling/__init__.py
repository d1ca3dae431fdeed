"""Scheduling: which pending task each phone runs next, given to the phone's agent through the log
(docs/agents.md). It runs in one `serve` at a time, from the log alone."""
