"""The vendor's clients read `code` from the body and expect every answer with HTTP 200.

The requests of the vendor's PowerShell example (`Invoke-RestMethod` throws on any 4xx before
the script can read `code`), sent with the same method, URL and body to real `serve` processes:
HTTP 200 by default; with `--rest-status` (or DROIDLEDGER_REST_STATUS=1) the code's HTTP status.
"""

from __future__ import annotations

import os

import httpx
import pytest

from tests.support.harness.server import ServeProcess, clean_env

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX processes")

LICENSE = "/license/check"
# The example's task: a post on two phones, here without script_name (the client's mistake).
NO_SCRIPT = {"serials": ["device_serial_1", "device_serial_2"], "script_config": {"content_type": 1}}


def _answers(server: ServeProcess) -> dict[str, tuple[int, int]]:
    """(HTTP status, body code) of the example's license check and of a create without script_name."""
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        license_check = http.get(LICENSE)
        create = http.post("/task", json=NO_SCRIPT, headers={"Content-Type": "application/json"})
    return {
        "license": (license_check.status_code, license_check.json()["code"]),
        "create": (create.status_code, create.json()["code"]),
    }


@pytest.mark.parametrize(
    ("flags", "env", "expected"),
    [
        (
            (),
            {},
            {
                "starter": {"license": (200, 40301), "create": (200, 40301)},
                "pro": {"license": (200, 0), "create": (200, 40002)},
            },
        ),
        (
            ("--errors-as-200",),
            {},
            {
                "starter": {"license": (200, 40301), "create": (200, 40301)},
                "pro": {"license": (200, 0), "create": (200, 40002)},
            },
        ),
        (
            ("--rest-status",),
            {},
            {
                "starter": {"license": (403, 40301), "create": (403, 40301)},
                "pro": {"license": (200, 0), "create": (400, 40002)},
            },
        ),
        (
            (),
            {"DROIDLEDGER_REST_STATUS": "1"},
            {
                "starter": {"license": (403, 40301), "create": (403, 40301)},
                "pro": {"license": (200, 0), "create": (400, 40002)},
            },
        ),
    ],
    ids=["default", "errors-as-200", "rest-status", "env"],
)
def test_the_powershell_examples_requests(tmp_path, flags, env, expected):
    found = {}
    for plan in ("starter", "pro"):
        server = ServeProcess(tmp_path / plan, "--plan", plan, "--sync", "normal", *flags, env=clean_env(**env))
        server.start()
        try:
            server.wait_ready()
            found[plan] = _answers(server)
        finally:
            assert server.stop() == 0
    assert found == expected


def test_rest_status_and_errors_as_200_together_are_refused(tmp_path):
    server = ServeProcess(tmp_path / "both", "--rest-status", "--errors-as-200").start()
    assert server.process.wait(timeout=30) == 2
    assert "not allowed with argument" in server.output()
