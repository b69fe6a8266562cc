"""`qualcode --help` stays light: no spaCy, pandas, Textual or SQLAlchemy at start-up."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
sys.argv = ["qualcode", "--help"]
from qualcode.cli import main
try:
    main()
except SystemExit:
    pass
heavy = [m for m in ("spacy", "pandas", "textual", "sqlalchemy", "matplotlib") if m in sys.modules]
print("HEAVY=" + ",".join(heavy))
"""


def test_help_lists_the_commands_without_heavy_imports():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert "HEAVY=\n" in result.stdout or result.stdout.rstrip().endswith("HEAVY=")
    for command in ("init", "import", "code", "report", "participants", "db"):
        assert f"  {command} " in result.stdout
