"""Files named in a task (docs/api.md, "Files"): where relative paths point, and which are allowed.

Paths are trimmed, made absolute against their base folder and resolved (links followed,
`..` folded). When the server listens beyond loopback (`restricted`), the resolved path must
lie under the data directory or a material root — checked before existence, so a client
cannot probe for files outside them. `~` is not expanded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import invalid
from service.requests.values import show


@dataclass(frozen=True, kw_only=True)
class FilePolicy:
    """Where files named in a request are looked for, and whether they must stay in roots."""

    data_dir: Path
    material_roots: tuple[Path, ...] = ()
    restricted: bool = False


@dataclass
class FileCheck:
    """One request's file checks; the allowed roots are resolved once, on first use."""

    policy: FilePolicy
    _roots: tuple[Path, ...] | None = field(default=None, init=False)

    def roots(self) -> tuple[Path, ...]:
        """The data directory and the material roots, resolved."""
        if self._roots is None:
            folders = (self.policy.data_dir, *self.policy.material_roots)
            resolved = (_resolve(folder) for folder in folders)
            self._roots = tuple(root for root in resolved if root is not None)
        return self._roots

    def locate(self, path: str, given: str, base: Path) -> Path:
        """The resolved absolute path of `given`, if allowed; `path` names the field."""
        relative = Path(given.strip())
        candidate = relative if relative.is_absolute() else base / relative
        resolved = _resolve(candidate)
        if resolved is None:
            raise invalid(f"{path} is not a usable path, got {show(given)}")
        if self.policy.restricted and not any(resolved.is_relative_to(r) for r in self.roots()):
            raise invalid(f"{path} must be inside the data directory or a --material-root folder, got {show(given)}")
        return resolved

    def file(self, path: str, given: str, base: Path) -> str:
        """An existing file, as its resolved absolute path."""
        resolved = self.locate(path, given, base)
        if not _is(resolved, Path.is_file):
            raise invalid(f"{path} must name an existing file, got {show(given)}")
        return str(resolved)

    def folder(self, path: str, given: str, base: Path) -> str:
        """An existing folder, as its resolved absolute path."""
        resolved = self.locate(path, given, base)
        if not _is(resolved, Path.is_dir):
            raise invalid(f"{path} must name an existing folder, got {show(given)}")
        return str(resolved)


def _resolve(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # link loops, names too long, odd bytes
        return None


def _is(path: Path, test: Callable[[Path], bool]) -> bool:
    try:
        return test(path)
    except (OSError, ValueError):
        return False
