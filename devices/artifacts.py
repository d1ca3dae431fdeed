"""Files kept when a task fails: the UI hierarchy of the failing screen, and a screenshot.

They live under <data-dir>/artifacts/<task id>/ and are named on the `failed` event, so
`GET /api/v1/task/{id}/artifacts/{name}` can serve them.
"""

from __future__ import annotations

import re
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def artifact_dir(data_dir: Path, task_id: int) -> Path:
    """Where a task's artifacts are stored."""
    return data_dir / "artifacts" / str(task_id)


def save_artifacts(
    data_dir: Path, task_id: int, attempt: int, step: str | None, hierarchy_xml: str | None, screenshot: bytes | None
) -> list[str]:
    """Write what the phone gave; returns the file names (none when the phone gave nothing)."""
    folder = artifact_dir(data_dir, task_id)
    stem = _UNSAFE.sub("-", f"attempt{attempt}-{step or 'start'}").strip("-")
    names = []
    if hierarchy_xml:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{stem}-hierarchy.xml").write_text(hierarchy_xml, encoding="utf-8")
        names.append(f"{stem}-hierarchy.xml")
    if screenshot:
        folder.mkdir(parents=True, exist_ok=True)
        suffix = ".png" if screenshot.startswith(b"\x89PNG") else ".jpg"
        (folder / f"{stem}-screenshot{suffix}").write_bytes(screenshot)
        names.append(f"{stem}-screenshot{suffix}")
    return names
