"""`qualcode worker start|stop|status`: a warm process that runs commands without start-up cost."""

from __future__ import annotations

import time

import typer

from qualcode.cli.app import sub_app
from qualcode.launcher import DEFAULT_IDLE_MINUTES

worker_app = sub_app(
    "worker",
    "A warm background process that runs commands without the second of start-up.",
)


def _describe(info: dict) -> str:
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["started"]))
    idle = info["idle_timeout"]
    stops = f"stops after {idle / 60:g} min idle" if idle else "runs until stopped"
    return (
        f"worker running: pid {info['pid']}, started {started}, {info['served']} commands served, "
        f"{stops}; socket {info['socket']}"
    )


@worker_app.command("start")
def start(
    idle: float = typer.Option(
        DEFAULT_IDLE_MINUTES, "--idle", help="Minutes without commands before it exits (0: never)."
    ),
) -> None:
    """Start the worker now (a command run without one also starts one, unless QUALCODE_WORKER
    is "manual" or "off"); later `qualcode` commands in this environment run in it."""
    from qualcode import worker

    typer.echo(_describe(worker.start(idle)))


@worker_app.command("stop")
def stop() -> None:
    """Stop the worker (commands it is running finish)."""
    from qualcode import worker

    pid = worker.stop()
    typer.echo(f"worker stopped (pid {pid})" if pid else "no worker was running")


@worker_app.command("status")
def status() -> None:
    """Say whether a worker is running; exit status 1 when none is."""
    from qualcode import worker

    info = worker.status()
    if info is None:
        typer.echo("no worker is running")
        raise typer.Exit(1)
    typer.echo(_describe(info))
