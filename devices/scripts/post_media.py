"""Which files a post publishes: material_list, else the localFolder, else the library by tags."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anyio

from devices.errors import ScriptFailed
from devices.scripts.base import ScriptContext

VIDEO = frozenset({".mp4", ".mov", ".m4v", ".webm", ".3gp", ".mkv", ".avi"})
IMAGE = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".bmp"})


def kind_of(path: Path) -> str | None:
    """ "video", "image", or None for other files."""
    suffix = path.suffix.lower()
    return "video" if suffix in VIDEO else "image" if suffix in IMAGE else None


def wanted(config: dict[str, Any]) -> tuple[str, int]:
    """The kind of media (content_type 0 video, 1 images) and how many files."""
    if int(config.get("content_type", 0)) == 1:
        return "image", max(1, int(config.get("image_count", 1)))
    return "video", 1


def folder_media(folder: Path, kind: str) -> list[Path] | None:
    """The folder's files of that kind, sorted; None when there is no such folder."""
    if not folder.is_dir():
        return None
    with os.scandir(folder) as entries:
        return sorted(Path(e.path) for e in entries if kind_of(Path(e.name)) == kind and e.is_file())


async def choose_media(ctx: ScriptContext) -> tuple[list[Path], str]:
    """The files to post and where they came from."""
    config = ctx.config
    kind, count = wanted(config)
    listed = [Path(p) for p in config.get("material_list") or []]
    if listed:
        fitting = [p for p in listed if kind_of(p) == kind]
        if not fitting:
            raise ScriptFailed(f"material_list has no {kind} file (content_type {config.get('content_type', 0)})")
        return fitting[:count], "material_list"
    if config.get("material_source") == "localFolder":
        folder = Path(str(config.get("material_path", "")))
        files = await anyio.to_thread.run_sync(folder_media, folder, kind)  # a large folder never stalls the loop
        if files is None:
            raise ScriptFailed(f"the material folder {folder} does not exist")
        if not files:
            raise ScriptFailed(f"the material folder {folder} has no {kind} file")
        return ctx.rng.sample(files, min(count, len(files))), str(folder)
    tags = [t.strip() for t in str(config.get("materials_tags", "")).split(",") if t.strip()]
    picked = [Path(p) for p in await ctx.materials.pick(tags, count, ctx.rng)]
    if not picked:
        raise ScriptFailed(
            f"no material matches tags {', '.join(tags)}" if tags else f"the material library has no {kind}"
        )
    return picked, "the material library" + (f" (tags {', '.join(tags)})" if tags else "")
