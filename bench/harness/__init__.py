"""What the reliability tests (tests/reliability/) and the long runs (bench/crash.py, fuzz.py,
load.py) share: a `droidledger serve` subprocess, client workloads, and the checks of a database."""
