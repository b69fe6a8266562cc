"""The `qualcode` console script: hand the command to a warm worker if one runs, else run it here.

A cold `qualcode report ...` spends about a second importing typer, SQLAlchemy and pandas before
its query starts. `qualcode worker start` keeps one process with all of that loaded; this module
(standard library only, so it starts in a few milliseconds) passes the command line, the working
folder, the environment and its own stdin, stdout and stderr to that worker over a Unix socket.
The worker forks a copy of itself that runs the command with exactly those streams, so output,
terminal detection, exit codes and Ctrl-C behave as in a cold run. When no worker answers, or the
worker was started by another interpreter or locale, the command runs here as usual.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import sys
import zlib

# Commands that need the terminal as their controlling terminal (the Textual workbench) or that
# manage the worker itself always run in this process.
LOCAL_COMMANDS = frozenset({"open", "demo", "worker"})
OFF_VALUES = frozenset({"0", "off", "no", "false"})
HEADER = struct.Struct("!I")


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
    if os.environ.get("QUALCODE_WORKER", "").lower() in OFF_VALUES:
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
    from qualcode.cli import main as cli_main

    cli_main()
