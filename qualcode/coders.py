"""Who codes when the command line does not say, and a new coder's initials.

Shared by the ORM path (qualcode.lookup.coder) and the light sqlite3 path of ``qualcode code``
(qualcode.coding_light); only the standard library is imported.
"""

from __future__ import annotations

import getpass
import os

LAST_CODER = "coder.last"  # the setting that remembers the last coder


def default_coder_name(last_used: str | None = None) -> str:
    """$QUALCODE_CODER, else the coder last used in this project, else the login name."""
    env = os.environ.get("QUALCODE_CODER")
    if env:
        return env
    if last_used is not None:
        return last_used
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (some containers)
        return "coder"


def initials(name: str) -> str | None:
    """A new coder's initials: the first letter of each word, upper-cased (at most 20)."""
    return "".join(part[0] for part in name.split() if part).upper()[:20] or None
