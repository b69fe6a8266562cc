"""Reading REFI-QDA files (.qdc, .qdpx, .qde) into plain records, with warnings, no database.

Tools write the standard differently: optional parts missing, vendor elements in their own
namespaces, positions past the text, texts in other encodings or outside the archive. The reader
keeps what it can and says, in one warning each, what it left out and why. Structural damage
(malformed XML, a hostile archive, no project.qde) is an InputError naming the file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from qualcode.errors import InputError
from qualcode.formats.refi import positions as P
from qualcode.formats.refi import safety
from qualcode.formats.refi import schema as S
from qualcode.formats.refi.safety import SafeZip, parse_xml


@dataclass(slots=True)
class RUser:
    guid: str
    name: str | None
    initials: str | None


@dataclass(slots=True)
class RCode:
    guid: str
    name: str
    colour: str | None
    description: str | None
    parent: str | None
    position: int
    extra: dict
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RSet:
    guid: str
    name: str
    description: str | None
    extra: dict
    codes: list[str]
    sources: int
    notes: list[str]


@dataclass(slots=True)
class RVariable:
    guid: str
    name: str
    kind: str


@dataclass(slots=True)
class RCase:
    guid: str
    name: str | None
    values: dict[str, str]  # variable GUID -> value as text
    sources: list[str]


@dataclass(slots=True)
class RCoding:
    guid: str | None
    code: str | None
    user: str | None
    created: dt.datetime | None
    notes: list[str]


@dataclass(slots=True)
class RSelection:
    guid: str | None
    start: int
    end: int
    created: dt.datetime | None
    codings: list[RCoding]
    notes: list[str]


@dataclass(slots=True)
class RSource:
    guid: str
    name: str | None
    text: str
    created: dt.datetime | None
    modified: dt.datetime | None
    values: dict[str, str]
    selections: list[RSelection]
    notes: list[str]


@dataclass(slots=True)
class RNote:
    guid: str
    name: str | None
    text: str
    user: str | None
    created: dt.datetime | None
    modified: dt.datetime | None


@dataclass
class RDocument:
    """Everything read from one file, in file order."""

    label: str
    name: str | None = None
    origin: str | None = None
    users: list[RUser] = field(default_factory=list)
    codes: list[RCode] = field(default_factory=list)
    sets: list[RSet] = field(default_factory=list)
    variables: dict[str, RVariable] = field(default_factory=dict)
    cases: list[RCase] = field(default_factory=list)
    notes: list[RNote] = field(default_factory=list)
    project_notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dropped_codings: int = 0  # codings the reader could not place (each in a warning)


def decode_bytes(data: bytes) -> tuple[str | None, str | None]:
    """(text, how) for a source file: BOMs first, then UTF-8, then a guess; (None, why) if none."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), None if encoding == "utf-8-sig" else encoding
            except UnicodeDecodeError:
                return None, f"starts with a {encoding} byte order mark but does not decode"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Weigh language coherence against chaos: ``best()`` alone picks cp1257 for French cp1252.
    matches = list(from_bytes(data))
    best = max(matches, key=lambda m: m.coherence - m.chaos, default=None)
    if best is None:
        return None, "is not text in any encoding qualcode recognises"
    return str(best), f"{best.encoding} (guessed; REFI-QDA asks for UTF-8)"


class SourceSink(Protocol):
    """Where a streamed project goes: the parts read before the sources, then each source."""

    def header(self, doc: RDocument) -> None: ...

    def source(self, src: RSource) -> None: ...


_PLAIN_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def ref_guid(value: str | None) -> str | None:
    """A GUID for an id or a reference: a GUID normalised, any other id (e.g. ``c001``) mapped to
    a GUID derived from it (UUID v5), the same on every import so that re-importing merges."""
    if value is None:
        return None
    if _PLAIN_GUID.fullmatch(value):  # the common case, checked first: a big file has millions
        return value
    if not value.strip():
        return None
    return S.normal_guid(value) or S.derived_guid("refi-id", value.strip())


_SOURCE_KINDS = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")
_TOP = ("Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs")
_STREAMED = (
    "Project",
    *_TOP,
    "NoteRef",
    "TextSource",
    "PlainTextSelection",
    "Note",
    *_SOURCE_KINDS,
)
_PLAIN_NAMESPACES = {
    S.PROJECT_NS,
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.w3.org/2001/XMLSchema",
}
_LISTED = 10  # selection GUIDs named in one warning


class _Parts:
    """Reading the parts of a QDA-XML document (a whole tree or streamed elements)."""

    def __init__(self, doc: RDocument, ns: str) -> None:
        self.doc = doc
        self.ns = ns
        self.prefix = f"{{{ns}}}" if ns else ""
        self.non_guid: dict[str, list[str]] = {}
        self.nameless: Counter[str] = Counter()

    def t(self, name: str) -> str:
        return S.tag(name, self.ns) if self.ns else name

    def warn(self, message: str) -> None:
        self.doc.warnings.append(message)

    def guid(self, el, what: str, *context: str | None) -> str | None:
        """The element's own GUID: a GUID, a derived one for another id, or one derived from
        its kind, ``context`` and name when it has no id; None (counted) when it has neither."""
        value = el.get("guid")
        if value and value.strip():
            if S.normal_guid(value) is None:
                self.non_guid.setdefault(what, []).append(value.strip())
            return ref_guid(value)
        name = (el.get("name") or "").strip()
        if name:
            return S.derived_guid("refi-nameless", what, *(c or "" for c in context), name)
        self.nameless[what] += 1
        return None

    def children(self, el, name: str):
        return el.iterchildren(self.t(name))

    def text_of(self, el, name: str) -> str | None:
        child = el.find(self.t(name))
        return child.text if child is not None else None

    def refs(self, el, name: str, attr: str = "targetGUID") -> list[str]:
        out = []
        for child in el.iterchildren(self.t(name)):
            value = ref_guid(child.get(attr) or child.get("guid") or child.get("targetGUID"))
            if value:
                out.append(value)
        return out

    def users(self, el) -> None:
        for user in self.children(el, "User"):
            guid = self.guid(user, "user")
            if guid:
                self.doc.users.append(RUser(guid, user.get("name"), user.get("id")))

    def codes(self, el, parent: str | None) -> None:
        for position, code in enumerate(self.children(el, "Code")):
            guid = self.guid(code, "code", parent)
            if guid is None:
                dropped = sum(1 for _ in code.iter(self.t("Code")))
                self.warn(
                    f"a code without guid or name was dropped with {dropped - 1} code(s) under it"
                )
                continue
            description, extra = S.split_trailer(self.text_of(code, "Description"))
            colour = code.get("color")
            if colour and S.normal_colour(colour) is None:
                self.warn(f"code {code.get('name')!r}: colour {colour!r} is not #RRGGBB; dropped")
            self.doc.codes.append(
                RCode(
                    guid=guid,
                    name=(code.get("name") or "").strip(),
                    colour=S.normal_colour(colour),
                    description=description,
                    parent=parent,
                    position=position,
                    extra=extra,
                    notes=self.refs(code, "NoteRef"),
                )
            )
            self.codes(code, guid)

    def sets(self, el) -> None:
        for item in self.children(el, "Set"):
            guid = self.guid(item, "set")
            if guid is None:
                continue
            description, extra = S.split_trailer(self.text_of(item, "Description"))
            self.doc.sets.append(
                RSet(
                    guid=guid,
                    name=(item.get("name") or "").strip(),
                    description=description,
                    extra=extra,
                    codes=self.refs(item, "MemberCode", "targetGUID"),
                    sources=len(self.refs(item, "MemberSource")),
                    notes=self.refs(item, "MemberNote"),
                )
            )

    def variables(self, el) -> None:
        for var in self.children(el, "Variable"):
            guid = self.guid(var, "variable")
            if guid and var.get("name"):
                self.doc.variables[guid] = RVariable(
                    guid, var.get("name").strip(), var.get("typeOfVariable") or "Text"
                )

    def values(self, el) -> dict[str, str]:
        out: dict[str, str] = {}
        for value in self.children(el, "VariableValue"):
            refs = self.refs(value, "VariableRef")
            if not refs:
                continue
            for child in value.iterchildren():
                if child.tag != self.t("VariableRef") and child.text is not None:
                    out[refs[0]] = child.text.strip()
                    break
        return out

    def cases(self, el) -> None:
        for case in self.children(el, "Case"):
            guid = self.guid(case, "case")
            if guid:
                self.doc.cases.append(
                    RCase(guid, case.get("name"), self.values(case), self.refs(case, "SourceRef"))
                )

    def finish(self) -> None:
        for what, count in sorted(self.nameless.items()):
            self.warn(f"{count} {what} element(s) without guid or name; skipped")
        for what, ids in sorted(self.non_guid.items()):
            self.warn(
                f"{len(ids)} {what} id(s) are not GUIDs (e.g. {ids[0]!r}); kept, with GUIDs "
                "derived from them (the same on every import)"
            )


class _Stream(_Parts):
    """One streamed pass over a project.qde: parts as they end, sources one at a time."""

    def __init__(
        self,
        doc: RDocument,
        ns: str,
        archive: SafeZip | None,
        base: Path,
        allow_outside: Path | None,
        sink: SourceSink | None,
    ) -> None:
        super().__init__(doc, ns)
        self.archive = archive
        self.base = base
        self.allow_outside = allow_outside.resolve() if allow_outside else None
        self.sink = sink
        self.vendor: Counter[str] = Counter()
        self.skipped_sources: Counter[str] = Counter()
        self.skipped_codings: Counter[str] = Counter()
        self.pending: list[tuple[Any, ...]] = []
        self.known_refs: dict[str | None, str | None] = {None: None}
        self.headed = False
        self.texts_read = 0
        self.convention = P.for_origin(doc.origin)
        self.guessed: Counter[str] = Counter()
        tag = self.t
        self._sel, self._coding, self._code_ref = (
            tag("PlainTextSelection"),
            tag("Coding"),
            tag("CodeRef"),
        )
        self._note_ref = tag("NoteRef")

    # --- texts ---------------------------------------------------------------------------

    def _budget(self, size: int, what: str) -> None:
        if size > safety.MAX_TEXT_BYTES:
            raise InputError(
                f"{self.doc.label}: {what}: its text of {size:,} bytes is over the limit of "
                f"{safety.MAX_TEXT_BYTES:,}; refused"
            )
        self.texts_read += size
        if self.texts_read > safety.MAX_TEXTS_BYTES:
            raise InputError(
                f"{self.doc.label}: its texts exceed the limit of {safety.MAX_TEXTS_BYTES:,} "
                "bytes in all; refused"
            )

    def path_text(self, ref: str, what: str) -> str | None:
        """The text a ``plainTextPath`` names: inside the archive only, or, for a bare .qde,
        inside the folder given with ``--allow-outside``."""
        scheme, _, rest = ref.partition("://")
        if not rest:
            scheme, rest = "relative", ref
        scheme = scheme.lower()
        rest = rest.replace("\\", "/")
        name = PurePosixPath(rest).name
        if self.archive is not None:
            if scheme == "internal":
                candidates = [f"{S.SOURCES_DIR}/{rest.lstrip('/')}", rest.lstrip("/")]
            elif scheme == "relative" and safety.check_entry_name(rest) is None:
                candidates = [rest, f"{S.SOURCES_DIR}/{rest}", f"{S.SOURCES_DIR}/{name}"]
            else:  # tools that write an outside path often embed the file too, by its name
                candidates = [f"{S.SOURCES_DIR}/{name}"]
            for candidate in candidates:
                found = self.archive.find(candidate)
                if found:
                    data = self.archive.read(found)
                    self._budget(len(data), what)
                    return self.decode(data, what, found)
            if scheme == "internal":
                self.warn(f"{what}: its text {ref!r} is not in the archive; skipped")
            else:
                self.warn(
                    f"{what}: its text {ref!r} lies outside the archive; refused (qualcode reads "
                    "a .qdpx's texts only from inside it)"
                )
            return None
        if self.allow_outside is None or scheme not in ("relative", "absolute", "file"):
            self.warn(
                f"{what}: its text {ref!r} lies outside the file; refused (give "
                "--allow-outside FOLDER to read texts beside a .qde)"
            )
            return None
        target = (Path(rest) if scheme != "relative" else self.base / rest).resolve()
        if not target.is_relative_to(self.allow_outside) or not target.is_file():
            self.warn(
                f"{what}: its text {ref!r} is not a file inside {self.allow_outside}; refused"
            )
            return None
        self._budget(target.stat().st_size, what)
        return self.decode(target.read_bytes(), what, str(target))

    def decode(self, data: bytes, what: str, name: str) -> str | None:
        text, how = decode_bytes(data)
        if text is None:
            self.warn(f"{what}: {name} {how}; skipped")
        elif how:
            self.warn(f"{what}: {name} read as {how}")
        return text

    def text(self, el, what: str) -> str | None:
        content = el.find(self.t("PlainTextContent"))
        if content is not None and content.text is not None:
            self._budget(len(content.text), what)
            text: str | None = content.text
        elif el.get("plainTextPath"):
            text = self.path_text(el.get("plainTextPath"), what)
        elif el.get("richTextPath"):
            self.warn(
                f"{what}: only a rich-text file ({el.get('richTextPath')}) and no plain text; "
                "skipped (import the document itself with 'qualcode import')"
            )
            return None
        else:
            text = ""
        if text is not None and text.startswith("\ufeff"):
            text = text[1:]
        return text

    # --- sources -------------------------------------------------------------------------

    def ref(self, value: str | None) -> str | None:
        """``ref_guid`` remembered: codes and users are named again and again."""
        try:
            return self.known_refs[value]
        except KeyError:
            found = self.known_refs[value] = ref_guid(value)
            return found

    def selection(self, sel) -> None:
        """A PlainTextSelection as a compact tuple (positions still as the file counts them)."""
        get, ref = sel.get, self.ref
        codings: list[RCoding] = []
        notes: list[str] = []
        current: RCoding | None = None
        coding_tag, code_ref = self._coding, self._code_ref
        when = S.parse_datetime
        # One pass over the selection's descendants (filtered in C): the bulk of a big file.
        for node in sel.iter(coding_tag, code_ref, self._note_ref):
            tag = node.tag
            if tag == coding_tag:
                nget = node.get
                current = RCoding(
                    ref_guid(nget("guid")),
                    None,
                    ref(nget("creatingUser")),
                    when(nget("creationDateTime")),
                    [],
                )
                codings.append(current)
            elif tag == code_ref:
                if current is not None and current.code is None:
                    current.code = ref(node.get("targetGUID"))
            else:
                target = ref_guid(node.get("targetGUID"))
                if target is None:
                    continue
                if current is not None and node.getparent().tag == coding_tag:
                    current.notes.append(target)
                else:
                    notes.append(target)
        self.pending.append(
            (
                ref_guid(get("guid")),
                get("startPosition"),
                get("endPosition"),
                when(get("creationDateTime")),
                codings,
                notes,
            )
        )

    def coding(self, el) -> RCoding:
        ref = el.find(self._code_ref)
        return RCoding(
            guid=ref_guid(el.get("guid")),
            code=ref_guid(ref.get("targetGUID")) if ref is not None else None,
            user=ref_guid(el.get("creatingUser")),
            created=S.parse_datetime(el.get("creationDateTime")),
            notes=self.refs(el, "NoteRef"),
        )

    def text_source(self, el) -> None:
        pending, self.pending = self.pending, []
        guid = self.guid(el, "source")
        name = el.get("name")
        what = f"source {name or guid!r}"
        raw = self.text(el, what) if guid else None
        whole = [self.coding(c) for c in self.children(el, "Coding")]
        if raw is None:
            lost = sum(len(p[4]) for p in pending) + len(whole)
            if guid and (pending or whole):
                self.warn(f"{what}: its {lost} coding(s) skipped with it")
            self.skipped_codings["sources without text"] += lost
            return
        assert guid is not None  # a source without a guid has no text (above)
        src = RSource(
            guid=guid,
            name=name,
            text="",
            created=S.parse_datetime(el.get("creationDateTime")),
            modified=S.parse_datetime(el.get("modifiedDateTime")),
            values=self.values(el),
            selections=self.place(raw, pending, what),
            notes=self.refs(el, "NoteRef"),
        )
        src.text = self._normal
        if whole and src.text:
            src.selections.append(RSelection(None, 0, len(src.text), None, whole, []))
        self.emit(src)

    def place(self, raw: str, pending: list[tuple[Any, ...]], what: str) -> list[RSelection]:
        """The selections with offsets in the normalised text; those that cannot be placed are
        reported with their GUIDs and skipped (never shifted)."""
        positions = P.TextPositions(raw)
        self._normal = positions.normal
        spans: list[tuple[int, int]] = []
        bad: dict[str, list[str]] = {}
        lost = 0
        parsed = []
        for item in pending:
            try:
                spans.append((int(item[1]), int(item[2])))
                parsed.append(item)
            except (TypeError, ValueError):
                bad.setdefault("without numeric positions", []).append(_named(item))
                lost += len(item[4])
        conv = self.convention
        if conv is None:
            conv = P.guess(positions, spans)
            if conv != P.STANDARD:
                self.guessed[conv.label] += 1
        out: list[RSelection] = []
        length = len(positions.normal)
        for item, (start, end) in zip(parsed, spans, strict=True):
            a, b = positions.to_normal(start, conv), positions.to_normal(end, conv)
            if a is None or b is None:
                halves = positions.splits_a_pair(start, conv) or positions.splits_a_pair(end, conv)
                reason = (
                    "inside a surrogate pair (half a character)"
                    if halves
                    else f"outside its {length} characters"
                )
            elif a >= b:
                reason = "empty or reversed"
            else:
                out.append(RSelection(item[0], a, b, item[3], item[4], item[5]))
                continue
            bad.setdefault(reason, []).append(_named(item))
            lost += len(item[4])
        for reason, names in bad.items():
            listed = ", ".join(names[:_LISTED]) + (
                f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
            )
            self.warn(f"{what}: {len(names)} selection(s) {reason} ({listed}); skipped")
        if lost:
            self.skipped_codings["selections that cannot be placed"] += lost
        return out

    def emit(self, src: RSource) -> None:
        self.head()
        if self.sink is not None:
            self.sink.source(src)

    def head(self) -> None:
        if not self.headed:
            self.headed = True
            if self.sink is not None:
                self.sink.header(self.doc)

    def note(self, el) -> None:
        guid = self.guid(el, "note")
        if guid is None:
            return
        text = self.text(el, f"note {el.get('name') or guid!r}")
        if text is None:
            return
        self.doc.notes.append(
            RNote(
                guid=guid,
                name=el.get("name"),
                text=text,
                user=ref_guid(el.get("creatingUser")),
                created=S.parse_datetime(el.get("creationDateTime")),
                modified=S.parse_datetime(el.get("modifiedDateTime")),
            )
        )

    def other_source(self, el) -> None:
        kind = el.tag.rpartition("}")[2]
        self.skipped_sources[kind] += 1
        self.skipped_codings[kind] += sum(1 for _ in el.iter(self._coding))

    # --- the pass ------------------------------------------------------------------------

    def run(self, elements: Iterator[Any], codes_only: bool) -> None:
        t = self.t
        sources, notes, note = t("Sources"), t("Notes"), t("Note")
        other_sources = {t(k) for k in _SOURCE_KINDS}
        text_source, sel_tag = t("TextSource"), self._sel
        ns, prefix = self.ns, self.prefix
        for el in elements:
            tag = el.tag
            if not isinstance(tag, str):
                continue
            if (not tag.startswith(prefix)) if ns else tag.startswith("{"):
                self.vendor[tag] += 1
            parent = el.getparent()
            if parent is None:
                break  # the root's end
            ptag = parent.tag
            if tag == sel_tag and ptag == text_source:
                if not codes_only:
                    self.selection(el)
            elif ptag == sources:
                if codes_only:
                    pass
                elif tag == text_source:
                    self.text_source(el)
                elif tag in other_sources:
                    self.other_source(el)
            elif ptag == notes and tag == note:
                if not codes_only:
                    self.note(el)
            elif parent.getparent() is None:
                self.top(el, codes_only)
            else:
                continue
            el.clear()
            parent.remove(el)
        self.head()

    def top(self, el, codes_only: bool) -> None:
        """A child of the root, at its end (sources and notes were handled one by one)."""
        t, tag = self.t, el.tag
        if tag == t("CodeBook"):
            codes = el.find(t("Codes"))
            if codes is not None:
                self.codes(codes, None)
        elif tag == t("Sets"):
            self.sets(el)
        elif codes_only:
            return
        elif tag == t("Users"):
            self.users(el)
        elif tag == t("Variables"):
            self.variables(el)
        elif tag == t("Cases"):
            self.cases(el)
        elif tag == t("NoteRef"):
            target = ref_guid(el.get("targetGUID"))
            if target:
                self.doc.project_notes.append(target)
        elif tag in (t("Links"), t("Graphs")):
            self.warn(f"{self.doc.label}: {tag.split('}')[-1]} skipped (qualcode has none)")

    def finish(self) -> None:
        super().finish()
        for kind, count in sorted(self.skipped_sources.items()):
            codings = self.skipped_codings.get(kind, 0)
            self.warn(
                f"{count} {kind} element(s) with {codings} coding(s): qualcode codes text only; "
                "skipped"
            )
        self.doc.dropped_codings = sum(self.skipped_codings.values())
        for label, count in sorted(self.guessed.items()):
            self.warn(
                f"positions read as {label} in {count} source(s): the file names no known "
                f"writer (origin {self.doc.origin!r}) and that reading puts selections on word "
                "boundaries"
            )
        for name, count in sorted(self.vendor.items()):
            self.warn(f"{count} vendor element(s) {name} (not REFI-QDA); ignored")


def _named(item: tuple[Any, ...]) -> str:
    return f"{item[0] or 'no guid'} at {item[1]}-{item[2]}"


def _namespace(root, label: str, local: str) -> str:
    from lxml import etree

    qname = etree.QName(root)
    if qname.localname != local:
        raise InputError(f"{label}: the root element is {qname.localname!r}, not {local!r}")
    return qname.namespace or ""


def read_project_stream(
    stream: Any,
    label: str,
    archive: SafeZip | None,
    base: Path,
    *,
    sink: SourceSink | None = None,
    codes_only: bool = False,
    allow_outside: Path | None = None,
) -> RDocument:
    """Stream a project.qde: parts before the sources go to ``sink.header``, each text source
    to ``sink.source`` as soon as it ends; the rest (notes, sets) is in the returned record."""
    checked = safety.Checked(stream, label)
    declared = checked.root_namespaces()
    tags = None
    if declared is not None and S.PROJECT_NS in declared and declared <= _PLAIN_NAMESPACES:
        # No vendor namespace on the root: only the elements read here need events (a big
        # file has millions of Coding and CodeRef elements, read through their selection).
        tags = [S.tag(name) for name in _STREAMED]
    elements = safety.iter_xml(checked, label, tags)
    doc = RDocument(label=label)
    first = next(elements, None)
    if first is None:
        raise InputError(f"{label}: an empty document")
    root = first.getroottree().getroot()
    ns = _namespace(root, label, "Project")
    if ns != S.PROJECT_NS:
        doc.warnings.append(f"{label}: namespace {ns!r} is not {S.PROJECT_NS!r}; read anyway")
    doc.name = root.get("name")
    doc.origin = root.get("origin")
    reader = _Stream(doc, ns, archive, base, allow_outside, sink)
    reader.run(itertools.chain([first], elements), codes_only)
    reader.finish()
    return doc


def read_codebook_xml(data: bytes, label: str) -> RDocument:
    root = parse_xml(data, label)
    doc = RDocument(label=label)
    ns = _namespace(root, label, "CodeBook")
    if ns != S.CODEBOOK_NS:
        doc.warnings.append(f"{label}: namespace {ns!r} is not {S.CODEBOOK_NS!r}; read anyway")
    doc.origin = root.get("origin")
    reader = _Parts(doc, ns)
    vendor = Counter(el.tag for el in root.xpath("//*[namespace-uri() != $ns]", ns=ns))
    codes = root.find(reader.t("Codes"))
    if codes is not None:
        reader.codes(codes, None)
    sets = root.find(reader.t("Sets"))
    if sets is not None:
        reader.sets(sets)
    reader.finish()
    for name, count in sorted(vendor.items()):
        doc.warnings.append(f"{count} vendor element(s) {name} (not REFI-QDA); ignored")
    return doc


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder")


def read_project(
    path: Path,
    *,
    sink: SourceSink | None = None,
    codes_only: bool = False,
    allow_outside: Path | None = None,
) -> RDocument:
    """A .qdpx archive (or a bare project.qde) streamed into ``sink`` and records."""
    _check_file(path)
    if not zipfile_like(path):
        if path.stat().st_size > safety.MAX_QDE_BYTES:
            raise InputError(f"{path}: over the limit of {safety.MAX_QDE_BYTES:,} bytes; refused")
        with path.open("rb") as fh:
            return read_project_stream(
                fh,
                str(path),
                None,
                path.parent,
                sink=sink,
                codes_only=codes_only,
                allow_outside=allow_outside,
            )
    with SafeZip(path) as archive:
        entry = archive.find(S.PROJECT_ENTRY)
        if entry is None:
            qde = [n for n in archive.names() if n.lower().endswith(".qde") and "/" not in n]
            if len(qde) != 1:
                raise InputError(f"{path}: no project.qde inside; not a REFI-QDA project")
            entry = qde[0]
        stream = archive.open(entry)
        try:
            doc = read_project_stream(
                stream, f"{path}:{entry}", archive, path.parent, sink=sink, codes_only=codes_only
            )
        finally:
            stream.close()
    doc.label = str(path)
    return doc


def read_codebook(path: Path) -> RDocument:
    """A .qdc codebook; a .qdpx is accepted too (its codes and sets are read)."""
    _check_file(path)
    if zipfile_like(path):
        return read_project(path, codes_only=True)
    if path.stat().st_size > safety.MAX_QDE_BYTES:
        raise InputError(f"{path}: over the limit of {safety.MAX_QDE_BYTES:,} bytes; refused")
    data = path.read_bytes()
    if _peek_root(data) == "Project":
        with path.open("rb") as fh:
            return read_project_stream(fh, str(path), None, path.parent, codes_only=True)
    return read_codebook_xml(data, str(path))


def _peek_root(data: bytes) -> str | None:
    match = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]", data[:65536])
    return match.group(1).decode() if match else None


def zipfile_like(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"
