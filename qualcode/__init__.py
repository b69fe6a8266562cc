"""qualcode: code anonymised interview notes, build a codebook of themes, report the counts.

The public API starts at :func:`open_project`; the domain modules (``codebook``, ``coding``,
``sources``, ``reports``, ``agreement``) take the :class:`~qualcode.db.Project` it returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Project", "__version__", "open_project"]

if TYPE_CHECKING:
    from pathlib import Path

    from qualcode.db import Project


def open_project(path_or_url: str | Path, *, migrate: bool = True, create: bool = True) -> Project:
    """Open a SQLite file (created if absent) or a PostgreSQL URL, running pending migrations."""
    from qualcode.db import open_project as _open

    return _open(path_or_url, migrate=migrate, create=create)


def __getattr__(name: str) -> type[Project]:
    if name == "Project":
        from qualcode.db import Project

        return Project
    raise AttributeError(name)
