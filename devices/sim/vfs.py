"""A phone's file system: a tree of paths whose file contents live once, by content hash, in a shared blob store."""

from __future__ import annotations

import hashlib
import posixpath
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass

S_DIR = stat.S_IFDIR | 0o771
S_FILE = stat.S_IFREG | 0o644
DIRECTORY_SIZE = 4096  # what stat and ls report for a folder

# Android exposes the same shared storage under several names; the farm keeps one.
_STORAGE_ALIASES = ("/storage/emulated/0", "/storage/self/primary", "/mnt/sdcard")

BOOT_DIRECTORIES = (
    "/",
    "/data",
    "/data/local",
    "/data/local/tmp",
    "/data/app",
    "/sdcard",
    "/sdcard/DCIM",
    "/sdcard/DCIM/Camera",
    "/sdcard/Pictures",
    "/sdcard/Movies",
    "/sdcard/Download",
    "/sdcard/Music",
    "/storage",
    "/storage/emulated",
    "/system",
    "/system/bin",
    "/dev",
)


class BlobStore:
    """File contents shared by every phone of a farm, each distinct content stored once and counted."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._refs: dict[str, int] = {}
        self._md5: dict[str, str] = {}

    def put(self, parts: Sequence[bytes]) -> str:
        """Store the content made of `parts` (or find it already stored), take a reference, and return its key.

        The parts are joined only when the content is new: pushing the 3.7 MB u2.jar to the 200th phone allocates
        nothing big."""
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part)
        key = digest.hexdigest()
        if key not in self._blobs:
            self._blobs[key] = b"".join(parts)
            self._refs[key] = 0
        self._refs[key] += 1
        return key

    def get(self, key: str) -> bytes:
        """The content stored under `key`."""
        return self._blobs[key]

    def release(self, key: str) -> None:
        """Drop one reference; the content is freed when nothing refers to it any more."""
        self._refs[key] -= 1
        if self._refs[key] == 0:
            del self._blobs[key], self._refs[key]
            self._md5.pop(key, None)

    def md5(self, key: str) -> str:
        """The MD5 hex digest of a stored content, computed once."""
        if key not in self._md5:
            self._md5[key] = hashlib.md5(self._blobs[key]).hexdigest()
        return self._md5[key]

    @property
    def stored_bytes(self) -> int:
        """Bytes held, each distinct content counted once."""
        return sum(len(b) for b in self._blobs.values())


@dataclass(slots=True)
class Entry:
    """One path: a directory (blob is None) or a regular file."""

    mode: int
    mtime: int
    blob: str | None = None
    size: int = 0

    @property
    def is_dir(self) -> bool:
        """Whether the entry is a directory."""
        return self.blob is None and stat.S_ISDIR(self.mode)


class FileSystemError(Exception):
    """A file operation failed; the message reads like toybox's."""


def normalize(path: str, cwd: str = "/") -> str:
    """An absolute, normalised path, with the shared-storage aliases folded into /sdcard."""
    path = posixpath.normpath(posixpath.join(cwd, path)) if path else cwd
    if path.startswith("//"):
        path = path[1:]
    for alias in _STORAGE_ALIASES:
        if path == alias or path.startswith(alias + "/"):
            return "/sdcard" + path[len(alias) :]
    return path


class FileSystem:
    """The files of one phone."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs
        now = int(time.time())
        self._entries: dict[str, Entry] = {d: Entry(S_DIR, now) for d in BOOT_DIRECTORIES}

    def stat(self, path: str) -> Entry | None:
        """The entry at `path`, or None."""
        return self._entries.get(normalize(path))

    def is_dir(self, path: str) -> bool:
        """Whether `path` is an existing directory."""
        entry = self.stat(path)
        return entry is not None and entry.is_dir

    def read(self, path: str) -> bytes:
        """The content of a regular file."""
        entry = self.stat(path)
        if entry is None:
            raise FileSystemError(f"{path}: No such file or directory")
        if entry.is_dir:
            raise FileSystemError(f"{path}: Is a directory")
        return self._blobs.get(entry.blob)

    def md5(self, path: str) -> str:
        """The MD5 of a regular file's content."""
        entry = self.stat(path)
        if entry is None or entry.is_dir:
            raise FileSystemError(f"{path}: No such file or directory")
        return self._blobs.md5(entry.blob)

    def write(self, path: str, data: bytes | Sequence[bytes], mode: int = S_FILE, mtime: int | None = None) -> None:
        """Create or replace a file (its content in one piece or in parts), creating its parent directories."""
        path = normalize(path)
        current = self._entries.get(path)
        if current is not None and current.is_dir:
            raise FileSystemError(f"{path}: Is a directory")
        self.mkdir(posixpath.dirname(path), parents=True)
        key = self._blobs.put([data] if isinstance(data, (bytes, bytearray)) else data)
        if current is not None:
            self._blobs.release(current.blob)
        file_mode = stat.S_IFREG | (stat.S_IMODE(mode) or 0o644)
        self._entries[path] = Entry(file_mode, mtime or int(time.time()), key, len(self._blobs.get(key)))

    def mkdir(self, path: str, parents: bool = False) -> None:
        """Create a directory (and its parents when asked)."""
        path = normalize(path)
        current = self._entries.get(path)
        if current is not None:
            if current.is_dir or not parents:
                if not current.is_dir:
                    raise FileSystemError(f"{path}: Not a directory")
                return
        parent = posixpath.dirname(path)
        if parent not in self._entries:
            if not parents:
                raise FileSystemError(f"{path}: No such file or directory")
            self.mkdir(parent, parents=True)
        self._entries[path] = Entry(S_DIR, int(time.time()))

    def remove(self, path: str, recursive: bool = False) -> None:
        """Delete a file, or a directory tree when `recursive`."""
        path = normalize(path)
        entry = self._entries.get(path)
        if entry is None:
            raise FileSystemError(f"{path}: No such file or directory")
        if entry.is_dir:
            if not recursive:
                raise FileSystemError(f"{path}: Is a directory")
            for child in [p for p in self._entries if p.startswith(path.rstrip("/") + "/")]:
                self._drop(child)
        self._drop(path)

    def _drop(self, path: str) -> None:
        entry = self._entries.pop(path)
        if entry.blob is not None:
            self._blobs.release(entry.blob)

    def list(self, path: str) -> list[tuple[str, Entry]]:
        """The (name, entry) pairs directly inside a directory, sorted by name."""
        path = normalize(path)
        entry = self._entries.get(path)
        if entry is None:
            raise FileSystemError(f"{path}: No such file or directory")
        if not entry.is_dir:
            return [(posixpath.basename(path), entry)]
        prefix = path.rstrip("/") + "/"
        return sorted(
            (p[len(prefix) :], e)
            for p, e in self._entries.items()
            if p.startswith(prefix) and "/" not in p[len(prefix) :] and p != prefix
        )

    def files_under(self, path: str) -> list[str]:
        """Every regular file below a directory (or the file itself), sorted."""
        path = normalize(path)
        entry = self._entries.get(path)
        if entry is not None and not entry.is_dir:
            return [path]
        prefix = path.rstrip("/") + "/"
        return sorted(p for p, e in self._entries.items() if p.startswith(prefix) and not e.is_dir)
