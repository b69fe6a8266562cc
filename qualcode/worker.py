"""The warm worker behind `qualcode worker start`: one process with the CLI's libraries loaded.

Each command a client hands over runs in a fork of this process, so it starts with typer,
SQLAlchemy, pandas and the domain modules already imported, yet shares no state with the worker
or with other commands: it opens the project itself, writes to the client's own stdout and
stderr (passed over the socket), and its exit ends only that fork. The worker never opens a
project while serving, so no database connection is ever shared across a fork.

The worker refuses work (the client then runs the command itself) and exits once any qualcode
module it loaded, or any folder on its import path, has changed since it started: an upgrade
or an edited checkout is never served by stale code.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from qualcode.errors import ProjectError
from qualcode.launcher import (
    DEFAULT_IDLE_MINUTES,
    HEADER,
    private_dir,
    read_exact,
    recv_message,
    send_message,
    spawn_worker,
    take_lock,
    worker_files,
)

BUSY_EXIT = 3  # another worker holds the lock: it is starting or running
START_TIMEOUT = 60.0
# Loaded before the first fork: everything a report, an export or a codebook command imports.
PRELOAD = (
    "qualcode.cli",
    "qualcode.db",
    "qualcode.models",
    "qualcode.reports",
    "qualcode.agreement",
    "qualcode.codebook",
    "qualcode.coding",
    "qualcode.lookup",
    "qualcode.participants",
    "qualcode.formats.tables",
    "pandas",
    "typer._adapters",
    "rich.console",
    "tabulate",
)
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS


class WorkerBusy(ProjectError):
    """The lock is held: a worker is already starting or running."""


def status(path: str | None = None) -> dict[str, Any] | None:
    """What the running worker says about itself, or None when none answers."""
    sock_path = worker_files(path)[0]
    if not os.path.exists(sock_path):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    try:
        sock.connect(sock_path)
        send_message(sock, {"kind": "status"})
        return recv_message(sock)
    except (OSError, ConnectionError, ValueError):
        return None
    finally:
        sock.close()


def start(idle_minutes: float = DEFAULT_IDLE_MINUTES) -> dict[str, Any]:
    """Start a worker in the background (a new session, detached from the terminal) and wait
    until it answers; an already running worker is left as it is."""
    running = status()
    if running is not None:
        return running
    _, _, log = worker_files()
    _private_dir()
    process = spawn_worker(idle_minutes * 60)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        # BUSY_EXIT: another worker (started by a command a moment ago) is coming up: wait for it
        if process.poll() not in (None, BUSY_EXIT):
            lines = Path(log).read_text(encoding="utf-8", errors="replace").strip().splitlines()
            raise ProjectError(f"the worker did not start: {lines[-1] if lines else 'no output'}")
        running = status()
        if running is not None:
            return running
        time.sleep(0.05)
    process.terminate()
    raise ProjectError(f"the worker did not answer within {START_TIMEOUT:.0f} s (log: {log})")


def stop() -> int | None:
    """Stop the running worker; its pid, or None when none was running. Commands it is running
    finish: they are processes of their own."""
    running = status()
    if running is None:
        return None
    pid = int(running["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and status() is not None:
        time.sleep(0.05)
    return pid


def _private_dir() -> str:
    """private_dir(), its refusal as the one-line error the CLI reports."""
    try:
        return private_dir()
    except PermissionError as exc:
        raise ProjectError(str(exc)) from None


def _preload() -> Any:
    """Import what commands use, build the click command once, and run each report once on a
    scratch project so that the first-use set-up of SQLAlchemy and pandas is done here."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    import typer.main
    from sqlalchemy.orm import configure_mappers

    from qualcode import open_project, reports
    from qualcode.cli import app
    from qualcode.formats import tables

    configure_mappers()
    with tempfile.TemporaryDirectory(prefix="qualcode-warm-") as folder:
        project = open_project(Path(folder) / "warm.db")
        try:
            for name in ("codes", "themes", "participants", "sources", "matrix", "cooccurrence"):
                frame = getattr(reports, name)(project)
                for fmt in ("csv", "md", "json"):
                    tables.render(frame, fmt, None)
        finally:
            project.close()
    return typer.main.get_command(app)


def _watched() -> dict[str, int]:
    """Modification times of the qualcode modules loaded and of the folders on the import path
    (installing or removing a package changes its folder's time)."""
    package = os.path.dirname(os.path.abspath(__file__))
    paths = {
        module.__file__
        for module in list(sys.modules.values())
        if getattr(module, "__file__", None) and module.__file__.startswith(package)
    }
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    times = {}
    for path in paths:
        try:
            times[path] = os.stat(path).st_mtime_ns
        except OSError:
            times[path] = -1
    return times


def _peer_is_me(conn: socket.socket) -> bool:
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # elsewhere the folder's mode 0700 is the guard
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1] == os.getuid()


def _receive_request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 3)
    if len(data) < HEADER.size:
        data = read_exact(conn, HEADER.size, data)
    (size,) = HEADER.unpack(data[: HEADER.size])
    body = read_exact(conn, HEADER.size + size, data)[HEADER.size :]
    return json.loads(body), fds


def serve(idle_seconds: float) -> None:
    """Accept commands until idle for ``idle_seconds`` (0: never) or sent SIGTERM."""
    sock_path, lock_path, _ = worker_files()
    _private_dir()
    if len(sock_path) > MAX_SOCKET_PATH:
        raise ProjectError(f"{sock_path}: too long for a socket; set XDG_RUNTIME_DIR shorter")
    lock = take_lock(lock_path)
    if lock is None:
        raise WorkerBusy(f"{lock_path}: another worker is starting or running")
    command = _preload()
    watched = _watched()
    if os.path.exists(sock_path):
        os.unlink(sock_path)  # left by a worker that was killed: we hold the lock
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    umask = os.umask(0o177)
    try:
        listener.bind(sock_path)
    finally:
        os.umask(umask)
    listener.listen(64)
    os.ftruncate(lock, 0)
    os.write(lock, f"{os.getpid()}\n".encode())
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    gc.freeze()  # keep the preloaded objects' pages shared with the forks
    info = {
        "pid": os.getpid(),
        "socket": sock_path,
        "python": sys.executable,
        "started": time.time(),
        "idle_timeout": idle_seconds,
        "served": 0,
    }
    last_run = time.monotonic()
    try:
        while True:
            # only commands count as activity: `worker status` must not keep a worker alive
            left = last_run + idle_seconds - time.monotonic()
            if idle_seconds and left <= 0:
                break
            listener.settimeout(left if idle_seconds else None)
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                outcome = (
                    _answer(conn, listener, command, watched, info) if _peer_is_me(conn) else None
                )
            if outcome == "stale":
                break
            if outcome == "ran":
                last_run = time.monotonic()
    finally:
        listener.close()
        if os.path.exists(sock_path):
            os.unlink(sock_path)
        os.close(lock)


def _answer(conn, listener, command, watched, info) -> str | None:
    """Serve one connection: "ran" a command in a fork, found the code "stale", or None."""
    try:
        request, fds = _receive_request(conn)
    except (OSError, ConnectionError, ValueError):
        return None
    try:
        if request.get("kind") == "status":
            send_message(conn, info)
            return None
        if request.get("kind") != "run" or len(fds) != 3:
            return None
        if _watched() != watched:
            send_message(conn, {"declined": "qualcode or its libraries changed since the start"})
            return "stale"
        info["served"] += 1
        if os.fork() == 0:
            listener.close()
            _run_child(conn, request, fds, command)
        return "ran"
    except OSError:
        return None
    finally:
        for fd in fds:
            os.close(fd)


def _run_child(conn: socket.socket, request: dict[str, Any], fds: list[int], command) -> None:
    """In the fork: become the client's process (its folder, environment and streams), run the
    command, report the exit status. Never returns."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        _attach_streams(fds, request["streams"])  # first: any error below reaches the user
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        conn.settimeout(None)
        send_message(conn, {"pid": os.getpid()})
        code = _run(command, request["argv"])
        send_message(conn, {"exit": code})
    except BaseException:  # a fork must never return into the worker's loop
        traceback.print_exc()
    finally:
        os._exit(code)


def _attach_streams(fds: list[int], settings: list[list[str | None]]) -> None:
    """Make the client's stdin, stdout and stderr this process's, with the client's encodings;
    stdout is line-buffered on a terminal and block-buffered otherwise, as Python does."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    (in_enc, in_err), (out_enc, out_err), (err_enc, err_err) = settings
    sys.stdin = open(0, encoding=in_enc, errors=in_err, closefd=False)  # noqa: SIM115
    tty = os.isatty(1)
    sys.stdout = open(  # noqa: SIM115
        1, "w", buffering=1 if tty else -1, encoding=out_enc, errors=out_err, closefd=False
    )
    sys.stderr = open(2, "w", buffering=1, encoding=err_enc, errors=err_err, closefd=False)  # noqa: SIM115


def _run(command, argv: list[str]) -> int:
    """Run the click command as `qualcode ARGV` would, and return its exit status."""
    sys.argv = ["qualcode", *argv]
    try:
        command.main(args=argv, prog_name="qualcode")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # what the interpreter prints for an uncaught error
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):
            stream.flush()
    return code


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m qualcode.worker")
    parser.add_argument("--idle", type=float, default=DEFAULT_IDLE_MINUTES * 60)
    args = parser.parse_args()
    try:
        serve(args.idle)
    except ProjectError as exc:
        print(f"qualcode: error: {exc}", file=sys.stderr)
        sys.exit(BUSY_EXIT if isinstance(exc, WorkerBusy) else 1)


if __name__ == "__main__":
    main()
