"""The workbench's actions: each one a short transaction calling one domain function.

Screens call these and never hold a session open, so every action is committed the moment it is
made (killing the terminal loses nothing) and the same code serves SQLite and PostgreSQL. Undo and
redo reach back only to the start of this session and only to this coder's actions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from qualcode import anonymise, codebook, coding, events, lookup, team, views, wording
from qualcode.colours import is_colour, normalise
from qualcode.db import Project
from qualcode.errors import InputError, NotFoundError
from qualcode.models import Code, Coder, Coding, Theme

T = TypeVar("T")
IN_VIVO_MAX = 80


def in_vivo_name(words: str) -> str:
    """A code name from a coder's selection: the words, on one line, clipped at a word boundary."""
    name = re.sub(r"\s+", " ", words).strip().strip(".,;:!?…").strip()
    if len(name) > IN_VIVO_MAX:
        name = name[:IN_VIVO_MAX].rsplit(" ", 1)[0]
    if not name:
        raise InputError("select some words to make an in vivo code")
    return f"“{name}”"


@dataclass(frozen=True)
class Done:
    """What an action did, in words for the notification line."""

    message: str


class Workbench:
    """One coder's session on one project."""

    def __init__(self, project: Project, coder_name: str | None = None) -> None:
        self.project = project

        def start(session: Session) -> tuple[int, str, int]:
            coder = lookup.coder(session, coder_name, remember=True)
            return coder.id, coder.name, events.last_event_id(session)

        self.coder_id, self.coder_name, self.since_id = project.transaction(start)
        self.recent: list[int] = []

    # --- plumbing -----------------------------------------------------------------------

    def write(self, work: Callable[[Session], T]) -> T:
        return self.project.transaction(work)

    def read(self, work: Callable[[Session], T]) -> T:
        with self.project.session(write=False) as session:
            return work(session)

    def _coder(self, session: Session) -> Coder:
        coder = session.get(Coder, self.coder_id)
        if coder is None:
            raise NotFoundError(f"coder #{self.coder_id} no longer exists")
        return coder

    @staticmethod
    def _code(session: Session, code_id: int) -> Code:
        code = session.get(Code, code_id)
        if code is None:
            raise NotFoundError(f"code #{code_id} no longer exists")
        return code

    @staticmethod
    def _theme(session: Session, theme_id: int) -> Theme:
        theme = session.get(Theme, theme_id)
        if theme is None:
            raise NotFoundError(f"theme #{theme_id} no longer exists")
        return theme

    def _remember(self, code_ids: Iterable[int]) -> None:
        for code_id in code_ids:
            if code_id in self.recent:
                self.recent.remove(code_id)
            self.recent.insert(0, code_id)

    def codebook(self) -> views.Codebook:
        return self.read(lambda s: views.codebook(s, self.coder_id))

    def sources(self) -> list[views.SourceRow]:
        return self.read(lambda s: views.sources(s, self.coder_id))

    def source_view(self, source_id: int) -> views.SourceView:
        return self.read(lambda s: views.source_view(s, source_id, self.coder_id))

    def spans(self, source_id: int) -> list[views.Span]:
        return self.read(lambda s: views.spans(s, source_id, self.coder_id))

    def filter_choices(self) -> tuple[list[str], list[str]]:
        return self.read(views.filter_choices)

    def report_coders(self, chosen: tuple[str, ...]) -> tuple[str, ...]:
        """The coders a report may count for this coder (in blind mode, this coder alone)."""
        return self.read(lambda s: team.report_coders(s, self.coder_name, chosen))

    def recent_codes(self) -> list[int]:
        """This session's codes first, then the ones this coder used before."""
        earlier = self.read(lambda s: views.recent_code_ids(s, self.coder_id))
        return self.recent + [c for c in earlier if c not in self.recent]

    # --- coding -------------------------------------------------------------------------

    def apply_codes(self, source_id: int, start: int, end: int, codes: Iterable[int | str]) -> Done:
        """Apply existing codes (ids) and new ones (names, created inductively) to a range."""
        target = coding.Target(source_id, start, end)

        def work(session: Session) -> list[tuple[int, str]]:
            coder = self._coder(session)
            applied = []
            for item in codes:
                if isinstance(item, str):
                    code, _ = codebook.find_or_create_code(session, item, coder)
                else:
                    code = self._code(session, item)
                coding.apply_code(session, target, code, coder)
                applied.append((code.id, code.name))
            return applied

        applied = self.write(work)
        self._remember(code_id for code_id, _ in reversed(applied))
        return Done("coded with " + ", ".join(name for _, name in applied))

    def in_vivo(self, source_id: int, start: int, end: int) -> Done:
        """Make a code named with the selected words and apply it to them."""
        text = self.read(lambda s: lookup.get_source(s, source_id).text[start:end])
        return self.apply_codes(source_id, start, end, [in_vivo_name(text)])

    def anonymise_findings(self, source_id: int) -> list[tuple[anonymise.Finding, str]]:
        """What ``anonymise check`` finds in the source, each with its suggested replacement."""

        def work(session: Session) -> list[tuple[anonymise.Finding, str]]:
            found = anonymise.check(session, [f"#{source_id}"])
            rows = anonymise.found_rows(session, found)
            return [(f, r.replacement) for f, r in zip(found, rows, strict=True)]

        return self.read(work)

    def anonymise(self, rows: list[anonymise.MapRow]) -> Done:
        """Replace at the reviewed places, as ``anonymise apply`` does; codings keep their words."""
        summary = self.write(lambda session: anonymise.apply_rows(session, rows, "review"))
        return Done(str(summary))

    def remove_coding(self, coding_id: int) -> Done:
        def work(session: Session) -> str:
            found = session.get(Coding, coding_id)
            if found is None:
                raise NotFoundError(f"coding #{coding_id} no longer exists")
            name = found.code.name
            coding.remove_coding(session, found, self._coder(session))
            return name

        return Done(f"removed the coding with {self.write(work)}")

    def set_memo(self, coding_id: int, memo: str) -> Done:
        def work(session: Session) -> None:
            found = session.get(Coding, coding_id)
            if found is None:
                raise NotFoundError(f"coding #{coding_id} no longer exists")
            coding.set_memo(session, found, memo.strip() or None, self._coder(session))

        self.write(work)
        return Done("memo saved" if memo.strip() else "memo cleared")

    def mark_example(self, coding_id: int) -> Done:
        """Make a coding's excerpt the example the appendix quotes for its code."""

        def work(session: Session) -> str:
            found = session.get(Coding, coding_id)
            if found is None:
                raise NotFoundError(f"coding #{coding_id} no longer exists")
            codebook.set_example(session, found.code, found.excerpt, self._coder(session))
            return found.code.name

        return Done(f"the appendix quotes this for {self.write(work)}")

    def example(self, code_id: int) -> str:
        """The example the appendix prints for a code, and where it comes from."""
        from qualcode import code_examples

        def work(session: Session) -> str:
            code = self._code(session, code_id)
            if code.status != "active":
                return f"none: {code.status} codes are not printed"
            quote = code_examples.example_of(session, code)
            origin = f" ({quote.origin})" if quote is not None else ""
            return code_examples.cite(quote) + origin

        return self.read(work)

    # --- codebook -----------------------------------------------------------------------

    def create_code(self, name: str, definition: str | None = None) -> int:
        return self.write(
            lambda s: (
                codebook.create_code(
                    s, name, definition=definition or None, coder=self._coder(s)
                ).id
            )
        )

    def update_code(self, code_id: int, **changes: object) -> Done:
        if "colour" in changes:
            colour = str(changes["colour"] or "").strip()
            if colour and not is_colour(colour):
                raise InputError(f"{colour!r} is not a colour (try a name or #rrggbb)")
            changes["colour"] = normalise(colour) if colour else None
        if "definition" in changes:
            changes["definition"] = str(changes["definition"] or "").strip() or None

        def work(session: Session) -> str:
            code = self._code(session, code_id)
            codebook.update_code(session, code, self._coder(session), **changes)
            return code.name

        name = self.write(work)
        return Done(f"{name}: {', '.join(changes)} changed")

    def merge(self, keep_id: int, merged_id: int) -> Done:
        def work(session: Session) -> str:
            keep, merged = self._code(session, keep_id), self._code(session, merged_id)
            moved = codebook.merge_codes(session, keep, merged, self._coder(session))
            return f"merged {merged.name} into {keep.name} ({moved} codings moved)"

        return Done(self.write(work))

    def exclude(self, code_id: int, reason: str) -> Done:
        def work(session: Session) -> str:
            code = self._code(session, code_id)
            codebook.exclude_code(session, code, reason, self._coder(session))
            return code.name

        return Done(f"excluded {self.write(work)}")

    def include(self, code_id: int) -> Done:
        def work(session: Session) -> str:
            code = self._code(session, code_id)
            codebook.include_code(session, code, self._coder(session))
            return code.name

        return Done(f"included {self.write(work)} again")

    def create_theme(self, name: str, parent_id: int | None = None) -> int:
        def work(session: Session) -> int:
            parent = self._theme(session, parent_id) if parent_id is not None else None
            return codebook.create_theme(
                session, name, parent=parent, coder=self._coder(session)
            ).id

        return self.write(work)

    def nest_theme(self, theme_id: int, parent_id: int | None) -> Done:
        def work(session: Session) -> str:
            theme = self._theme(session, theme_id)
            parent = self._theme(session, parent_id) if parent_id is not None else None
            codebook.nest_theme(session, theme, parent, self._coder(session))
            return f"{theme.name} is now " + (f"under {parent.name}" if parent else "a main theme")

        return Done(self.write(work))

    def assign(self, code_id: int, theme_id: int) -> Done:
        def work(session: Session) -> str:
            code, theme = self._code(session, code_id), self._theme(session, theme_id)
            added = codebook.assign_code(session, code, theme, self._coder(session))
            return f"{code.name} {'added to' if added else 'is already in'} {theme.name}"

        return Done(self.write(work))

    def unassign(self, code_id: int, theme_id: int) -> Done:
        def work(session: Session) -> str:
            code, theme = self._code(session, code_id), self._theme(session, theme_id)
            codebook.unassign_code(session, code, theme, self._coder(session))
            return f"{code.name} taken out of {theme.name}"

        return Done(self.write(work))

    # --- history ------------------------------------------------------------------------

    def undo(self) -> Done:
        def work(session: Session) -> str:
            event = events.undo(session, self.coder_id, self.since_id)
            if event is None:
                return "nothing to undo in this session"
            return wording.undone(event.action, event.payload)

        return Done(self.write(work))

    def redo(self) -> Done:
        def work(session: Session) -> str:
            event = events.redo(session, self.coder_id, self.since_id)
            return wording.redone(event.action, event.payload) if event else "nothing to redo"

        return Done(self.write(work))
