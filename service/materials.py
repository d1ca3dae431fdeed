"""The material library: files under <data-dir>/materials, tagged by the folders they sit in.

A post from the library takes the least-used matching files (ties broken by the task's
random generator) and records the use as a `material-used` event.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path

import anyio

from service.store.interface import EventStore

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".3gp", ".mkv"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".bmp"})
MEDIA_SUFFIXES = VIDEO_SUFFIXES | IMAGE_SUFFIXES


def _media_files(root: Path) -> Iterator[tuple[str, ...]]:
    """The parts of the path relative to root of every media file under root, in no particular order;
    a folder reached through a symbolic link is not entered (as Path.rglob)."""
    if not root.is_dir():
        return
    folders: list[tuple[str, ...]] = [()]
    while folders:
        parts = folders.pop()
        try:
            with os.scandir(root.joinpath(*parts)) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            if entry.is_dir() and not entry.is_symlink():
                folders.append(parts + (entry.name,))
            elif os.path.splitext(entry.name)[1].lower() in MEDIA_SUFFIXES and entry.is_file():
                yield parts + (entry.name,)


def library_files(root: Path) -> list[tuple[str, frozenset[str]]]:
    """(path relative to root with / separators, tags) of every media file under root, sorted."""
    return [
        ("/".join(parts), frozenset(part.casefold() for part in parts[:-1])) for parts in sorted(_media_files(root))
    ]


def least_used(
    root: Path, suffixes: frozenset[str], wanted: set[str], uses: Mapping[str, int], count: int, rng: random.Random
) -> list[str]:
    """The `count` least-used files of the kind (`suffixes`) that carry any `wanted` tag (any file when
    none is wanted), ties broken by `rng`; a walk of the whole library, so run off the event loop."""
    candidates = [
        rel
        for rel, file_tags in library_files(root)
        if Path(rel).suffix.lower() in suffixes and (not wanted or wanted & file_tags)
    ]
    rng.shuffle(candidates)
    candidates.sort(key=lambda rel: uses.get(rel, 0))
    return candidates[:count]


class MaterialLibrary:
    """Picks library files for one task and records their use through `record`."""

    def __init__(
        self, data_dir: Path, store: EventStore, record: Callable[[list[str]], Awaitable[None]], content_type: int = 0
    ) -> None:
        self.root = data_dir / "materials"
        self.store = store
        self.record = record
        self.suffixes = IMAGE_SUFFIXES if content_type == 1 else VIDEO_SUFFIXES

    async def pick(self, tags: Sequence[str], count: int, rng: random.Random) -> list[Path]:
        """The `count` least-used files carrying any of `tags` (all files when no tag is given).

        The library is walked in a worker thread: a post never stalls the other phones' runs."""
        wanted = {tag.strip().casefold() for tag in tags if tag.strip()}
        uses = await self.store.views.material_uses()
        chosen = await anyio.to_thread.run_sync(least_used, self.root, self.suffixes, wanted, uses, count, rng)
        if not chosen:
            return []
        await self.record(chosen)
        return [self.root / rel for rel in chosen]


def seed_samples(data_dir: Path) -> list[Path]:
    """Put the sample video and image into an empty library (`<data-dir>/materials/samples/`)."""
    root = data_dir / "materials"
    if next(_media_files(root), None) is not None:
        return []
    target = root / "samples"
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for sample in resources.files("service").joinpath("samples").iterdir():
        if sample.name.startswith("sample-"):
            with resources.as_file(sample) as path:
                copied.append(Path(shutil.copy(path, target / sample.name)))
    return copied
