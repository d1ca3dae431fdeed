"""TikTok's gallery picker: files pushed to the phone (devices/ui/media.py) chosen by file name, in order."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.screen import Element, Screen
from devices.ui.session import RETRIES, AppSession


@dataclass
class Gallery:
    """The picker that the create flow and the comment's image open."""

    session: AppSession

    async def pick(self, remotes: list[str]) -> None:
        """Select files in the picker, in order (tiles are found by file name)."""
        session = self.session
        await session.expect("gallery_tile", "gallery_empty", what="the gallery")
        missing = list(remotes)
        for _ in range(RETRIES):
            for remote in missing:
                screen = await session.look()
                tile = self._tile_for(screen, posixpath.basename(remote))
                if tile is None:
                    raise ScriptFailed(f"{posixpath.basename(remote)} is not in the phone's gallery")
                if not self._picked(screen, tile):
                    await session.tap(tile)
            screen = await session.look()
            missing = [
                r
                for r in remotes
                if not (t := self._tile_for(screen, posixpath.basename(r))) or not self._picked(screen, t)
            ]
            if not missing:
                break
        if missing:
            raise ScriptFailed(f"could not select {posixpath.basename(missing[0])} in the gallery")

    def _picked(self, screen: Screen, tile: Element) -> bool:
        """Selected tiles are checked, or show their number in the selection."""
        return tile.checked or tile.selected or any(e.text.isdigit() for e in screen.descendants(tile))

    def _tile_for(self, screen: Screen, name: str) -> Element | None:
        tiles = screen.find_all(self.session.sel["gallery_tile"])
        return next((t for t in tiles if t.desc.endswith(", " + name) or t.desc == name), None)
