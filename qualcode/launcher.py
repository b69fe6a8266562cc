"""The `qualcode` console script: hand the command to a warm worker if one runs, else run it here.

A cold `qualcode report ...` spends about a second importing typer, SQLAlchemy and pandas before
its query starts. `qualcode worker start` keeps one process with all of that loaded; this module
(standard library only, so it starts in a few milliseconds) passes the command line, the working
folder, the environment and its own stdin, stdout and stderr to that worker over a Unix socket.
The worker forks a copy of itself that runs the command with exactly those streams, so output,
terminal detection, exit codes and Ctrl-C behave as in a cold run. When no worker answers, or the
worker was started by another interpreter or locale, the command runs here as usual and (unless
QUALCODE_WORKER says otherwise) starts a worker in the background for the commands that follow,
as Gradle and Bazel do with their daemons.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import sys
import time
import zlib

# Commands that need the terminal as their controlling terminal (the Textual workbench) or that
# manage the worker itself always run in this process.
LOCAL_COMMANDS = frozenset({"open", "demo", "worker"})
OFF_VALUES = frozenset({"0", "off", "no", "false"})
MANUAL_VALUES = frozenset({"manual"})
HEADER = struct.Struct("!I")
DEFAULT_IDLE_MINUTES = 30
# A worker started automatically that failed (see its log) is not tried again for this long, so
# that a machine where none can start pays for one failed try a minute at most.
AUTO_START_PAUSE = 60.0


def worker_key() -> str:
    """What a worker must share with its clients to run their commands as they would: the same
    interpreter, the same qualcode, the same import path and the same text encodings."""
    import locale

    parts = (
        os.path.realpath(sys.executable),
        os.path.dirname(os.path.abspath(__file__)),
        os.environ.get("PYTHONPATH", ""),
        str(sys.flags.utf8_mode),
        sys.getfilesystemencoding(),
        locale.getpreferredencoding(False),
    )
    return f"{zlib.crc32(chr(0).join(parts).encode()):08x}"


def runtime_dir() -> str:
    """A folder only this user can enter: $XDG_RUNTIME_DIR/qualcode, else /tmp/qualcode-UID."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base):
        return os.path.join(base, "qualcode")
    return os.path.join("/tmp", f"qualcode-{os.getuid()}")


def socket_path() -> str:
    return os.path.join(runtime_dir(), f"worker-{worker_key()}.sock")


def worker_files(path: str | None = None) -> tuple[str, str, str]:
    """Socket, lock (held while a worker runs; holds its pid) and log of the worker for this
    interpreter."""
    sock = path or socket_path()
    base = sock.removesuffix(".sock")
    return sock, base + ".lock", base + ".log"


def private_dir() -> str:
    """The runtime folder, created mode 0700; PermissionError if someone else could enter it."""
    folder = runtime_dir()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    info = os.stat(folder)
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{folder}: the worker's folder must belong to you with mode 0700")
    return folder


def take_lock(path: str) -> int | None:
    """The worker's lock file, locked for this process (a descriptor to keep while serving), or
    None when another process holds it: a worker is starting or running."""
    import fcntl

    lock = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        return None
    return lock


def spawn_worker(idle_seconds: float):  # -> subprocess.Popen, imported only here
    """Start a worker process detached from this one: its own session, output to its log, and
    the root as its folder, so that it holds no folder busy (a USB stick stays unmountable).
    The runtime folder must exist (private_dir)."""
    import subprocess

    with open(worker_files()[2], "w", encoding="utf-8") as log:
        return subprocess.Popen(
            [sys.executable, "-P", "-m", "qualcode.worker", "--idle", str(idle_seconds)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd="/",
            start_new_session=True,
        )


def worker_mode() -> str:
    """QUALCODE_WORKER: "off" (never), "manual" (only one that `worker start` started) or, by
    default, "auto" (also start one in the background when none runs)."""
    value = os.environ.get("QUALCODE_WORKER", "").strip().lower()
    if value in OFF_VALUES:
        return "off"
    return "manual" if value in MANUAL_VALUES else "auto"


def start_in_background() -> None:
    """Start a worker for the commands after this one without waiting for it, unless one is
    already starting or running (it holds the lock) or an automatic start failed a moment ago."""
    _sock, lock_path, log_path = worker_files()
    try:
        private_dir()
        with contextlib.suppress(FileNotFoundError):
            if time.time() - os.stat(log_path).st_mtime < AUTO_START_PAUSE:
                return
        lock = take_lock(lock_path)
        if lock is None:
            return
        os.close(lock)  # the worker takes it when it starts
        spawn_worker(DEFAULT_IDLE_MINUTES * 60)
    except OSError:
        return  # no private runtime folder: commands run cold, as with QUALCODE_WORKER=off


def send_message(sock: socket.socket, message: dict, fds: list[int] | None = None) -> None:
    """A length-prefixed JSON message, optionally carrying file descriptors."""
    data = json.dumps(message).encode()
    payload = HEADER.pack(len(data)) + data
    sent = socket.send_fds(sock, [payload], fds) if fds else 0
    sock.sendall(payload[sent:])


def read_exact(sock: socket.socket, size: int, start: bytes = b"") -> bytes:
    data = start
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the connection closed mid-message")
        data += chunk
    return data


def recv_message(sock: socket.socket) -> dict:
    (size,) = HEADER.unpack(read_exact(sock, HEADER.size))
    return json.loads(read_exact(sock, size))


def wants_worker(argv: list[str]) -> bool:
    if os.name != "posix" or not hasattr(socket, "send_fds") or worker_mode() == "off":
        return False
    command = next((a for a in argv if not a.startswith("-")), None)
    return command is not None and command not in LOCAL_COMMANDS


def stream_settings() -> list[list[str | None]]:
    """Encoding and error handler of stdin, stdout and stderr, for the worker to copy."""
    return [
        [getattr(s, "encoding", None), getattr(s, "errors", None)]
        for s in (sys.stdin, sys.stdout, sys.stderr)
    ]


def run_in_worker(argv: list[str], path: str | None = None) -> int | None:
    """Exit status of the command run by the worker, or None when no worker can run it."""
    path = path or socket_path()
    if not os.path.exists(path):
        return None
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:
        return None  # a closed standard stream cannot be passed on
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        request = {
            "kind": "run",
            "argv": argv,
            "cwd": os.getcwd(),
            "env": dict(os.environ),
            "streams": stream_settings(),
        }
        send_message(sock, request, [0, 1, 2])
        reply = recv_message(sock)
    except (OSError, ConnectionError, ValueError):
        sock.close()
        return None
    if "pid" not in reply:  # the worker declined (stale code); it has printed nothing
        sock.close()
        return None
    return _wait_for_exit(sock, reply["pid"])


def _wait_for_exit(sock: socket.socket, pid: int) -> int:
    """Forward the signals a user sends (Ctrl-C, kill) to the process running the command."""
    forwarded: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        forwarded.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    try:
        return int(recv_message(sock)["exit"])
    except (OSError, ConnectionError, ValueError, KeyError):
        if forwarded:
            return 128 + forwarded[-1]
        sys.stderr.write("qualcode: error: the worker's process ended without an exit status\n")
        return 1
    finally:
        sock.close()


def main() -> None:
    argv = sys.argv[1:]
    if wants_worker(argv):
        status = run_in_worker(argv)
        if status is not None:
            sys.exit(status)
        if worker_mode() == "auto":
            start_in_background()
    from qualcode.cli import main as cli_main

    cli_main()
