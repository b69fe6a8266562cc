"""`qualcode examples DIR`: the example files that ship inside the package, copied to a folder, so
that the README's tour (``examples/participants.csv``, ``codebooks/thesis-appendix-b.yaml``) runs
from any folder, not only from the checkout."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from qualcode.errors import InputError

PACKAGES = {"examples": "qualcode.examples", "codebooks": "qualcode.codebooks"}
SKIP = {"__init__.py", "__pycache__"}


def shipped() -> list[tuple[Path, Path]]:
    """(file in the package, path relative to DIR) for every shipped example file."""
    files = []
    for folder, package in PACKAGES.items():
        root = Path(str(resources.files(package)))
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not SKIP & set(relative.parts):
                files.append((path, Path(folder) / relative))
    return files


def copy_examples(target: Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the example files under ``target`` (created if missing); the files written. A file
    already there is refused (nothing is copied) unless ``overwrite``."""
    files = shipped()
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: not a folder")
    if not overwrite:
        clash = next((target / rel for _src, rel in files if (target / rel).exists()), None)
        if clash is not None:
            raise InputError(f"{clash}: exists already (nothing copied; --force overwrites)")
    written = []
    for source, relative in files:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)  # the user's umask, not the package's modes
        written.append(destination)
    return written
