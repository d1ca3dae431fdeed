"""Short form of bench/crash.py: `serve --sim` killed with SIGKILL at random moments, restarted,
checked after every round (integrity, views = replay, nothing acknowledged lost, running tasks
recorded as interrupted by the restart, the log's tasks exactly the acknowledged ones)."""

from __future__ import annotations

import os

import pytest

from tests.support.harness.crash import CrashConfig, run_crash

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")


def test_nothing_acknowledged_is_lost_across_random_kills(tmp_path):
    config = CrashConfig(
        rounds=3,
        clients=4,
        phones=4,
        time_scale=0.02,
        kill_after_min_s=0.4,
        kill_after_max_s=1.5,
        startup_kill_chance=0.34,
        seed=7,
    )
    report = run_crash(tmp_path, config, progress=print)
    summary = report.summary()
    print(summary)
    assert report.ok, "\n".join(report.failures())
    assert summary["tasks_lost"] == 0 and summary["duplicated"] == 0
    # The run exercised what it claims to: tasks were acknowledged and some were running at a kill.
    assert summary["tasks_acknowledged"] > 50
    assert summary["running_at_kill"] > 0
