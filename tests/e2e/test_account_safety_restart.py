"""End to end: an account's limits, rest and counts, the defaults, a paused phone and a waiting task are
the same after `serve` stops, `droidledger replay` rebuilds the views and `serve` starts again.

A module of its own: a replay needs the database to itself (on PostgreSQL, no other server on it).
"""

from __future__ import annotations

import subprocess

from sim_server import CLI, SimServer

from tests.support.harness.server import clean_env


def test_limits_rests_counts_and_waits_are_the_same_after_a_restart_and_a_replay(start_server, tmp_path):
    first = start_server(sim=1, data_dir=tmp_path / "data")
    me = first.register(0)
    first.ok(first.client.put("/limits", json={"daily": {"like": 50}, "cooldown_hours": [2, 12]}))
    first.ok(
        first.client.put(
            f"/account/{me}/limits", json={"daily": {"follow": 1}, "working_hours": [], "timezone": "Asia/Tokyo"}
        )
    )
    done, held = first.follow_as(me, "again.1", "again.2")
    first.wait_done([done])
    first.waiting(held)
    first.ok(first.client.post(f"/device/{first.serials[0]}/pause"))

    def seen(server: SimServer) -> list:
        return [
            server.ok(server.client.get(path)) for path in (f"/account/{me}", "/limits", "/device", f"/task/{held}")
        ]

    before, log = seen(first), first.log()
    assert before[0]["today"] == {"follow": 1} and before[2]["devices"][0]["paused"] is True
    args = list(first.process.args)
    store = args[args.index("--db") : args.index("--db") + 2] if "--db" in args else []  # PostgreSQL's
    assert first.stop() == 0
    replay = subprocess.run(
        [*CLI, "replay", "--data-dir", str(tmp_path / "data"), *store],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert replay.returncode == 0, replay.stderr
    again = start_server(sim=1, data_dir=tmp_path / "data")
    assert seen(again) == before
    assert [e for e in again.log() if e["position"] <= log[-1]["position"]] == log
