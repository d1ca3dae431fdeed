"""The event loop's longest stall while a post chooses its media from a large library or folder.

A watcher task sleeps 1 ms at a time on the loop and records the longest gap between two of its
wake-ups (anything longer than 1 ms is time the loop could not run the other phones' actors, the
API or the scheduler). Four runs per source, each of `--rounds` choices:

  idle      the watcher alone, as long as the worker-thread run took: the loop's own noise;
  before    the baseline: the code before the walk left the loop (Path.rglob / Path.iterdir, a stat
            per file), reproduced below as it was, on the loop;
  on loop   today's walk (os.scandir) called on the loop: what the faster walk alone gives;
  worker    the figure: what a post does now (`MaterialLibrary.pick`, `choose_media`), the walk in a
            worker thread.

Sources: a library of `--files` files under 100 tag folders (<data-dir>/materials, a real SQLite store
for the use counts), and one folder of `--files` files (material_source localFolder).
Ratio = worker stall / before stall (lower is better). Prints a table, then one JSON line.

    .venv/bin/python bench/loop_stall.py [--quick] [--files N] [--rounds R]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import emit, machine, table  # noqa: E402
from devices.scripts.post_media import choose_media, folder_media, kind_of  # noqa: E402
from service.materials import MEDIA_SUFFIXES, VIDEO_SUFFIXES, MaterialLibrary, least_used  # noqa: E402
from service.store.sqlite.store import SQLiteEventStore  # noqa: E402

TICK_S = 0.001


def rglob_least_used(
    root: Path, suffixes: frozenset[str], wanted: set[str], uses: dict[str, int], count: int, rng: random.Random
) -> list[str]:
    """The library's choice as the code made it before (the baseline), a Path.rglob walk."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in MEDIA_SUFFIXES:
            relative = path.relative_to(root)
            found.append((relative.as_posix(), frozenset(part.casefold() for part in relative.parts[:-1])))
    candidates = [rel for rel, tags in found if Path(rel).suffix.lower() in suffixes and (not wanted or wanted & tags)]
    rng.shuffle(candidates)
    candidates.sort(key=lambda rel: uses.get(rel, 0))
    return candidates[:count]


def iterdir_folder_media(folder: Path, kind: str) -> list[Path]:
    """A localFolder's files as the code listed them before (the baseline)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and kind_of(p) == kind)


def make_files(folder: Path, count: int, tags: int) -> None:
    """`count` small videos, spread over `tags` sub-folders (none when tags is 0)."""
    for n in range(count):
        parent = folder / f"tag{n % tags}" if tags else folder
        parent.mkdir(parents=True, exist_ok=True)
        (parent / f"clip{n}.mp4").write_bytes(b"\0" * 64)


async def longest_stall(work: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """(the longest gap between two wake-ups of a 1 ms sleeper, in ms; seconds the work took)."""
    longest = 0.0
    done = anyio.Event()

    async def watch() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done.is_set():
            await anyio.sleep(TICK_S)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    async with anyio.create_task_group() as tg:
        tg.start_soon(watch)
        await anyio.sleep(0.05)  # the watcher runs before the work starts
        started = time.perf_counter()
        await work()
        took = time.perf_counter() - started
        done.set()
    return longest * 1000, took


def repeated(rounds: int, once: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
    async def work() -> None:
        for _ in range(rounds):
            await once()
            await anyio.sleep(0)  # the watcher gets the loop between two rounds, as between two posts

    return work


async def measure(files: int, rounds: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="droidledger-stall-") as tmp:
        data_dir, folder = Path(tmp) / "data", Path(tmp) / "folder"
        print(f"writing {files:,} files into a library and {files:,} into a folder ...", file=sys.stderr, flush=True)
        make_files(data_dir / "materials", files, 100)
        make_files(folder, files, 0)
        store = SQLiteEventStore(Path(tmp) / "events.db")
        async with store.running():

            async def record(paths: list[str]) -> None:
                return None

            library = MaterialLibrary(data_dir, store, record)
            rng = random.Random(1)

            async def walk_before() -> None:
                rglob_least_used(library.root, VIDEO_SUFFIXES, {"tag7"}, await store.views.material_uses(), 1, rng)

            async def walk_on_loop() -> None:
                least_used(library.root, VIDEO_SUFFIXES, {"tag7"}, await store.views.material_uses(), 1, rng)

            ctx = SimpleNamespace(config={"material_source": "localFolder", "material_path": str(folder)}, rng=rng)

            async def list_before() -> None:
                iterdir_folder_media(folder, "video")

            async def list_on_loop() -> None:
                folder_media(folder, "video")

            sources = {
                "library": (walk_before, walk_on_loop, lambda: library.pick(["tag7"], 1, rng)),
                "folder": (list_before, list_on_loop, lambda: choose_media(ctx)),
            }
            for source, (before, on_loop, worker) in sources.items():
                print(
                    f"{source}: {rounds} choices as before, on the loop, then in a worker thread ...",
                    file=sys.stderr,
                    flush=True,
                )
                r = results[source] = {}
                r["before_ms"], _ = await longest_stall(repeated(rounds, before))
                r["on_loop_ms"], _ = await longest_stall(repeated(rounds, on_loop))
                r["worker_ms"], took = await longest_stall(repeated(rounds, worker))
                r["idle_ms"], _ = await longest_stall(lambda: anyio.sleep(took))  # noqa: B023 - awaited here
                r["choice_ms"] = took / rounds * 1000
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int)
    args = parser.parse_args()
    rounds = args.rounds or (5 if args.quick else 20)
    print(f"machine: {machine()}")
    results = anyio.run(measure, args.files, rounds)
    table(
        f"longest event-loop stall, {args.files:,} files, {rounds} choices per run (ms)",
        ["source", "idle loop", "before", "scandir on loop", "worker thread (now)", "now / before", "one choice (now)"],
        [
            [
                source,
                r["idle_ms"],
                r["before_ms"],
                r["on_loop_ms"],
                r["worker_ms"],
                r["worker_ms"] / r["before_ms"],
                r["choice_ms"],
            ]
            for source, r in results.items()
        ],
    )
    library, folder = results["library"], results["folder"]
    emit(
        {
            "files": args.files,
            "stall_ms": round(library["worker_ms"], 2),
            "baseline_stall_ms": round(library["before_ms"], 2),
            "ratio": round(library["worker_ms"] / library["before_ms"], 3),
            "idle_stall_ms": round(library["idle_ms"], 2),
            "scandir_on_loop_stall_ms": round(library["on_loop_ms"], 2),
            "folder_stall_ms": round(folder["worker_ms"], 2),
            "folder_baseline_stall_ms": round(folder["before_ms"], 2),
            "folder_ratio": round(folder["worker_ms"] / folder["before_ms"], 3),
        }
    )


if __name__ == "__main__":
    main()
