"""`serve --agents 2`: the phones' actors in two local agent processes, each a share of the phones;
one that dies is started again and takes its phones back at once; shutdown stops them all.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import os

from sim_server import SimServer

from tests.support.cluster import run_violations

LONG_WARMUP = {"task_duration": 86400, "min_duration": 10, "max_duration": 10}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def agents(server: SimServer) -> list[dict]:
    return server.ok(server.client.get("/agent"))["agents"]


def test_two_local_agents_share_the_phones_survive_a_kill_and_stop_with_the_server(start_server):
    server: SimServer = start_server("--agents", "2", sim=6)
    server.wait_until(
        "both agents own phones",
        lambda: [a["phones"] for a in agents(server)] == [3, 3] if len(agents(server)) == 2 else None,
    )
    first = agents(server)
    assert [a["shard"] for a in first] == ["0/2", "1/2"] and {a["state"] for a in first} == {"alive"}
    owner = {d["serial"]: d["agent"] for d in server.ok(server.client.get("/device"))["devices"]}
    assert set(owner.values()) == {a["name"] for a in first}
    everywhere = server.wait_done(server.create(server.serials, "follow", {"target_users": ["anyone"]}))
    assert {t["status_text"] for t in everywhere.values()} == {"completed"}

    victim = first[0]
    phone = next(serial for serial, name in owner.items() if name == victim["name"])
    warmup = server.create_one(phone, "account_warmup", LONG_WARMUP)
    server.wait_steps(warmup, "watch-video")
    os.kill(victim["pid"], 9)
    failed = server.wait_done([warmup])[warmup]
    assert failed["error"] == "interrupted by a restart", failed
    again = server.wait_until(
        "the agent is back",
        lambda: next(
            (
                a
                for a in agents(server)
                if a["name"] == victim["name"] and a["incarnation"] != victim["incarnation"] and a["phones"] == 3
            ),
            None,
        ),
    )
    assert again["pid"] != victim["pid"]
    after = server.wait_done([server.create_one(phone, "follow", {"target_users": ["after"]})])
    assert [t["status_text"] for t in after.values()] == ["completed"]
    assert run_violations(server.log()) == []

    pids = [a["pid"] for a in agents(server)]
    assert server.stop() == 0
    assert not any(_alive(pid) for pid in pids)
