"""Command handlers: load → decide → append, re-run on a version conflict."""
