"""What a new row gets when nothing is given: a GUID and the time.

The ORM's column defaults (qualcode.models) and the light sqlite3 path of ``qualcode code``
(qualcode.coding_light) both call these, so a row looks the same whichever path wrote it.
"""

from __future__ import annotations

import datetime as dt
import uuid


def new_guid() -> str:
    """A REFI-QDA style GUID: kept for the life of a row so exports keep identities."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
