"""Security end to end, through real `droidledger serve` processes: where it listens, when it
refuses to start, the API key on every request, files read only from the allowed roots, the
request size limit — and no stack trace in any answer."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.harness.server import CLI, ServeProcess, clean_env, free_port, ipv6_loopback

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX processes and /proc")

KEY = "e2e-key-4f1c0a"
REFUSED = {
    "code": 40101,
    "message": "missing or wrong API key: send Authorization: Bearer <key> or X-API-Key: <key>",
    "data": None,
}


def _listening(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on `port` (Linux /proc/net/tcp*)."""
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # /proc prints each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, raw))
    return found


def _non_loopback_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("10.255.255.255", 1))  # no packet is sent
            address = sock.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("security")


def _serve(home: Path, name: str, *args: str, **kwargs) -> ServeProcess:
    return ServeProcess(home / name, *args, log_path=home / f"{name}.log", **kwargs)


def test_by_default_it_listens_on_the_two_loopbacks_only(home):
    with _serve(home, "loopback") as server:
        if Path("/proc/net/tcp").exists():
            assert _listening(server.port) == ({"127.0.0.1", "::1"} if ipv6_loopback() else {"127.0.0.1"})
        if ipv6_loopback():
            assert httpx.get(f"http://[::1]:{server.port}/api/v1/license/check", timeout=5).status_code == 200
        outside = _non_loopback_address()
        if outside:
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"http://{outside}:{server.port}/api/v1/license/check", timeout=5)


def _refused_start(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, "serve", "--port", str(free_port()), "--data-dir", str(home / "refused"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=home,
        env=env or clean_env(),
    )


@pytest.mark.parametrize("hosts", [["0.0.0.0"], ["::"], ["127.0.0.1", "0.0.0.0"], ["192.0.2.10"]])
def test_listening_beyond_loopback_without_a_key_is_refused(home, hosts):
    result = _refused_start(home, *[arg for host in hosts for arg in ("--host", host)])
    assert result.returncode == 2, result
    assert "without an API key" in result.stderr and "Traceback" not in result.stderr


def test_an_empty_key_in_the_environment_is_no_key(home):
    result = _refused_start(home, "--host", "0.0.0.0", env=clean_env(DROIDLEDGER_API_KEY=""))
    assert result.returncode == 2 and "without an API key" in result.stderr


@pytest.fixture(scope="module")
def keyed(home):
    """Listening on every interface, the key from DROIDLEDGER_API_KEY, one material root."""
    root = home / "library"
    root.mkdir()
    (root / "clip.mp4").write_bytes(b"clip")
    outside = home / "outside"
    outside.mkdir()
    (outside / "secret.mp4").write_bytes(b"secret")
    data = home / "keyed"
    data.mkdir()
    (data / "link.mp4").symlink_to(outside / "secret.mp4")
    server = _serve(
        home,
        "keyed",
        "--host",
        "0.0.0.0",
        "--material-root",
        str(root),
        "--rest-status",
        api_key=KEY,
        env=clean_env(DROIDLEDGER_API_KEY=KEY),
    )
    with server:
        server.root, server.outside = root, outside
        yield server
    assert server.process.returncode == 0
    assert "Traceback" not in server.output()


def test_with_a_key_every_request_needs_it(keyed):
    paths = [
        "/api/v1/license/check",
        "/api/v1/task",
        "/api/v1/task/1",
        "/api/v1/health",
        "/metrics",
        "/schema/openapi.json",
        "/schema",
        "/nope",
    ]
    with httpx.Client(base_url=keyed.origin, timeout=10) as http:
        for headers in ({}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
            for path in paths:
                response = http.get(path, headers=headers)
                assert (response.status_code, response.json()) == (401, REFUSED), (path, headers)
                assert response.headers["www-authenticate"] == "Bearer"
            refused = http.post(
                "/api/v1/task", headers=headers, json={"serials": ["A"], "script_name": "post", "script_config": {}}
            )
            assert refused.status_code == 401
        for headers in ({"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}):
            assert http.get("/api/v1/task/stats", headers=headers).json()["data"]["total"] == 0
            assert http.get("/metrics", headers=headers).status_code == 200


def _create(keyed: ServeProcess, config: dict, script: str = "post") -> httpx.Response:
    body = {"serials": ["A"], "script_name": script, "script_config": config}
    return httpx.post(f"{keyed.base_url}/task", json=body, headers=keyed.headers, timeout=10)


def test_with_a_key_files_are_read_only_from_the_allowed_roots(keyed):
    comment = {"target_post_url": "https://vm.tiktok.com/Z/", "comment_content": "hi"}
    refused = [
        ({"material_list": [str(keyed.outside / "secret.mp4")]}, "post", "script_config.material_list[0]"),
        ({"material_list": ["../outside/secret.mp4"]}, "post", "script_config.material_list[0]"),
        ({"material_list": ["link.mp4"]}, "post", "script_config.material_list[0]"),  # a link out of the roots
        ({"material_source": "localFolder", "material_path": "/etc"}, "post", "script_config.material_path"),
        ({**comment, "comment_image_path": "/etc/passwd"}, "comment", "script_config.comment_image_path"),
        ({**comment, "comment_image_path": "../../outside/secret.mp4"}, "comment", "script_config.comment_image_path"),
    ]
    for config, script, field in refused:
        response = _create(keyed, config, script)
        assert response.status_code == 400, response.text
        assert response.json()["message"].startswith(f"{field} must be inside the data directory or a --material-root")
    assert _create(keyed, {"material_list": [str(keyed.root / "clip.mp4")]}).status_code == 200
    total = httpx.get(f"{keyed.base_url}/task/stats", headers=keyed.headers, timeout=10).json()["data"]["total"]
    assert total == 1


def test_a_10_mb_body_is_41301_and_the_server_carries_on(keyed):
    body = b'{"serials": ["A"], "script_name": "post", "script_config": {"pad": "' + b"x" * (10 << 20) + b'"}}'
    response = httpx.post(f"{keyed.base_url}/task", content=body, headers=keyed.headers, timeout=30)
    assert response.status_code == 413
    assert response.json() == {
        "code": 41301,
        "message": f"request body is {len(body)} bytes; the limit is 1 MiB (1048576 bytes)",
        "data": None,
    }
    assert httpx.get(f"{keyed.base_url}/health", headers=keyed.headers, timeout=10).status_code == 200
