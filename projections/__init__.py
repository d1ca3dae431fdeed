"""Views derived from the event log: each updated in the writer transaction, rebuilt by replay."""
