"""What importing a codebook changes in a project, decided once for every way of writing it.

A checked :class:`~qualcode.codebook_data.Codebook` is matched against the project by name
(ignoring case): codes and themes found are updated, others created, each listed code's theme
links become the file's. The decisions are made here; the writes go through a :class:`Store`:
qualcode.codebook_sync's (the ORM and qualcode.codebook's operations, on any backend) or
qualcode.codebook_light's (sqlite3, for a cold ``codebook import`` on a SQLite project). Both log
the same events, so undoing them gives back the project as it was, whichever wrote them.
"""

from __future__ import annotations

from typing import Any, Protocol

from qualcode.codebook_data import Codebook, ImportSummary
from qualcode.errors import InputError
from qualcode.names import fold


class ThemeLike(Protocol):
    id: int
    parent_id: int | None
    description: str | None


class CodeLike(Protocol):
    """A code as a store hands it out: its id, status and every field of ``CODE_FIELDS``."""

    id: int
    name: str
    status: str
    status_reason: str | None
    parent_id: int | None


class ParticipantLike(Protocol):
    id: int


class Store(Protocol):
    """The writes a codebook import makes; each one logs its undoable event."""

    def find_theme(self, name: str) -> Any: ...
    def create_theme(self, name: str, parent: Any) -> Any: ...
    def nest_theme(self, theme: Any, parent: Any) -> None: ...
    def update_theme(self, theme: Any, **changes: Any) -> None: ...
    def set_heading(self, theme: Any, heading: str | None) -> None: ...
    def participants(self) -> dict[str, Any]: ...
    def create_participant(self, pseudonym: str, position: int) -> Any: ...
    def codes(self) -> dict[str, Any]: ...
    def create_code(self, name: str, definition: str | None, colour: str | None) -> Any: ...
    def update_code(self, code: Any, **changes: Any) -> None: ...
    def chosen_excerpt(self, code: Any, address: str | None) -> int | None: ...
    def theme_ids(self, code: Any) -> list[int]: ...
    def assign(self, code: Any, theme: Any) -> None: ...
    def unassign(self, code: Any, theme_id: int) -> None: ...
    def merge(self, keep: Any, merged: Any) -> None: ...
    def exclude(self, code: Any, reason: str) -> None: ...
    def include(self, code: Any) -> None: ...
    def log_import(self, label: str, summary: str) -> None: ...


def check_merge(keep: Any, merged: Any) -> None:
    """Refuse a merge into itself, into a code that is not active, or of a merged code (every
    path that merges asks here)."""
    if keep.id == merged.id:
        raise InputError(f"cannot merge {keep.name!r} into itself")
    if keep.status != "active":
        raise InputError(f"cannot merge into {keep.name!r}: it is {keep.status}")
    if merged.status == "merged":
        raise InputError(f"{merged.name!r} is already merged")


def checked_reason(code: Any, reason: str) -> str:
    """The trimmed reason for excluding ``code``; refused when empty or when it is merged."""
    if not reason.strip():
        raise InputError(f"excluding {code.name!r} needs a reason")
    if code.status == "merged":
        raise InputError(f"{code.name!r} is merged; exclude the code it was merged into")
    return reason.strip()


def apply(store: Store, book: Codebook, label: str) -> ImportSummary:
    """Write a checked codebook through ``store``: themes, then codes, then links and status."""
    summary = ImportSummary()
    themes = _apply_themes(store, book, summary)
    codes = _apply_codes(store, book, label, summary)
    _apply_links_and_status(store, book, codes, themes)
    store.log_import(label, str(summary))
    return summary


def _apply_themes(store: Store, book: Codebook, summary: ImportSummary) -> dict[str, Any]:
    themes: dict[str, Any] = {}
    for entry in book.themes:
        parent = themes[fold(entry.parent)] if entry.parent else None
        theme = store.find_theme(entry.name)
        if theme is None:
            theme = store.create_theme(entry.name, parent)
            summary.themes_created += 1
        elif theme.parent_id != (parent.id if parent else None):
            store.nest_theme(theme, parent)
        if theme.description != entry.description:
            store.update_theme(theme, description=entry.description)
        store.set_heading(theme, entry.heading)
        themes[fold(entry.name)] = theme
    return themes


def _apply_codes(
    store: Store, book: Codebook, label: str, summary: ImportSummary
) -> dict[str, Any]:
    """Create or update each listed code's own fields (not yet its links or status)."""
    codes: dict[str, Any] = {}
    people = store.participants()
    existing = store.codes()
    for entry in book.codes:
        participant = None
        if entry.participant is not None:
            participant = people.get(fold(entry.participant))
            if participant is None:
                participant = store.create_participant(entry.participant, len(people) + 1)
                people[fold(entry.participant)] = participant
                summary.participants_created += 1
        fields: dict[str, Any] = {
            "reported_count": entry.count,
            "example_quote": entry.quote,
            "example_participant_id": participant.id if participant else None,
            "reconstructed": entry.reconstructed,
            "provenance": entry.provenance,
        }
        code = existing.get(fold(entry.name))
        if code is None:
            code = store.create_code(entry.name, entry.definition, entry.colour)
            summary.codes_created += 1
        else:
            if code.status == "merged" and entry.status != "merged":
                raise InputError(
                    f"{label}: code {code.name!r} is merged in the project; "
                    "undo the merge before importing it as " + entry.status
                )
            fields.update(name=entry.name, definition=entry.definition, colour=entry.colour)
            summary.codes_updated += 1
        fields["example_excerpt_id"] = store.chosen_excerpt(code, entry.excerpt)
        changes = {k: v for k, v in fields.items() if getattr(code, k) != v}
        if changes:
            store.update_code(code, **changes)
        codes[fold(entry.name)] = code
    return codes


def _apply_links_and_status(
    store: Store, book: Codebook, codes: dict[str, Any], themes: dict[str, Any]
) -> None:
    for entry in book.codes:
        code = codes[fold(entry.name)]
        parent = codes[fold(entry.parent)] if entry.parent else None
        wanted_parent = parent.id if parent else None
        if code.parent_id != wanted_parent:
            store.update_code(code, parent_id=wanted_parent)
        wanted = [themes[fold(t)] for t in entry.themes]
        wanted_ids = {theme.id for theme in wanted}
        current = store.theme_ids(code)
        for theme_id in sorted(current):
            if theme_id not in wanted_ids:
                store.unassign(code, theme_id)
        for theme in wanted:
            if theme.id not in current:
                store.assign(code, theme)
                current.append(theme.id)
        if entry.status == "merged" and code.status != "merged" and entry.merged_into:
            store.merge(codes[fold(entry.merged_into)], code)
        elif entry.status == "excluded":
            if code.status != "excluded" or code.status_reason != entry.reason:
                store.exclude(code, entry.reason or "")
        elif entry.status == "active" and code.status == "excluded":
            store.include(code)
