"""`serve --limits FILE`: a TOML file of default limits is applied at start, and a bad one stops the
server before it starts, naming the file and the field."""

from __future__ import annotations

import subprocess

from sim_server import CLI

from tests.support.harness.server import clean_env, free_port

LIMITS = """\
timezone = "Europe/Paris"
working_hours = ["09:00-12:30", "18:00-23:00"]
cooldown_hours = [1, 6, 24]

[daily]
follow = 30
comment = 10
"""


def test_the_file_sets_the_default_limits_of_every_account(start_server, tmp_path):
    path = tmp_path / "limits.toml"
    path.write_text(LIMITS)
    server = start_server("--limits", str(path), sim=1)
    me = server.register(0)
    assert server.ok(server.client.get("/limits")) == {
        "daily": {"follow": 30, "comment": 10},
        "working_hours": ["09:00-12:30", "18:00-23:00"],
        "timezone": "Europe/Paris",
        "cooldown_hours": [1.0, 6.0, 24.0],
    }
    assert server.ok(server.client.get(f"/account/{me}"))["limits"] == {
        "daily": {"follow": 30, "comment": 10},
        "working_hours": ["09:00-12:30", "18:00-23:00"],
        "timezone": "Europe/Paris",
        "cooldown_hours": [1.0, 6.0, 24.0],
    }
    assert [e["data"]["source"] for e in server.log() if e["type"] == "default-limits-set"] == ["file"]


def refused(tmp_path, path) -> str:
    """serve with this --limits file: it must exit 2 before serving; the error line."""
    result = subprocess.run(
        [*CLI, "serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "data"), "--limits", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
        env=clean_env(),
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr, result
    return result.stderr.strip().splitlines()[-1]


def test_a_bad_file_stops_the_server_before_it_starts_naming_the_field(tmp_path):
    (tmp_path / "bad.toml").write_text("[daily]\nfollow = -1\n")
    (tmp_path / "broken.toml").write_text("[daily\n")
    assert refused(tmp_path, tmp_path / "bad.toml").endswith(
        f"argument --limits: {tmp_path / 'bad.toml'}: daily.follow must be between 0 and 100000, got -1"
    )
    assert refused(tmp_path, tmp_path / "missing.toml").endswith(
        f"argument --limits: cannot read {tmp_path / 'missing.toml'}: No such file or directory"
    )
    assert f"{tmp_path / 'broken.toml'} is not valid TOML" in refused(tmp_path, tmp_path / "broken.toml")
    assert not (tmp_path / "data").exists()
