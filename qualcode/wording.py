"""What undo and redo say, in the researcher's words ("removed the coding"), not the event log's
names ("coding.apply"). One table, so a new undoable action gets its words in one place."""

from __future__ import annotations

from typing import Any


def counted(n: int, noun: str) -> str:
    """ "1 hit", "2 hits": a count in the words a reader expects (nouns with a plain -s plural)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


# action -> (what undo did, what redo did)
WORDS: dict[str, tuple[str, str]] = {
    "coding.apply": ("removed the coding", "coded it again"),
    "coding.remove": ("put the coding back", "removed the coding again"),
    "coding.memo": ("put the memo back as it was", "changed the memo again"),
    "coding.bulk": ("removed the {n} codings made in one step", "made the {n} codings again"),
    "code.create": ("removed the new code", "made the code again"),
    "code.update": ("put the code's name and details back", "changed the code again"),
    "code.merge": ("unmerged the codes", "merged the codes again"),
    "code.status": ("put the code's status back", "changed the code's status again"),
    "code.example": ("put the code's example back", "made it the code's example again"),
    "theme.create": ("removed the new theme", "made the theme again"),
    "theme.assign": ("took the code out of the theme", "put the code in the theme again"),
    "theme.unassign": ("put the code back in the theme", "took the code out of the theme again"),
    "theme.nest": ("moved the theme back", "moved the theme again"),
    "theme.update": ("put the theme's name and description back", "changed the theme again"),
    "theme.heading": ("put the theme's heading back", "changed the theme's heading again"),
    "participant.create": ("removed the new participant", "added the participant again"),
    "team.mode": ("switched the coding mode back", "switched the coding mode again"),
    "source.edit": ("put the source's details back", "changed the source's details again"),
}


def _say(action: str, payload: dict[str, Any], which: int) -> str:
    words = WORDS.get(action)
    if words is None:
        return ("undid the last change", "redid the change")[which]
    return words[which].format(n=len(payload.get("codings", ())))


def undone(action: str, payload: dict[str, Any]) -> str:
    return "undo: " + _say(action, payload, 0)


def redone(action: str, payload: dict[str, Any]) -> str:
    return "redo: " + _say(action, payload, 1)
