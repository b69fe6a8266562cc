"""The built wheel works outside the checkout: migrations ship inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel; its dependencies come from this environment's
    site-packages, put on its path by a .pth line (plain paths only: this environment's own .pth
    files, such as the editable install of the checkout, are not run)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((work / "dist").glob("qualcode-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    inner = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    outer = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(inner) / "outer-environment.pth").write_text("".join(f"{p}\n" for p in outer))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--force-reinstall",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return env_dir


def _run(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("QUALCODE_DB", "PYTHONPATH")}
    return subprocess.run(
        [str(env_dir / "bin" / "qualcode"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_wheel_ships_the_migrations(installed: Path, tmp_path: Path):
    probe = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import qualcode, qualcode.db as d; print(qualcode.__file__); print(d.migrations_dir())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    package, migrations = probe.stdout.split()
    assert str(installed) in package, "the venv's qualcode, not the checkout's"
    assert str(installed) in migrations and Path(migrations, "env.py").exists()
    assert list(Path(migrations, "versions").glob("*.py"))


def test_init_and_db_current_work_in_an_empty_folder(installed: Path, tmp_path: Path):
    init = _run(installed, tmp_path, "init")
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "qualcode.db").exists()
    current = _run(installed, tmp_path, "db", "current")
    assert current.returncode == 0, current.stderr
    assert "up to date" in current.stdout
