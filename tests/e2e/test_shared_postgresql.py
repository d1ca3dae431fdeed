"""Two `serve` processes on one PostgreSQL database (API hosts behind a balancer): while clients
create, stop and retry tasks through both at once, a follower of `/events` on each misses no
event and sees none twice, task ids stay unique, and both answer the same views."""

from __future__ import annotations

import os
import random
import threading
import time

import httpx
import pytest

from tests.support.harness.server import ServeProcess

pytestmark = [pytest.mark.skipif(os.name == "nt", reason="POSIX processes"), pytest.mark.postgresql]

CLIENTS_PER_SERVER = 4
CREATES_PER_CLIENT = 25


@pytest.fixture
def two_servers(tmp_path, pg_url):
    servers = [
        ServeProcess(tmp_path / f"api{i}", "--db", pg_url, "--sync", "normal", "--no-access-log", "--adb-port", "1")
        for i in (1, 2)
    ]
    for server in servers:
        server.start()
    try:
        yield [server.wait_ready() for server in servers]
    finally:
        codes = [server.stop() for server in servers]
        assert codes == [0, 0], [server.output()[-2000:] for server in servers]


def _ok(response: httpx.Response):
    body = response.json()
    assert body["code"] == 0, body
    return body["data"]


def _client(base: str, seed: int, created: list[int], errors: list[str]) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=30) as http:
        for n in range(CREATES_PER_CLIENT):
            body = {
                "serials": [f"P{rng.randrange(5)}", f"Q{rng.randrange(5)}"],
                "script_name": "follow",
                "script_config": {"target_users": [f"u{seed}-{n}"]},
            }
            answer = http.post("/task", json=body).json()
            if answer["code"] != 0:
                errors.append(str(answer))
                continue
            ids = answer["data"]["task_ids"]
            created.extend(ids)
            if rng.random() < 0.5:
                http.post(f"/task/{ids[0]}/stop")
                if rng.random() < 0.5:
                    http.post(f"/task/{ids[0]}/retry")


def _follow(base: str, seen: list[int], done: threading.Event) -> None:
    after = 0
    with httpx.Client(base_url=base, timeout=30) as http:
        while True:
            events = _ok(http.get("/events", params={"after": after, "limit": 50}))["events"]
            seen.extend(event["position"] for event in events)
            if events:
                after = events[-1]["position"]
            elif done.is_set():
                return
            else:
                time.sleep(0.005)


def test_followers_on_both_servers_miss_nothing_under_concurrent_writers(two_servers):
    bases = [server.base_url for server in two_servers]
    created: list[int] = []
    errors: list[str] = []
    seen = {base: [] for base in bases}
    done = threading.Event()
    followers = [threading.Thread(target=_follow, args=(base, seen[base], done)) for base in bases]
    clients = [
        threading.Thread(target=_client, args=(base, seed, created, errors))
        for seed, base in enumerate(bases * CLIENTS_PER_SERVER)
    ]
    for thread in followers + clients:
        thread.start()
    for thread in clients:
        thread.join()
    done.set()  # the followers read on until they find nothing more
    for thread in followers:
        thread.join()

    assert errors == []
    assert len(created) == len(set(created)) == 2 * len(bases) * CLIENTS_PER_SERVER * CREATES_PER_CLIENT
    with httpx.Client(base_url=bases[0], timeout=30) as http:
        last = _ok(http.get("/events", params={"after": 0, "limit": 1000}))["events"]
        total = len(last)
        while len(last) == 1000:
            last = _ok(http.get("/events", params={"after": total, "limit": 1000}))["events"]
            total += len(last)
    for base in bases:
        assert seen[base] == list(range(1, total + 1)), f"{base}: a gap or a repeat"
    views = [
        (_ok(httpx.get(f"{base}/task/stats")), _ok(httpx.get(f"{base}/task", params={"page_size": 100})))
        for base in bases
    ]
    assert views[0] == views[1]
    assert views[0][0]["total"] == len(created)


def test_one_idempotency_key_sent_to_both_servers_at_once_creates_the_tasks_once(two_servers):
    bases = [server.base_url for server in two_servers]
    keys, senders_per_key = 12, 4
    answers: dict[str, list[dict]] = {f"order-{k}": [] for k in range(keys)}
    clients = [httpx.Client(base_url=bases[n % 2], timeout=30) for n in range(senders_per_key)]

    def send(client: httpx.Client, key: str, body: dict, start: threading.Barrier) -> None:
        start.wait()
        answers[key].append(client.post("/task", json=body, headers={"Idempotency-Key": key}).json())

    for key in answers:  # the senders of a key leave together, half to each server
        body = {"serials": ["P1", "P2"], "script_name": "follow", "script_config": {"target_users": [key]}}
        start = threading.Barrier(senders_per_key)
        threads = [threading.Thread(target=send, args=(client, key, body, start)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for client in clients:
        client.close()
    for key, sent in answers.items():
        assert all(answer["code"] == 0 for answer in sent), sent
        assert len({tuple(answer["data"]["task_ids"]) for answer in sent}) == 1, (key, sent)
    stats = [_ok(httpx.get(f"{base}/task/stats")) for base in bases]
    assert stats[0] == stats[1] and stats[0]["total"] == 2 * keys
