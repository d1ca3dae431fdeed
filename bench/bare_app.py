"""The baseline of bench/api.py: a bare Litestar app returning a small JSON dict, served by `serve`'s server.

.venv/bin/python -m bench.bare_app --port P
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from litestar import Litestar, get  # noqa: E402

from service.server import bind_sockets, run_asgi  # noqa: E402
from service.settings import LOOPBACK_HOSTS  # noqa: E402


@get("/api/v1/hello")
async def hello() -> dict[str, object]:
    """A small JSON dict."""
    return {"code": 0, "message": "success", "data": {"hello": "world"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    run_asgi(Litestar(route_handlers=[hello], logging_config=None), bind_sockets(LOOPBACK_HOSTS, args.port))


if __name__ == "__main__":
    main()
