"""`qualcode` commands: report."""

from __future__ import annotations

from qualcode.cli.app import app  # noqa: F401
