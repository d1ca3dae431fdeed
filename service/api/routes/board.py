"""The board (docs/board.md): its pages and their files, outside /api/v1.

Every page of the board is the same HTML shell (the modules route in the browser); the files are
the ones under service/board/, read once at start. None of them carries data, so they need no API
key: the board asks for the key and sends it on its API calls.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

from litestar import Request, Response, get
from litestar.params import FromPath

from service.errors import ApiError, Code

PAGES = ("/", "/phones", "/tasks", "/tasks/{task_id:str}", "/new")
_PAGE = re.compile(r"/(phones|tasks|new)?|/tasks/[^/]+")
ASSETS = "/assets/"
TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}  # Litestar adds the charset to text types


def is_board_path(path: str) -> bool:
    """A page or a file of the board: served without the API key (none of them carries data)."""
    return bool(_PAGE.fullmatch(path)) or path.startswith(ASSETS)


def _load() -> dict[str, tuple[bytes, str]]:
    """Every file of the board by name, with its content type."""
    files = {}
    for entry in resources.files("service").joinpath("board").iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in TYPES:
            files[entry.name] = (entry.read_bytes(), TYPES[suffix])
    return files


def board_routes() -> list:
    """The pages and /assets/{name}."""
    files = _load()
    tags = {name: '"' + hashlib.sha256(body).hexdigest()[:16] + '"' for name, (body, _) in files.items()}

    def answer(request: Request, name: str) -> Response[bytes]:
        body, kind = files[name]
        headers = {"ETag": tags[name], "Cache-Control": "no-cache"}  # revalidated each time: an upgrade shows at once
        if request.headers.get("if-none-match") == tags[name]:
            return Response(b"", status_code=304, headers=headers)
        return Response(body, media_type=kind, headers=headers)

    @get(list(PAGES), include_in_schema=False)
    async def page(request: Request) -> Response[bytes]:
        """The board's HTML shell."""
        return answer(request, "index.html")

    @get(ASSETS + "{name:str}", include_in_schema=False)
    async def asset(request: Request, name: FromPath[str]) -> Response[bytes]:
        """One of the board's files."""
        if name not in files or name == "index.html":
            raise ApiError(Code.NOT_FOUND, f"the board has no file {name[:100]!r}")
        return answer(request, name)

    return [page, asset]
