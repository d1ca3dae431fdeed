"""`log` writes to the phone's log; `logcat` dumps (-d), clears (-c) or follows it, in its formats, with filters."""

from __future__ import annotations

import asyncio
import re
import time

from devices.sim.log_buffer import PRIORITIES, LogLine
from devices.sim.shell import Command, Context

_FORMATS = ("brief", "long", "process", "raw", "tag", "thread", "threadtime", "time")
_BEGINNING = "--------- beginning of main"


def _format(line: LogLine, style: str) -> str:
    stamp = (
        time.strftime("%m-%d %H:%M:%S", time.localtime(line.wall_time)) + f".{int(line.wall_time * 1000) % 1000:03d}"
    )
    p, tag, pid, tid, msg = line.priority, line.tag, line.pid, line.tid, line.message
    return {
        "threadtime": f"{stamp} {pid:5d} {tid:5d} {p} {tag:<8}: {msg}",
        "time": f"{stamp} {p}/{tag:<8}({pid:5d}): {msg}",
        "brief": f"{p}/{tag:<8}({pid:5d}): {msg}",
        "tag": f"{p}/{tag:<8}: {msg}",
        "process": f"{p}({pid:5d}) {msg}  ({tag})",
        "thread": f"{p}({pid:5d}:{tid:5d}) {msg}",
        "raw": msg,
        "long": f"[ {stamp} {pid:5d}:{tid:5d} {p}/{tag:<8} ]\n{msg}\n",
    }[style]


class _Options:
    """What a logcat command line asks for."""

    def __init__(self) -> None:
        self.dump = self.clear = self.silent = False
        self.style, self.tail, self.max_count = "threadtime", 0, 0
        self.regex: re.Pattern[str] | None = None
        self.pid: int | None = None
        self.filters: dict[str, str] = {}

    def wanted(self, line: LogLine) -> bool:
        """Whether a line passes the filter specs, -s, --pid and -e."""
        least = self.filters.get(line.tag, self.filters.get("*", "S" if self.silent else "V"))
        return (
            least != "S"
            and PRIORITIES.index(line.priority) >= PRIORITIES.index(least)
            and (self.pid is None or line.pid == self.pid)
            and (self.regex is None or bool(self.regex.search(line.message)))
        )


def _parse(args: list[str]) -> _Options | str:
    options, i = _Options(), 0
    while i < len(args):
        arg, value = args[i], args[i + 1] if i + 1 < len(args) else ""
        name, _, inline = arg.partition("=")
        if arg in ("-d",):
            options.dump = True
        elif arg in ("-c", "--clear"):
            options.clear = True
        elif arg == "-s":
            options.silent = True
        elif arg in ("-v", "-t", "-T", "-m", "-b", "-e", "--pid") or name in (
            "--format",
            "--max-count",
            "--regex",
            "--pid",
        ):
            value = inline if inline else value
            i += 0 if inline else 1
            if arg == "-v" or name == "--format":
                if value not in _FORMATS:
                    return f'Invalid parameter "{value}" to -v.'
                options.style = value
            elif arg in ("-t", "-T"):
                if not value.isdigit():
                    return f'-{arg[1]} "{value}" not a number'
                options.tail, options.dump = int(value), options.dump or arg == "-t"
            elif arg == "-m" or name == "--max-count":
                options.max_count = int(value) if value.isdigit() else 0
            elif arg == "-e" or name == "--regex":
                options.regex = re.compile(value)
            elif name == "--pid" or arg == "--pid":
                options.pid = int(value) if value.isdigit() else None
        elif arg.startswith("-v") and arg[2:] in _FORMATS:
            options.style = arg[2:]
        elif ":" in arg and not arg.startswith("-"):
            tag, _, priority = arg.rpartition(":")
            if priority.upper() not in PRIORITIES + "S":
                return f"Invalid filter expression '{arg}'"
            options.filters[tag] = priority.upper()
        elif not arg.startswith("-"):
            options.filters[arg] = "V"  # a bare tag: at every priority
        i += 1
    return options


async def logcat(ctx: Context, args: list[str]) -> int:
    """logcat [-d] [-c] [-v FORMAT] [-s] [-t N | -T N] [-m N] [-e REGEX] [--pid PID] [TAG:PRIORITY ...]."""
    options, buffer = _parse(args), ctx.phone.log
    if isinstance(options, str):
        ctx.error(options)
        return 1
    if options.clear:
        buffer.clear()
        return 0
    shown, last = 0, 0

    def show(lines: list[LogLine]) -> None:
        nonlocal shown
        for line in lines:
            if options.wanted(line) and not (options.max_count and shown >= options.max_count):
                if shown == 0 and options.style != "raw":
                    ctx.print(_BEGINNING)
                ctx.print(_format(line, options.style))
                shown += 1

    lines = buffer.after(0)
    last = lines[-1].seq if lines else 0
    show([line for line in lines if options.wanted(line)][-options.tail :] if options.tail else lines)
    if options.dump:
        return 0
    closed = asyncio.ensure_future(ctx.session.wait_closed())  # follow until the client hangs up
    try:
        while not closed.done() and not (options.max_count and shown >= options.max_count):
            appended = asyncio.ensure_future(buffer.wait_appended())
            await asyncio.wait({closed, appended}, timeout=buffer.next_line_in(), return_when=asyncio.FIRST_COMPLETED)
            appended.cancel()
            lines = buffer.after(last)
            last = lines[-1].seq if lines else last
            show(lines)
    finally:
        closed.cancel()
    return 0


async def log(ctx: Context, args: list[str]) -> int:
    """log [-p PRIORITY] [-t TAG] MESSAGE...: one line in the phone's log (stdin without a message)."""
    priority, tag, words, i = "I", "log", [], 0
    while i < len(args):
        if args[i] in ("-p", "-t") and i + 1 < len(args):
            if args[i] == "-p":
                priority = args[i + 1][:1].upper()
                if priority not in PRIORITIES:
                    ctx.error(f"log: bad -p '{args[i + 1]}'")
                    return 1
            else:
                tag = args[i + 1]
            i += 2
        else:
            words.append(args[i])
            i += 1
    message = " ".join(words) if words else ctx.stdin.decode(errors="replace").rstrip("\n")
    if message:
        ctx.phone.log.write(ctx.phone.new_pid(), priority, tag, message)
    return 0


LOG_COMMANDS: dict[str, Command] = {"logcat": logcat, "log": log}
