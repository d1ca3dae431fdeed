"""What the reliability and end-to-end tests and the long runs under bench/ (crash.py, fuzz.py,
load.py, sync_cost.py) share: a `droidledger serve` subprocess, client workloads, and the checks of a
database. Tests import nothing from bench/; bench imports this."""
