"""Every curl example of the README's "Try it" section works against `serve --sim 4`, in order."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
NOT_JSON = ("/metrics", "/schema/openapi.json", "curl -O ")
# What must have finished before an example makes sense (the README says so to its readers).
WAIT_FOR = {'"usernames"': [1, 2, 3, 4], "/artifacts/": [14]}

pytestmark = pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None,
                                reason="needs curl and bash")


def curl_examples() -> list[str]:
    """The commands of the first ```sh block after "## Try it", continuation lines joined."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Try it"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands, current = [], ""
    for line in block.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current = f"{current}\n{line}" if current else line
        try:
            complete = not current.endswith("\\") and shlex.split(current, comments=True) is not None
        except ValueError:  # an open quote: the body goes on
            complete = False
        if complete:
            commands.append(current)
            current = ""
    return commands


def test_the_readme_shows_every_endpoint():
    commands = "\n".join(curl_examples())
    for path in ("/license/check", "/task ", "/task?", "/task/1", "/task/stats", "/task/1/events", "/stop",
                 "/retry", "/retry-all", "DELETE $API/task/12", "/task/batch", "/artifacts/", "/events?",
                 "/device", "/account", "DELETE $API/account/", "/health", "/metrics", "/schema",
                 "/sim/state", "/sim/faults"):
        assert path in commands, f"no README example for {path}"


def test_every_readme_example_answers_success(start_server, tmp_path):
    server = start_server(sim=4)
    origin = server.base.removesuffix("/api/v1")
    for command in curl_examples():
        if command.startswith("API="):
            continue
        for marker, task_ids in WAIT_FOR.items():
            if marker in command:
                server.wait_done(task_ids)
        shell = command.replace("http://localhost:50809", origin)
        done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, cwd=tmp_path, timeout=30,
                              env={"API": server.base, "PATH": "/usr/bin:/bin"})
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        if any(marker in command for marker in NOT_JSON):
            continue
        body = json.loads(done.stdout)
        assert body["code"] == 0, f"{command}\n{body}"
    assert (tmp_path / "attempt1-open-profile-hierarchy.xml").read_text().startswith("<?xml")
