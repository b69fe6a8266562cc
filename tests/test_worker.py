"""The warm worker: commands run through it exactly as they run cold, and it never serves stale
code, another user, or a command that needs the terminal.

Every test drives the real console script in child processes against a real worker started with
`qualcode worker start` in a private runtime folder.
"""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import signal
import stat
import struct
import subprocess
import sys
import sysconfig
import tempfile
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode import launcher
from tests.report_projects import build_report_project

QUALCODE = str(Path(sysconfig.get_path("scripts")) / "qualcode")


class Worker:
    """A worker in its own runtime folder, and a way to run `qualcode` warm or cold beside it."""

    def __init__(self, idle_minutes: float = 10, extra_env: dict[str, str] | None = None) -> None:
        # a short folder: a socket path must stay under about 100 bytes
        self.folder = tempfile.mkdtemp(prefix="qcw", dir="/tmp")
        # "manual": only the worker these tests start, never one started by a cold command
        self.env = dict(os.environ, QUALCODE_WORKER="manual", XDG_RUNTIME_DIR=self.folder)
        self.env.update(extra_env or {})
        self.idle = idle_minutes

    def start(self) -> Worker:
        done = self.run("worker", "start", "--idle", str(self.idle))
        assert done.returncode == 0, done.stderr
        return self

    def run(self, *args: str, cold: bool = False, **kw) -> subprocess.CompletedProcess:
        env = dict(self.env, **({"QUALCODE_WORKER": "off"} if cold else {}), **kw.pop("env", {}))
        return subprocess.run(
            [QUALCODE, *args], capture_output=True, text=True, env=env, timeout=120, **kw
        )

    def served(self) -> int:
        done = self.run("worker", "status")
        assert done.returncode == 0, done.stdout
        return int(done.stdout.split(" commands served")[0].rsplit(" ", 1)[1])

    def stop(self) -> None:
        self.run("worker", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    w = Worker().start()
    yield w
    w.stop()


@pytest.fixture
def report_db(db_url: str) -> str:
    from qualcode import open_project

    project = open_project(db_url)
    build_report_project(project)
    project.close()
    return db_url


COMMANDS = [
    ("report", "codes", "--format", "csv"),
    ("report", "themes", "--format", "md"),
    ("report", "cooccurrence", "--format", "json"),
    ("report", "codes", "--participants", "Expert Z"),  # an error: one line, exit 1
    ("codebook", "list"),
    ("agreement", "--format", "csv"),
    ("report", "--help"),
    ("report", "no-such-report"),  # a usage error: exit 2
]


def test_commands_give_the_same_output_and_exit_status_warm_as_cold(worker, report_db):
    before = worker.served()
    for command in COMMANDS:
        args = (*command, "--db", report_db) if command[-1] != "--help" else command
        warm = worker.run(*args)
        cold = worker.run(*args, cold=True)
        assert (warm.returncode, warm.stdout, warm.stderr) == (
            cold.returncode,
            cold.stdout,
            cold.stderr,
        ), command
    assert worker.served() == before + len(COMMANDS)
    errors = worker.run("report", "codes", "--participants", "Expert Z", "--db", report_db)
    assert errors.returncode == 1
    assert errors.stderr.startswith("qualcode: error:") and errors.stderr.count("\n") == 1


def test_a_write_through_the_worker_lands_in_the_project(worker, report_db):
    done = worker.run("codebook", "rename", "War", "Conflict", "--db", report_db)
    assert done.returncode == 0, done.stderr
    listing = worker.run("codebook", "list", "--format", "csv", "--db", report_db, cold=True)
    assert "Conflict" in listing.stdout and "War," not in listing.stdout


def test_the_working_folder_and_environment_are_the_clients(worker, tmp_path):
    worker.run("init", "--db", "here.db", cwd=tmp_path, cold=True)
    before = worker.served()
    by_path = worker.run("db", "current", "--db", "here.db", cwd=tmp_path)
    by_env = worker.run("db", "current", cwd=tmp_path, env={"QUALCODE_DB": "here.db"})
    assert by_path.returncode == by_env.returncode == 0, by_path.stderr + by_env.stderr
    assert "up to date" in by_path.stdout and by_path.stdout == by_env.stdout
    assert worker.served() == before + 2
    assert not (Path(worker.folder) / "here.db").exists()


def _in_terminal(worker: Worker, args: list[str], cold: bool) -> bytes:
    """Output of the command run with a 100x30 terminal as its stdout."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = dict(worker.env, TERM="xterm-256color", COLUMNS="100")
    env.pop("NO_COLOR", None)
    if cold:
        env["QUALCODE_WORKER"] = "off"
    process = subprocess.Popen([QUALCODE, *args], stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks)


def test_a_terminal_stays_a_terminal(worker, report_db):
    args = ["report", "codes", "--db", report_db]
    warm = _in_terminal(worker, args, cold=False)
    cold = _in_terminal(worker, args, cold=True)
    assert b"\x1b[" in cold  # rich draws in colour on a terminal ...
    assert warm == cold  # ... and does the same when the worker runs the command


def test_ctrl_c_stops_the_command_and_leaves_the_project_untouched(worker, sqlite_url, tmp_path):
    worker.run("init", "--db", sqlite_url, cold=True)
    fifo = tmp_path / "notes.txt"
    os.mkfifo(fifo)  # opening it blocks until a writer comes: a command that waits
    before = worker.served()
    env = dict(worker.env)
    process = subprocess.Popen(
        [QUALCODE, "import", str(fifo), "--db", sqlite_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while worker.served() == before and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err  # as a cold run interrupted the same way
    time.sleep(0.5)
    with pytest.raises(OSError):  # no process is left waiting to read the pipe
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    listing = worker.run("report", "sources", "--format", "csv", "--db", sqlite_url, cold=True)
    assert listing.stdout.strip().count("\n") == 0  # the header alone: no source
    assert worker.run("worker", "status").returncode == 0  # the worker itself carries on


def test_the_client_loads_no_heavy_library(worker, report_db):
    done = subprocess.run(
        [sys.executable, "-X", "importtime", QUALCODE, "report", "codes", "--db", report_db],
        capture_output=True,
        text=True,
        env=worker.env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    imported = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert any("qualcode.launcher" in line for line in imported)
    for heavy in ("typer", "sqlalchemy", "pandas", "click"):
        assert not any(f" {heavy}" in line.split("|")[-1] for line in imported), heavy


def test_the_folder_and_socket_are_private(worker):
    folder = Path(worker.folder) / "qualcode"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    sockets = list(folder.glob("worker-*.sock"))
    assert len(sockets) == 1 and stat.S_IMODE(sockets[0].stat().st_mode) == 0o600


def test_starting_twice_keeps_one_worker(worker):
    first = worker.run("worker", "status").stdout.split(",")[0]
    again = worker.run("worker", "start")
    assert again.returncode == 0 and again.stdout.split(",")[0] == first


def test_stale_code_is_never_served(report_db):
    extra = Path(tempfile.mkdtemp(prefix="qcx", dir="/tmp"))
    w = Worker(extra_env={"PYTHONPATH": str(extra)}).start()
    try:
        cold = w.run("report", "codes", "--format", "csv", "--db", report_db, cold=True)
        (extra / "newly_installed.py").write_text("x = 1\n")  # the import path changed
        time.sleep(0.01)
        warm = w.run("report", "codes", "--format", "csv", "--db", report_db)
        assert (warm.returncode, warm.stdout) == (0, cold.stdout)  # run here instead
        status = w.run("worker", "status")
        assert status.returncode == 1 and "no worker is running" in status.stdout
    finally:
        w.stop()
        shutil.rmtree(extra, ignore_errors=True)


def test_an_idle_worker_exits_and_a_stopped_one_is_gone():
    idle = Worker(idle_minutes=0.02).start()  # 1.2 s
    try:
        deadline = time.monotonic() + 30
        while idle.run("worker", "status").returncode == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert idle.run("worker", "status").returncode == 1
        assert not list((Path(idle.folder) / "qualcode").glob("*.sock"))
    finally:
        idle.stop()
    w = Worker().start()
    try:
        stopped = w.run("worker", "stop")
        assert stopped.stdout.startswith("worker stopped (pid ")
        assert w.run("worker", "status").returncode == 1
        assert w.run("worker", "stop").stdout.strip() == "no worker was running"
    finally:
        w.stop()


def test_which_commands_go_to_the_worker(monkeypatch):
    monkeypatch.delenv("QUALCODE_WORKER", raising=False)
    assert launcher.wants_worker(["report", "codes"]) and launcher.worker_mode() == "auto"
    for local in (["open"], ["demo", "--no-tui"], ["worker", "start"], []):
        assert not launcher.wants_worker(local)
    monkeypatch.setenv("QUALCODE_WORKER", "manual")
    assert launcher.wants_worker(["report", "codes"]) and launcher.worker_mode() == "manual"
    monkeypatch.setenv("QUALCODE_WORKER", "off")
    assert not launcher.wants_worker(["report", "codes"])


def _wait_for(predicate, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_command_without_a_worker_runs_here_and_starts_one_for_the_next(report_db):
    w = Worker()
    w.env.pop("QUALCODE_WORKER")  # the default: auto
    try:
        expected = w.run("report", "codes", "--format", "csv", "--db", report_db, cold=True)
        first = w.run("report", "codes", "--format", "csv", "--db", report_db)
        assert (first.returncode, first.stdout, first.stderr) == (0, expected.stdout, "")
        assert _wait_for(lambda: w.run("worker", "status").returncode == 0)
        assert w.served() == 0  # the first command ran in its own process
        pid = w.run("worker", "status").stdout.split("pid ")[1].split(",")[0]
        assert os.readlink(f"/proc/{pid}/cwd") == "/"  # it keeps no folder of the user's busy
        second = w.run("report", "codes", "--format", "csv", "--db", report_db)
        assert (second.returncode, second.stdout) == (0, expected.stdout)
        assert w.served() == 1
    finally:
        w.stop()


def test_worker_start_just_after_a_command_started_one_waits_for_it(tmp_path):
    w = Worker()
    w.env.pop("QUALCODE_WORKER")
    try:
        assert w.run("init", "--db", str(tmp_path / "p.db")).returncode == 0
        started = w.run("worker", "start")  # while the first one loads its libraries
        assert started.returncode == 0, started.stderr
        pid = started.stdout.split(",")[0]
        assert w.run("worker", "status").stdout.split(",")[0] == pid
        lock = next((Path(w.folder) / "qualcode").glob("worker-*.lock"))
        assert pid == f"worker running: pid {lock.read_text().strip()}"
    finally:
        w.stop()


def test_manual_and_off_start_no_worker(tmp_path):
    for mode in ("manual", "off"):
        w = Worker()
        w.env["QUALCODE_WORKER"] = mode
        try:
            done = w.run("init", "--db", str(tmp_path / f"{mode}.db"))
            assert done.returncode == 0 and "project ready" in done.stdout
            time.sleep(1)
            assert w.run("worker", "status").returncode == 1
            assert not list(Path(w.folder).glob("qualcode/*.log"))
        finally:
            w.stop()


def test_a_worker_that_cannot_start_is_not_retried_by_every_command(tmp_path):
    w = Worker()
    w.env.pop("QUALCODE_WORKER")
    deep = Path(w.folder) / ("d" * 60) / ("e" * 60)  # a socket path too long to bind
    deep.mkdir(parents=True)
    w.env["XDG_RUNTIME_DIR"] = str(deep)
    try:
        first = w.run("init", "--db", str(tmp_path / "p.db"))
        assert first.returncode == 0 and "project ready" in first.stdout
        log = next(iter((deep / "qualcode").glob("worker-*.log")), None)
        assert log is not None
        assert _wait_for(lambda: "too long for a socket" in log.read_text())
        tried = log.stat().st_mtime_ns
        again = w.run("db", "current", "--db", str(tmp_path / "p.db"))
        assert again.returncode == 0 and "up to date" in again.stdout
        time.sleep(0.5)
        assert log.stat().st_mtime_ns == tried  # no second attempt within the pause
    finally:
        shutil.rmtree(w.folder, ignore_errors=True)


def test_python_m_qualcode_runs_in_its_own_process(tmp_path):
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path))
    env.pop("QUALCODE_WORKER", None)  # auto: yet `python -m qualcode` never starts a worker
    done = subprocess.run(
        [sys.executable, "-m", "qualcode", "init", "--db", str(tmp_path / "p.db")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and "project ready" in done.stdout, done.stderr
    assert not (tmp_path / "qualcode").exists()
