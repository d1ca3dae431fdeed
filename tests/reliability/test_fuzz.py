"""Short form of bench/fuzz.py: schemathesis against the served schema of `serve --sim 2`,
every operation, valid and schema-violating requests, and every other method on every path."""

from __future__ import annotations

import pytest

from tests.support.harness.fuzz import envelope_failure
from tests.support.harness.fuzzing import fuzz_served


def test_generated_requests_to_every_operation_get_no_5xx_and_the_envelope(tmp_path):
    report, after = fuzz_served(tmp_path, per_operation=8, seed=11)
    print(report.summary(), after)
    assert report.ok, "\n".join(report.failures())
    assert after == {"clean_stop_exit": 0, "integrity": "ok", "views_equal_replay": True, "tracebacks_in_log": 0}
    documented = {op.split(" ", 1)[1] for op in report.operations}
    assert {
        "/api/v1/task",
        "/api/v1/task/{task_id}",
        "/api/v1/task/batch",
        "/api/v1/events",
        "/api/v1/account",
        "/api/v1/sim/faults",
        "/metrics",
    } <= documented
    assert set(report.by_operation) >= set(report.operations)  # every operation was called
    assert report.cases > 200
    assert {200, 400, 404, 405} <= set(report.statuses)


# The rule itself must be able to fail.
@pytest.mark.parametrize(
    ("method", "path", "status", "content_type", "body"),
    [
        ("OPTIONS", "/api/v1/task", 204, "", b""),
        ("GET", "/api/v1/task", 200, "application/json", b'{"code": 0, "message": "success"}'),
        ("GET", "/api/v1/task", 404, "application/json", b'{"code": 40001, "message": "x", "data": null}'),
        ("GET", "/api/v1/task", 500, "text/plain", b"Internal Server Error"),
        (
            "GET",
            "/api/v1/task",
            400,
            "application/json",
            b'{"code": 40001, "message": "Traceback (most recent call last): ...", "data": null}',
        ),
        ("GET", "/metrics", 500, "text/plain", b"oops"),
        ("GET", "/api/v1/task", 200, "application/json", b'{"code": 0, "message": "ok", "data": 1}'),
    ],
)
def test_the_envelope_rule_catches_what_breaks_it(method, path, status, content_type, body):
    assert envelope_failure(method, path, status, content_type, body) is not None


@pytest.mark.parametrize(
    ("method", "path", "status", "content_type", "body"),
    [
        ("GET", "/api/v1/task", 304, "", b""),
        ("HEAD", "/api/v1/task", 405, "application/json", b""),
        ("GET", "/api/v1/task/3/artifacts/screen.png", 200, "image/png", b"\x89PNG"),
        ("GET", "/metrics", 200, "text/plain; version=0.0.4", b"# HELP x\n"),
        ("GET", "/schema", 200, "text/html", b"<html>"),
        (
            "GET",
            "/api/v1/task/3/artifacts/screen.png",
            404,
            "application/json",
            b'{"code": 40401, "message": "no artifact", "data": null}',
        ),
    ],
)
def test_the_envelope_rule_allows_api_mds_exceptions(method, path, status, content_type, body):
    assert envelope_failure(method, path, status, content_type, body) is None
