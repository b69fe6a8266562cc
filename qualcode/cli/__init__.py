"""The `qualcode` command: one module per area, each a thin layer over the domain modules."""

from __future__ import annotations

from qualcode.cli import (  # noqa: F401  (registers the commands)
    agreement_cmd,
    anonymise_cmd,
    codebook_cmd,
    coding_cmd,
    demo_cmd,
    examples_cmd,
    gdocs_cmd,
    memos_cmd,
    participants_cmd,
    project_cmd,
    refi_cmd,
    report_cmd,
    search_cmd,
    sources_cmd,
    team_cmd,
    tui_cmd,
)
from qualcode.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
