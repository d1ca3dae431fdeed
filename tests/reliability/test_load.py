"""Short form of bench/load.py: 20 clients for 10 s against `serve --sim 50 --device-limit 50`
while the phones run tasks — zero 5xx, nothing acknowledged lost or duplicated."""

from __future__ import annotations

from tests.support.harness.load import LoadConfig, run_load


def test_twenty_clients_for_ten_seconds_lose_nothing_and_see_no_5xx(tmp_path):
    report = run_load(
        tmp_path,
        LoadConfig(clients=20, seconds=10, phones=50, device_limit=50, time_scale=0.01, sample=300, seed=3),
        progress=print,
    )
    summary = report.summary()
    print(summary)
    assert report.ok, "\n".join(report.failures())
    assert summary["errors_5xx"] == 0 and summary["tasks_lost"] == 0 and summary["tasks_duplicated"] == 0
    # It was load, and the phones worked meanwhile.
    assert summary["requests"] > 500 and summary["tasks_acknowledged"] > 100
    assert summary["tasks_run"]["completed"] > 0
    assert set(report.latencies) >= {
        "POST /task",
        "GET /task",
        "GET /task/{id}",
        "POST /task/{id}/stop",
        "POST /task/{id}/retry",
        "DELETE /task/{id}",
    }
