"""Writing a project as REFI-QDA: a codebook (.qdc) or a whole project (.qdpx).

Output is deterministic (stable order, no export time stamp, fixed zip dates), so exporting the
same project twice, or a project re-imported from its own export, gives the same bytes. Every
element and attribute is one the standard's XSD allows; qualcode's extras ride in Description
trailers (see schema.py).
"""

from __future__ import annotations

import codecs
import functools
import os
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InputError
from qualcode.formats.refi import positions as P
from qualcode.formats.refi import schema as S
from qualcode.models import (
    Code,
    Coder,
    CodeTheme,
    Coding,
    Excerpt,
    Memo,
    Participant,
    ParticipantAttribute,
    Setting,
    Source,
    Theme,
)
from qualcode.names import sort_key

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _sub(parent, element: str, ns: str = S.PROJECT_NS, /, **attrs: Any):
    return _SubElement()(
        parent,
        S.tag(element, ns),
        {key: str(value) for key, value in attrs.items() if value is not None},
    )


@functools.cache
def _SubElement():  # lxml imported on first use: it is heavy
    from lxml import etree

    return etree.SubElement


def _text(parent, name: str, text: str | None, ns: str = S.PROJECT_NS) -> None:
    if text:
        _sub(parent, name, ns).text = text


class _Snapshot:
    """The rows an export needs, read in a handful of queries."""

    def __init__(self, session: Session, *, codebook_only: bool) -> None:
        self._read_codebook(session)
        self._read_examples(session)
        self.memos: list[Memo] = []
        if codebook_only:
            return
        self._read_people(session)
        self._read_sources(session)

    def _read_codebook(self, s: Session) -> None:
        """Codes and themes, each as a tree of siblings in order, and each theme's codes."""
        self.codes = s.execute(select(Code)).scalars().all()
        self.code_guid = {c.id: c.guid for c in self.codes}
        self.children: dict[int | None, list[Code]] = defaultdict(list)
        for code in self.codes:
            self.children[code.parent_id].append(code)
        for kids in self.children.values():
            kids.sort(key=lambda c: (c.position, sort_key(c.name)))
        self.themes: Sequence[Theme] = s.execute(select(Theme)).scalars().all()
        self.theme_children: dict[int | None, list[Theme]] = defaultdict(list)
        for theme in self.themes:
            self.theme_children[theme.parent_id].append(theme)
        for sub_themes in self.theme_children.values():
            sub_themes.sort(key=lambda t: (t.position, sort_key(t.name)))
        self.members: dict[int, list[int]] = defaultdict(list)
        names = {c.id: sort_key(c.name) for c in self.codes}
        for link in sorted(
            s.execute(select(CodeTheme)).scalars(), key=lambda k: (k.position, names[k.code_id])
        ):
            self.members[link.theme_id].append(link.code_id)

    def _read_examples(self, s: Session) -> None:
        """What the codes' examples point at: participants' pseudonyms, excerpts' GUIDs (read
        only when some code has an example)."""
        self.participant_name: dict[int, str] = {}
        self.excerpt_guid: dict[int, str] = {}
        refs = {c.example_participant_id for c in self.codes} | {
            c.example_excerpt_id for c in self.codes
        }
        if refs - {None}:
            self.participant_name = dict(
                s.execute(select(Participant.id, Participant.pseudonym)).all()
            )
            ids = [c.example_excerpt_id for c in self.codes if c.example_excerpt_id]
            if ids:
                self.excerpt_guid = dict(
                    s.execute(select(Excerpt.id, Excerpt.guid).where(Excerpt.id.in_(ids))).all()
                )

    def _read_people(self, s: Session) -> None:
        """Memos, coders, participants with their attributes, and the project's name."""
        self.memos = sorted(s.execute(select(Memo)).scalars(), key=lambda m: m.guid)
        self.coders = sorted(s.execute(select(Coder)).scalars(), key=lambda c: sort_key(c.name))
        self.coder_guid = {c.id: c.guid for c in self.coders}
        self.participants = sorted(
            s.execute(select(Participant)).scalars(),
            key=lambda p: (p.position, sort_key(p.pseudonym)),
        )
        self.attributes: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
        for a in s.execute(select(ParticipantAttribute)).scalars():
            self.attributes[a.participant_id].append((a.name, a.value))
        name = s.get(Setting, "project.name")
        self.project_name = name.value if name else S.DEFAULT_PROJECT_NAME

    def _read_sources(self, s: Session) -> None:
        """Sources by title, each source's excerpts by range, each excerpt's codings."""
        self.sources = s.execute(
            select(
                Source.id,
                Source.guid,
                Source.title,
                Source.kind,
                Source.language,
                Source.participant_id,
                Source.text,
                Source.created_at,
                Source.updated_at,
            )
        ).all()
        self.sources = sorted(self.sources, key=lambda r: sort_key(r.title))
        self.excerpts: dict[int, list[Any]] = defaultdict(list)
        for r in s.execute(
            select(
                Excerpt.id,
                Excerpt.guid,
                Excerpt.source_id,
                Excerpt.start,
                Excerpt.end,
                Excerpt.created_at,
            ).order_by(Excerpt.source_id, Excerpt.start, Excerpt.end)
        ):
            self.excerpts[r.source_id].append(r)
        self.codings: dict[int, list[Any]] = defaultdict(list)
        for row in s.execute(
            select(
                Coding.guid,
                Coding.excerpt_id,
                Coding.code_id,
                Coding.coder_id,
                Coding.memo,
                Coding.created_at,
            ).order_by(Coding.excerpt_id, Coding.guid)
        ):
            self.codings[row.excerpt_id].append(row)


def _code_extra(code: Code, snap: _Snapshot) -> dict[str, Any]:
    """What REFI has no place for, for the Description trailer (only non-default values)."""
    extra: dict[str, Any] = {}
    if code.status != "active":
        extra["status"] = code.status
    if code.status_reason:
        extra["reason"] = code.status_reason
    if code.merged_into_id:
        extra["merged_into"] = snap.code_guid[code.merged_into_id]
    if code.reported_count is not None:
        extra["reported_count"] = code.reported_count
    if code.example_quote:
        extra["example_quote"] = code.example_quote
    if code.example_participant_id and code.example_participant_id in snap.participant_name:
        # By pseudonym, as codebook files name people: a .qdc carries no cases to point at.
        extra["example_participant"] = snap.participant_name[code.example_participant_id]
    if code.example_excerpt_id and code.example_excerpt_id in snap.excerpt_guid:
        extra["example_excerpt"] = snap.excerpt_guid[code.example_excerpt_id]
    if code.reconstructed:
        extra["reconstructed"] = True
    if code.provenance:
        extra["provenance"] = code.provenance
    return extra


def _memo_refs(snap: _Snapshot, column: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for memo in snap.memos:
        target = getattr(memo, column)
        if target is not None:
            out[target].append(memo.guid)
    return out


def _codes(parent, parent_id: int | None, snap: _Snapshot, ns: str, notes: dict[int, list[str]]):
    for code in snap.children.get(parent_id, []):
        el = _sub(
            parent,
            "Code",
            ns,
            guid=code.guid,
            name=code.name,
            isCodable="true",
            color=S.normal_colour(code.colour),
        )
        _text(el, "Description", S.with_trailer(code.definition, _code_extra(code, snap)), ns)
        if ns == S.PROJECT_NS:
            for note in notes.get(code.id, []):
                _sub(el, "NoteRef", ns, targetGUID=note)
        _codes(el, code.id, snap, ns, notes)


def _theme_order(snap: _Snapshot) -> list[tuple[Theme, str, Theme | None]]:
    """Themes depth first with their path name ("Parent / Sub") and parent."""
    out: list[tuple[Theme, str, Theme | None]] = []

    def walk(parent: Theme | None, prefix: str) -> None:
        for theme in snap.theme_children.get(parent.id if parent else None, []):
            path = f"{prefix}{theme.name}"
            out.append((theme, path, parent))
            walk(theme, f"{path} / ")

    walk(None, "")
    return out


def _sets(parent, snap: _Snapshot, ns: str) -> None:
    order = _theme_order(snap)
    if not order:
        return
    sets = _sub(parent, "Sets", ns)
    notes = _memo_refs(snap, "theme_id")
    for theme, path, up in order:
        extra = {"parent": up.guid, "name": theme.name} if up else {}
        el = _sub(sets, "Set", ns, guid=theme.guid, name=path)
        _text(el, "Description", S.with_trailer(theme.description, extra), ns)
        for code_id in snap.members.get(theme.id, []):
            if ns == S.CODEBOOK_NS:
                _sub(el, "MemberCode", ns, guid=snap.code_guid[code_id])
            else:
                _sub(el, "MemberCode", ns, targetGUID=snap.code_guid[code_id])
        if ns == S.PROJECT_NS:
            for note in notes.get(theme.id, []):
                _sub(el, "MemberNote", ns, targetGUID=note)


def _serialise(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def codebook_xml(session: Session) -> bytes:
    """The codebook as a QDA-XML CodeBook document (Codebook.xsd)."""
    from lxml import etree

    snap = _Snapshot(session, codebook_only=True)
    if not snap.codes:
        raise InputError("the project has no codes; a REFI-QDA codebook needs at least one")
    ns = S.CODEBOOK_NS
    root = etree.Element(S.tag("CodeBook", ns), nsmap={None: ns}, origin=S.ORIGIN)
    _codes(_sub(root, "Codes", ns), None, snap, ns, {})
    _sets(root, snap, ns)
    return _serialise(root)


def _variables(snap: _Snapshot) -> list[tuple[str, str]]:
    """(name, type) of every variable used, fields first then attributes by name."""
    used: list[tuple[str, str]] = []
    for label, column in S.CASE_FIELDS.items():
        if any(getattr(p, column) for p in snap.participants):
            used.append((label, "Date" if column == "interview_date" else "Text"))
    attrs = sorted({name for values in snap.attributes.values() for name, _ in values})
    used += [(name, "Text") for name in attrs]
    if snap.sources:
        used += [(label, "Text") for label in S.SOURCE_FIELDS]
    return used


def _value(parent, name: str, kind: str, value: Any) -> None:
    el = _sub(parent, "VariableValue")
    _sub(el, "VariableRef", targetGUID=S.variable_guid(name))
    if kind == "Date":
        _sub(el, "DateValue").text = value.isoformat()
    else:
        _sub(el, "TextValue").text = str(value)


def _for_reader(text: str, target: str) -> tuple[bytes, Callable[[int], int]]:
    """A source's file bytes and its offsets as positions for the reader ``target`` reads
    them (see positions.TARGETS); a text stored with CR line breaks keeps them as they are."""
    conv, newline, bom = P.TARGETS[target]
    if target == "standard":
        return text.encode("utf-8"), int
    if "\r" in text:
        newline = "\n"
    counted = P.TextPositions(text)
    written = text.replace("\n", newline) if newline != "\n" else text
    data = (codecs.BOM_UTF8 if bom else b"") + written.encode("utf-8")
    return data, lambda offset: counted.from_normal(offset, conv, newline)


def origin_for(target: str) -> str:
    """The ``origin`` attribute: qualcode, plus whose positions the file holds (so that qualcode
    reading its own export for NVivo counts as NVivo does)."""
    if target == "standard":
        return S.ORIGIN
    conv = P.TARGETS[target][0]
    return f"{S.ORIGIN} (positions for {P.READER_NAMES[target]}: {conv.label})"


def project_xml(
    session: Session, target: str = "standard"
) -> tuple[bytes, list[tuple[str, bytes]]]:
    """project.qde and the source files (name inside sources/, UTF-8 bytes), with positions
    and line breaks for the reader ``target`` (standard, nvivo, atlas, maxqda)."""
    from lxml import etree

    snap = _Snapshot(session, codebook_only=False)
    ns = S.PROJECT_NS
    root = etree.Element(S.tag("Project", ns), nsmap={None: ns})
    root.set("name", snap.project_name)
    root.set("origin", origin_for(target))
    if snap.coders:
        users = _sub(root, "Users")
        for coder in snap.coders:
            _sub(users, "User", guid=coder.guid, name=coder.name, id=coder.initials)
    if snap.codes:
        codebook = _sub(root, "CodeBook")
        _codes(_sub(codebook, "Codes"), None, snap, ns, _memo_refs(snap, "code_id"))
    variables = _variables(snap)
    if variables:
        holder = _sub(root, "Variables")
        for name, kind in variables:
            _sub(holder, "Variable", guid=S.variable_guid(name), name=name, typeOfVariable=kind)
    if snap.participants:
        _cases(_sub(root, "Cases"), snap, dict(variables))
    files: list[tuple[str, bytes]] = []
    coding_notes: list[tuple[str, Any]] = []
    if snap.sources:
        files, coding_notes = _sources(_sub(root, "Sources"), snap, target)
    if snap.memos or coding_notes:
        _notes(_sub(root, "Notes"), snap, coding_notes)
    _sets(root, snap, ns)
    for memo in snap.memos:
        if not any((memo.source_id, memo.code_id, memo.theme_id, memo.excerpt_id)):
            _sub(root, "NoteRef", targetGUID=memo.guid)
    return _serialise(root), files


def _cases(cases, snap: _Snapshot, kinds: dict[str, str]) -> None:
    """One Case per participant: its fields and attributes as variable values, its sources."""
    by_participant: dict[int, list[str]] = defaultdict(list)
    for src in snap.sources:
        if src.participant_id:
            by_participant[src.participant_id].append(src.guid)
    for p in snap.participants:
        case = _sub(cases, "Case", guid=p.guid, name=p.pseudonym)
        for label, column in S.CASE_FIELDS.items():
            if getattr(p, column):
                _value(case, label, kinds[label], getattr(p, column))
        for name, value in sorted(snap.attributes.get(p.id, [])):
            if value is not None:
                _value(case, name, "Text", value)
        for guid in by_participant.get(p.id, []):
            _sub(case, "SourceRef", targetGUID=guid)


def _sources(
    sources, snap: _Snapshot, target: str
) -> tuple[list[tuple[str, bytes]], list[tuple[str, Any]]]:
    """One TextSource per source with its selections; the source files to write and the
    codings whose memo becomes a note (note GUID, coding)."""
    files: list[tuple[str, bytes]] = []
    coding_notes: list[tuple[str, Any]] = []
    source_notes = _memo_refs(snap, "source_id")
    excerpt_notes = _memo_refs(snap, "excerpt_id")
    for src in snap.sources:
        name = f"{src.guid}.txt"
        data, position = _for_reader(src.text, target)
        files.append((name, data))
        el = _sub(
            sources,
            "TextSource",
            guid=src.guid,
            name=src.title,
            plainTextPath=f"{S.INTERNAL}{name}",
            creationDateTime=S.format_datetime(src.created_at),
            modifiedDateTime=S.format_datetime(src.updated_at),
        )
        for ex in snap.excerpts.get(src.id, []):
            sel = _sub(
                el,
                "PlainTextSelection",
                guid=ex.guid,
                startPosition=position(ex.start),
                endPosition=position(ex.end),
                creationDateTime=S.format_datetime(ex.created_at),
            )
            coding_notes += _codings(sel, snap.codings.get(ex.id, []), snap)
            for note in excerpt_notes.get(ex.id, []):
                _sub(sel, "NoteRef", targetGUID=note)
        for note in source_notes.get(src.id, []):
            _sub(el, "NoteRef", targetGUID=note)
        _value(el, "Source kind", "Text", src.kind)
        _value(el, "Language", "Text", src.language)
    return files, coding_notes


def _codings(sel, codings: list[Any], snap: _Snapshot) -> list[tuple[str, Any]]:
    """A selection's Codings; those with a memo point at a note, returned (note GUID, coding)."""
    with_memo: list[tuple[str, Any]] = []
    for c in codings:
        coding = _sub(
            sel,
            "Coding",
            guid=c.guid,
            creatingUser=snap.coder_guid[c.coder_id],
            creationDateTime=S.format_datetime(c.created_at),
        )
        _sub(coding, "CodeRef", targetGUID=snap.code_guid[c.code_id])
        if c.memo:
            note = S.coding_note_guid(c.guid)
            _sub(coding, "NoteRef", targetGUID=note)
            with_memo.append((note, c))
    return with_memo


def _notes(notes, snap: _Snapshot, coding_notes: list[tuple[str, Any]]) -> None:
    """The project's memos, then the codings' memos, as Notes."""
    for memo in snap.memos:
        note = _sub(
            notes,
            "Note",
            guid=memo.guid,
            name=memo.title,
            creatingUser=snap.coder_guid.get(memo.coder_id) if memo.coder_id else None,
            creationDateTime=S.format_datetime(memo.created_at),
            modifiedDateTime=S.format_datetime(memo.updated_at),
        )
        _sub(note, "PlainTextContent").text = memo.body
    for guid, c in coding_notes:
        note = _sub(
            notes,
            "Note",
            guid=guid,
            name="Coding memo",
            creatingUser=snap.coder_guid[c.coder_id],
            creationDateTime=S.format_datetime(c.created_at),
        )
        _sub(note, "PlainTextContent").text = c.memo


def atomic_write(path: Path, write) -> None:
    """Write through a temporary file beside ``path`` so a failure leaves no half file."""
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"{path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise InputError(f"{path}: is a folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    umask = os.umask(0o022)  # mkstemp makes 0600; the export follows the umask like any file
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_qdpx(path: Path, qde: bytes, files: list[tuple[str, bytes]]) -> None:
    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            info = zipfile.ZipInfo(S.PROJECT_ENTRY, ZIP_DATE)
            zf.writestr(info, qde, compress_type=zipfile.ZIP_DEFLATED)
            for name, data in files:
                info = zipfile.ZipInfo(f"{S.SOURCES_DIR}/{name}", ZIP_DATE)
                zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)

    atomic_write(path, write)
