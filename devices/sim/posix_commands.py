"""The toybox side of the phone's shell: echo, files, text filters, process list."""

from __future__ import annotations

import asyncio
import re
import time

from devices.sim.shell import Command, Context, ShellExit
from devices.sim.vfs import DIRECTORY_SIZE, Entry, FileSystemError


def _split_flags(args: list[str]) -> tuple[set[str], list[str]]:
    flags, rest = set(), []
    for arg in args:
        if arg.startswith("-") and len(arg) > 1 and not rest and not arg[1:].isdigit():
            flags.update(arg[1:])
        else:
            rest.append(arg)
    return flags, rest


async def echo(ctx: Context, args: list[str]) -> int:
    """echo [-n] [-e] words."""
    newline, escapes = True, False
    while args and args[0] in ("-n", "-e", "-ne", "-en"):
        newline = newline and "n" not in args[0]
        escapes = escapes or "e" in args[0]
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text = text.encode().decode("unicode_escape")
    ctx.out((text + ("\n" if newline else "")).encode())
    return 0


async def true(ctx: Context, args: list[str]) -> int:
    """true."""
    return 0


async def false(ctx: Context, args: list[str]) -> int:
    """false."""
    return 1


async def exit_(ctx: Context, args: list[str]) -> int:
    """exit [N]."""
    raise ShellExit(int(args[0]) if args and args[0].isdigit() else int(ctx.env.get("?", "0")))


async def sleep(ctx: Context, args: list[str]) -> int:
    """sleep SECONDS (real time)."""
    try:
        await asyncio.sleep(float(args[0]) if args else 0)
    except ValueError:
        ctx.error(f"sleep: invalid number '{args[0]}'")
        return 1
    return 0


async def cat(ctx: Context, args: list[str]) -> int:
    """cat [files] (stdin without files)."""
    if not args:
        ctx.out(ctx.stdin)
        return 0
    status = 0
    for name in args:
        try:
            ctx.out(ctx.phone.fs.read(ctx.path(name)))
        except FileSystemError as exc:
            ctx.error(f"cat: {exc}")
            status = 1
    return status


def _ls_line(name: str, entry: Entry) -> str:
    kind = "d" if entry.is_dir else "-"
    perms = "".join(c if entry.mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx"))
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.mtime))
    return f"{kind}{perms} 1 shell shell {_size(entry):>8} {when} {name}"


def _size(entry: Entry) -> int:
    return DIRECTORY_SIZE if entry.is_dir else entry.size


def _kib(entries: list[tuple[str, Entry]]) -> int:
    """The `total` of ls -l: the 1 KiB blocks the entries use (4 KiB per block started)."""
    return sum(-(-_size(e) // 4096) * 4 for _, e in entries)


async def ls(ctx: Context, args: list[str]) -> int:
    """ls [-l] [-a] [-A] [-d] [-R] [paths]: files first, then each folder under a `folder:` header when there are
    several (and `total N` with -l)."""
    flags, paths = _split_flags(args)
    fs, status = ctx.phone.fs, 0
    files: list[tuple[str, Entry]] = []
    folders: list[str] = []
    for path in sorted(paths) or ["."]:
        entry = fs.stat(ctx.path(path))
        if entry is None:
            ctx.error(f"ls: {path}: No such file or directory")
            status = 1
        elif entry.is_dir and "d" not in flags:
            folders.append(path)
        else:
            files.append((path, entry))
    for name, entry in files:
        ctx.print(_ls_line(name, entry) if "l" in flags else name)
    headers, shown = len(paths) > 1 or "R" in flags, bool(files)
    while folders:
        path = folders.pop(0)
        entries = [(n, e) for n, e in fs.list(ctx.path(path)) if "a" in flags or "A" in flags or not n.startswith(".")]
        if headers:
            ctx.print(("\n" if shown else "") + f"{path}:")
            shown = True
        if "l" in flags:
            ctx.print(f"total {_kib(entries)}")
        for name, entry in entries:
            ctx.print(_ls_line(name, entry) if "l" in flags else name)
        if "R" in flags:
            folders[:0] = [f"{path.rstrip('/')}/{n}" for n, e in entries if e.is_dir]
    return status


async def rm(ctx: Context, args: list[str]) -> int:
    """rm [-f] [-r] paths."""
    flags, paths = _split_flags(args)
    status = 0
    for path in paths:
        try:
            ctx.phone.fs.remove(ctx.path(path), recursive=bool(flags & {"r", "R"}))
        except FileSystemError as exc:
            if "f" not in flags or "No such file" not in str(exc):
                ctx.error(f"rm: {exc}")
                status = 1
    return status


async def mkdir(ctx: Context, args: list[str]) -> int:
    """mkdir [-p] paths."""
    flags, paths = _split_flags(args)
    status = 0
    for path in paths:
        try:
            ctx.phone.fs.mkdir(ctx.path(path), parents="p" in flags)
        except FileSystemError as exc:
            ctx.error(f"mkdir: {exc}")
            status = 1
    return status


async def touch(ctx: Context, args: list[str]) -> int:
    """touch files (creates empty ones)."""
    for path in args:
        if not ctx.phone.file_exists(ctx.path(path)):
            ctx.phone.fs.write(ctx.path(path), b"")
    return 0


async def md5sum(ctx: Context, args: list[str]) -> int:
    """md5sum files."""
    status = 0
    for path in args:
        try:
            ctx.print(f"{ctx.phone.fs.md5(ctx.path(path))}  {path}")
        except FileSystemError as exc:
            ctx.error(f"md5sum: {exc}")
            status = 1
    return status


async def cd(ctx: Context, args: list[str]) -> int:
    """cd [dir]."""
    target = ctx.path(args[0] if args else "/")
    if not ctx.phone.fs.is_dir(target):
        ctx.error(f"/system/bin/sh: cd: {args[0] if args else '/'}: No such file or directory")
        return 2
    ctx.session.cwd = target
    return 0


async def grep(ctx: Context, args: list[str]) -> int:
    """grep [-i] [-v] [-c] [-q] [-E] [-F] PATTERN (over stdin)."""
    flags, rest = _split_flags(args)
    if not rest:
        ctx.error("grep: no pattern")
        return 2
    pattern = re.escape(rest[0]) if "F" in flags else rest[0]
    regex = re.compile(pattern, re.IGNORECASE if "i" in flags else 0)
    lines = [
        line for line in ctx.stdin.decode(errors="replace").splitlines() if bool(regex.search(line)) != ("v" in flags)
    ]
    if "c" in flags:
        ctx.print(str(len(lines)))
    elif "q" not in flags:
        for line in lines:
            ctx.print(line)
    return 0 if lines else 1


async def head_or_tail(ctx: Context, args: list[str]) -> int:
    """head/tail [-n N] (over stdin)."""
    count = 10
    if len(args) >= 2 and args[0] == "-n":
        count = int(args[1])
    elif args and args[0].startswith("-") and args[0][1:].isdigit():
        count = int(args[0][1:])
    lines = ctx.stdin.decode(errors="replace").splitlines()
    for line in lines[:count] if ctx.args[0] == "head" else lines[-count:] if count else []:
        ctx.print(line)
    return 0


async def wc(ctx: Context, args: list[str]) -> int:
    """wc -l (over stdin)."""
    ctx.print(str(ctx.stdin.count(b"\n")))
    return 0


async def ident(ctx: Context, args: list[str]) -> int:
    """id and whoami."""
    ctx.print(
        "shell"
        if ctx.args[0] == "whoami"
        else "uid=2000(shell) gid=2000(shell) groups=2000(shell) context=u:r:shell:s0"
    )
    return 0


async def pwd(ctx: Context, args: list[str]) -> int:
    """pwd."""
    ctx.print(ctx.session.cwd)
    return 0


_BUILTINS_ONLY = ("cd", "exit")  # the shell's own: no file in /system/bin


async def which(ctx: Context, args: list[str]) -> int:
    """which [-a] NAME…: /system/bin/NAME for each command the phone has; exit 1 if one is missing."""
    status = 0
    for name in (a for a in args if a != "-a"):
        if name in ctx.commands and name not in _BUILTINS_ONLY:
            ctx.print(f"/system/bin/{name}")
        else:
            status = 1
    return status


POSIX_COMMANDS: dict[str, Command] = {
    "echo": echo,
    "true": true,
    "false": false,
    "exit": exit_,
    "sleep": sleep,
    "cat": cat,
    "ls": ls,
    "rm": rm,
    "mkdir": mkdir,
    "touch": touch,
    "md5sum": md5sum,
    "cd": cd,
    "grep": grep,
    "head": head_or_tail,
    "tail": head_or_tail,
    "wc": wc,
    "id": ident,
    "whoami": ident,
    "pwd": pwd,
    "which": which,
}
