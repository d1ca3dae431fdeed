"""`pip install .` (not only editable) ships everything the service reads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_carries_migrations_selectors_samples_the_farms_app_and_the_board(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("droidledger-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_sql = {p.relative_to(ROOT).as_posix() for p in (ROOT / "migrations").glob("*/*.sql")}
    assert {"migrations/sqlite/0001_event_log.sql", "migrations/postgresql/0001_event_log.sql"} <= shipped_sql <= names
    for data in (
        "devices/selectors/tiktok.json",
        "devices/sim/app/ui.json",
        "service/samples/sample-video.mp4",
        "service/samples/sample-image.jpg",
    ):
        assert data in names, f"{data} is not in the wheel"
    board = {p.relative_to(ROOT).as_posix() for p in (ROOT / "service" / "board").iterdir()}
    assert {"service/board/index.html", "service/board/app.js", "service/board/style.css"} <= board <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "droidledger = service.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not any(name.startswith(("tests/", "bench/")) for name in names)
