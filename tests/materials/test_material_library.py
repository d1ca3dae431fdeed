"""The material library: least-used files of the wanted kind and tags, ties broken by the task's
generator, each use recorded; an empty library gets the samples, a stocked one does not."""

from __future__ import annotations

import random
from pathlib import Path

from service.materials import MaterialLibrary, library_files, seed_samples
from tests.support.fake_store import FakeEventStore


class UsesStore(FakeEventStore):
    """The fake store with material uses set by the test."""

    def __init__(self, uses: dict[str, int]) -> None:
        super().__init__()
        self.views.material_uses = self._uses
        self._given = uses

    async def _uses(self) -> dict[str, int]:
        return dict(self._given)


def stock(data_dir: Path, *names: str) -> None:
    for name in names:
        path = data_dir / "materials" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"media")


def library(data_dir: Path, uses: dict[str, int] | None = None, content_type: int = 0):
    recorded: list[list[str]] = []

    async def record(paths: list[str]) -> None:
        recorded.append(paths)

    return MaterialLibrary(data_dir, UsesStore(uses or {}), record, content_type), recorded


def test_files_are_tagged_by_their_folders_case_folded_and_other_files_ignored(tmp_path):
    stock(tmp_path, "Cats/Funny/a.MP4", "b.jpg", "notes.txt", "dogs/c.mov")
    assert library_files(tmp_path / "materials") == [
        ("Cats/Funny/a.MP4", frozenset({"cats", "funny"})),
        ("b.jpg", frozenset()),
        ("dogs/c.mov", frozenset({"dogs"})),
    ]
    assert library_files(tmp_path / "nowhere") == []


async def test_the_least_used_videos_with_a_wanted_tag_are_picked_and_recorded(tmp_path):
    stock(tmp_path, "cats/a.mp4", "cats/b.mp4", "cats/c.jpg", "dogs/d.mp4")
    materials, recorded = library(tmp_path, uses={"cats/a.mp4": 2})
    picked = await materials.pick([" Cats "], 1, random.Random(1))
    assert picked == [tmp_path / "materials" / "cats" / "b.mp4"]
    assert recorded == [["cats/b.mp4"]]


async def test_images_when_the_post_is_of_images_and_any_file_without_tags(tmp_path):
    stock(tmp_path, "cats/a.mp4", "x.jpg", "dogs/y.png")
    materials, _ = library(tmp_path, content_type=1)
    picked = await materials.pick([], 5, random.Random(1))
    assert sorted(p.name for p in picked) == ["x.jpg", "y.png"]


async def test_ties_are_broken_by_the_tasks_generator_the_same_way_for_the_same_seed(tmp_path):
    stock(tmp_path, *(f"v{n}.mp4" for n in range(20)))
    first = [await library(tmp_path)[0].pick([], 3, random.Random(seed)) for seed in (5, 5, 6)]
    assert first[0] == first[1] and first[0] != first[2]


async def test_nothing_matching_records_nothing(tmp_path):
    stock(tmp_path, "cats/a.mp4")
    materials, recorded = library(tmp_path)
    assert await materials.pick(["dogs"], 1, random.Random(1)) == []
    assert recorded == []


def test_samples_go_into_an_empty_library_only(tmp_path):
    added = seed_samples(tmp_path)
    assert added and all(path.parent == tmp_path / "materials" / "samples" for path in added)
    assert seed_samples(tmp_path) == []
