"""The agent: the phones' actors of one adb server (or a share of them), in a process of its own or
inside `serve` (docs/agents.md). `agent.py` its life, `claims.py` which phones it owns, `crew.py`
the actors of those phones."""
