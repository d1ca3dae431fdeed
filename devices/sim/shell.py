"""The phone's small shell: quoting, `$?` and `$VAR`, `;` `&&` `||` `|`, redirections, and the commands' table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from devices.sim.phone import Phone
from devices.sim.vfs import FileSystemError, normalize

Word = list[Any]  # literal str parts and ("var", name) parts, expanded at run time
_OPERATORS = ("&&", "||", ";;", "2>&1", "&>", ">>", "2>", ";", "|", "&", ">", "<", "\n")


class ShellSyntaxError(Exception):
    """Unbalanced quotes and the like."""


class ShellExit(Exception):
    """`exit N` ends the script."""

    def __init__(self, status: int) -> None:
        self.status = status


@dataclass
class Session:
    """One shell connection: its working directory, its shell's process id, and how a long-running command waits
    for the client to hang up."""

    wait_closed: Callable[[], Awaitable[None]]
    stream: Any = None
    cwd: str = "/"
    pid: int = 0


@dataclass
class Context:
    """What a command gets: the phone, its environment, stdin, and where its output goes."""

    phone: Phone
    session: Session
    env: dict[str, str]
    stdin: bytes
    out: Callable[[bytes], None]
    err: Callable[[bytes], None]
    args: list[str] = field(default_factory=list)
    commands: dict[str, Command] = field(default_factory=dict)

    def print(self, text: str = "") -> None:
        """A line to stdout."""
        self.out((text + "\n").encode())

    def error(self, text: str) -> None:
        """A line to stderr."""
        self.err((text + "\n").encode())

    def path(self, path: str) -> str:
        """A path made absolute against the working directory."""
        return normalize(path, self.session.cwd)


Command = Callable[[Context, list[str]], Awaitable[int]]


def tokenize(script: str) -> list[Any]:
    """Words (lists of parts) and operator strings."""
    tokens: list[Any] = []
    word: Word = []
    in_word = False
    i, n = 0, len(script)

    def flush() -> None:
        nonlocal word, in_word
        if in_word:
            merged: Word = []
            for part in word:
                if isinstance(part, str) and merged and isinstance(merged[-1], str):
                    merged[-1] += part
                else:
                    merged.append(part)
            tokens.append(merged)
        word, in_word = [], False

    while i < n:
        c = script[i]
        if c in " \t\r":
            flush()
            i += 1
        elif c == "#" and not in_word:
            while i < n and script[i] != "\n":
                i += 1
        elif c == "'":
            end = script.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated '")
            word.append(script[i + 1 : end])
            in_word, i = True, end + 1
        elif c == '"':
            i, in_word = _double_quoted(script, i + 1, word), True
        elif c == "\\" and i + 1 < n:
            if script[i + 1] != "\n":
                word.append(script[i + 1])
                in_word = True
            i += 2
        elif c == "$" and i + 1 < n and (script[i + 1] in "?{" or script[i + 1].isalnum() or script[i + 1] == "_"):
            i, in_word = _variable(script, i + 1, word), True
        elif (op := next((o for o in _OPERATORS if script.startswith(o, i)), None)) is not None and not (
            op.startswith("2") and in_word
        ):
            flush()
            tokens.append(";" if op == "\n" else op)
            i += len(op)
        else:
            word.append(c)
            in_word, i = True, i + 1
    flush()
    return tokens


def _double_quoted(script: str, i: int, word: Word) -> int:
    while i < len(script):
        c = script[i]
        if c == '"':
            word.append("")
            return i + 1
        if c == "\\" and i + 1 < len(script) and script[i + 1] in '"\\$`':
            word.append(script[i + 1])
            i += 2
        elif (
            c == "$"
            and i + 1 < len(script)
            and (script[i + 1] in "?{" or script[i + 1].isalnum() or script[i + 1] == "_")
        ):
            i = _variable(script, i + 1, word)
        else:
            word.append(c)
            i += 1
    raise ShellSyntaxError('unterminated "')


def _variable(script: str, i: int, word: Word) -> int:
    if script[i] == "?":
        word.append(("var", "?"))
        return i + 1
    if script[i] == "{":
        end = script.find("}", i)
        if end < 0:
            raise ShellSyntaxError("bad substitution")
        word.append(("var", script[i + 1 : end]))
        return end + 1
    j = i
    while j < len(script) and (script[j].isalnum() or script[j] == "_"):
        j += 1
    word.append(("var", script[i:j]))
    return j


def expand(word: Word, env: dict[str, str]) -> str:
    """A word's text with its variables substituted."""
    return "".join(env.get(p[1], "") if isinstance(p, tuple) else p for p in word)


@dataclass
class Simple:
    """One command: assignments, words and redirections."""

    assignments: list[tuple[str, Word]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[tuple[str, Word | None]] = field(default_factory=list)


def parse(tokens: list[Any]) -> list[list[tuple[list[Simple], str]]]:
    """`;`-separated lists of `&&`/`||` chains of `|` pipelines of simple commands."""
    lists: list[list[tuple[list[Simple], str]]] = []
    chain: list[tuple[list[Simple], str]] = []
    pipeline: list[Simple] = [Simple()]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        current = pipeline[-1]
        if isinstance(token, list):
            literal = "".join(p for p in token if isinstance(p, str))
            if (
                not current.words
                and "=" in literal
                and literal.split("=", 1)[0].isidentifier()
                and isinstance(token[0], str)
            ):
                name, _, first = token[0].partition("=")
                current.assignments.append((name, [first, *token[1:]]))
            else:
                current.words.append(token)
        elif token in (">", ">>", "<", "2>", "&>"):
            if i + 1 >= len(tokens) or not isinstance(tokens[i + 1], list):
                raise ShellSyntaxError(f"syntax error: unexpected '{token}'")
            current.redirects.append((token, tokens[i + 1]))
            i += 1
        elif token == "2>&1":
            current.redirects.append((token, None))
        elif token == "|":
            pipeline.append(Simple())
        elif token in ("&&", "||"):
            chain.append((pipeline, token))
            pipeline = [Simple()]
        else:  # ; & ;;
            chain.append((pipeline, ";"))
            lists.append(chain)
            chain, pipeline = [], [Simple()]
        i += 1
    chain.append((pipeline, ";"))
    lists.append(chain)
    return [[(p, op) for p, op in c if any(s.words or s.assignments for s in p)] for c in lists]


class Shell:
    """Runs scripts for one session against a table of commands."""

    def __init__(self, phone: Phone, session: Session, commands: dict[str, Command]) -> None:
        self.phone, self.session, self.commands = phone, session, commands
        self.env: dict[str, str] = {
            "?": "0",
            "PATH": "/product/bin:/apex/com.android.runtime/bin:/system/bin",
            "HOME": "/",
            "USER": "shell",
            "ANDROID_DATA": "/data",
        }

    async def run(self, script: str, out: Callable[[bytes], None], err: Callable[[bytes], None]) -> int:
        """Run a script; returns the last status."""
        try:
            lists = parse(tokenize(script))
        except ShellSyntaxError as exc:
            err(f"/system/bin/sh: {exc}\n".encode())
            self.env["?"] = "2"
            return 2
        try:
            for chain in lists:
                run_next = True
                for pipeline, op in chain:
                    if run_next:
                        self.env["?"] = str(await self._pipeline(pipeline, out, err))
                    status = int(self.env["?"])
                    run_next = (status == 0) if op == "&&" else (status != 0) if op == "||" else True
        except ShellExit as stop:
            self.env["?"] = str(stop.status)
        return int(self.env["?"])

    async def _pipeline(
        self, pipeline: list[Simple], out: Callable[[bytes], None], err: Callable[[bytes], None]
    ) -> int:
        data, status = b"", 0
        for index, simple in enumerate(pipeline):
            last = index == len(pipeline) - 1
            buffer = bytearray()
            status = await self._simple(simple, data, out if last else buffer.extend, err)
            data = bytes(buffer)
        return status

    async def _simple(
        self, simple: Simple, stdin: bytes, out: Callable[[bytes], None], err: Callable[[bytes], None]
    ) -> int:
        env = dict(self.env)
        for name, word in simple.assignments:
            env[name] = expand(word, self.env)
        args = [expand(w, self.env) for w in simple.words]
        if not args:
            self.env.update(env)
            return 0
        captured: list[tuple[str, bool, bytearray]] = []
        for op, target in simple.redirects:
            if op == "2>&1":
                err = out
                continue
            path = expand(target, self.env)
            if op == "<":
                try:
                    stdin = self.phone.fs.read(normalize(path, self.session.cwd))
                except FileSystemError as exc:
                    err(f"/system/bin/sh: {exc}\n".encode())
                    return 1
                continue
            sink = bytearray()
            if path != "/dev/null":
                captured.append((path, op == ">>", sink))
            if op in (">", ">>", "&>"):
                out = sink.extend
            if op in ("2>", "&>"):
                err = sink.extend
        try:
            return await self._command(args, env, stdin, out, err)
        finally:
            for path, append, sink in captured:
                path = normalize(path, self.session.cwd)
                previous = self.phone.fs.read(path) if append and self.phone.file_exists(path) else b""
                self.phone.fs.write(path, previous + bytes(sink))

    async def _command(
        self,
        args: list[str],
        env: dict[str, str],
        stdin: bytes,
        out: Callable[[bytes], None],
        err: Callable[[bytes], None],
    ) -> int:
        """One command: the shell's own `sh -c`, `export` and `exec` (`adb logcat` sends `export ANDROID_LOG_TAGS=""
        ; exec logcat`), else the table's."""
        if args[0] == "sh" and args[1:2] == ["-c"] and len(args) > 2:
            return await Shell(self.phone, self.session, self.commands).run(args[2], out, err)
        if args[0] == "export":
            for assignment in args[1:]:
                name, equals, value = assignment.partition("=")
                if equals and name.isidentifier():
                    self.env[name] = value
            return 0
        if args[0] == "exec" and len(args) > 1:  # the command replaces the shell: nothing runs after it
            raise ShellExit(await self._command(args[1:], env, stdin, out, err))
        command = self.commands.get(args[0])
        if command is None:
            err(f"/system/bin/sh: {args[0]}: inaccessible or not found\n".encode())
            return 127
        return await command(Context(self.phone, self.session, env, stdin, out, err, args, self.commands), args[1:])
