"""The material library: files under <data-dir>/materials, tagged by the folders they sit in.

A post from the library takes the least-used matching files (ties broken by the task's
random generator) and records the use as a `material-used` event.
"""

from __future__ import annotations

import random
import shutil
from importlib import resources
from pathlib import Path
from typing import Awaitable, Callable, Sequence

from service.store.interface import EventStore

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".3gp", ".mkv"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".bmp"})


def library_files(root: Path) -> list[tuple[str, frozenset[str]]]:
    """(path relative to root with / separators, tags) of every media file under root."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in VIDEO_SUFFIXES | IMAGE_SUFFIXES:
            relative = path.relative_to(root)
            found.append((relative.as_posix(), frozenset(part.casefold() for part in relative.parts[:-1])))
    return found


class MaterialLibrary:
    """Picks library files for one task and records their use through `record`."""

    def __init__(self, data_dir: Path, store: EventStore, record: Callable[[list[str]], Awaitable[None]],
                 content_type: int = 0) -> None:
        self.root = data_dir / "materials"
        self.store = store
        self.record = record
        self.suffixes = IMAGE_SUFFIXES if content_type == 1 else VIDEO_SUFFIXES

    async def pick(self, tags: Sequence[str], count: int, rng: random.Random) -> list[Path]:
        """The `count` least-used files carrying any of `tags` (all files when no tag is given)."""
        wanted = {tag.strip().casefold() for tag in tags if tag.strip()}
        candidates = [rel for rel, file_tags in library_files(self.root)
                      if Path(rel).suffix.lower() in self.suffixes and (not wanted or wanted & file_tags)]
        if not candidates:
            return []
        uses = await self.store.views.material_uses()
        rng.shuffle(candidates)
        candidates.sort(key=lambda rel: uses.get(rel, 0))
        chosen = candidates[:count]
        await self.record(chosen)
        return [self.root / rel for rel in chosen]


def seed_samples(data_dir: Path) -> list[Path]:
    """Put the sample video and image into an empty library (`<data-dir>/materials/samples/`)."""
    root = data_dir / "materials"
    if library_files(root):
        return []
    target = root / "samples"
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for sample in resources.files("service").joinpath("samples").iterdir():
        if sample.name.startswith("sample-"):
            with resources.as_file(sample) as path:
                copied.append(Path(shutil.copy(path, target / sample.name)))
    return copied
