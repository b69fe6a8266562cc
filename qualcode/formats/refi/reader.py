"""Reading REFI-QDA files (.qdc, .qdpx, .qde) into plain records, with warnings, no database.

Tools write the standard differently: optional parts missing, vendor elements in their own
namespaces, positions past the text, texts in other encodings or outside the archive. The reader
keeps what it can and says, in one warning each, what it left out and why. Structural damage
(malformed XML, a hostile archive, no project.qde) is an InputError naming the file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from qualcode.errors import InputError
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
    users: list[RUser] = field(default_factory=list)
    codes: list[RCode] = field(default_factory=list)
    sets: list[RSet] = field(default_factory=list)
    variables: dict[str, RVariable] = field(default_factory=dict)
    cases: list[RCase] = field(default_factory=list)
    sources: list[RSource] = field(default_factory=list)
    notes: list[RNote] = field(default_factory=list)
    project_notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


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


class _Reader:
    """One pass over a project.qde (or .qdc) tree."""

    def __init__(self, doc: RDocument, ns: str, archive: SafeZip | None, base: Path) -> None:
        self.doc = doc
        self.ns = ns
        self.archive = archive
        self.base = base
        self.vendor: Counter[str] = Counter()
        self.bad_guids: Counter[str] = Counter()
        self.prefix = f"{{{ns}}}" if ns else ""
        self._code_ref = self.t("CodeRef")

    def t(self, name: str) -> str:
        return S.tag(name, self.ns) if self.ns else name

    def warn(self, message: str) -> None:
        self.doc.warnings.append(message)

    def guid(self, el, what: str) -> str | None:
        value = S.normal_guid(el.get("guid"))
        if value is None:
            self.bad_guids[what] += 1
        return value

    def children(self, el, name: str):
        return el.iterchildren(self.t(name))

    def text_of(self, el, name: str) -> str | None:
        child = el.find(self.t(name))
        return child.text if child is not None else None

    def refs(self, el, name: str, attr: str = "targetGUID") -> list[str]:
        out = []
        for child in el.iterchildren(self.t(name)):
            value = S.normal_guid(child.get(attr) or child.get("guid") or child.get("targetGUID"))
            if value:
                out.append(value)
        return out

    def note_vendor(self, root) -> None:
        """Count elements from other namespaces (found by XPath, in C: files can be big)."""
        for el in root.xpath("//*[namespace-uri() != $ns]", ns=self.ns):
            self.vendor[el.tag] += 1

    # --- parts ---------------------------------------------------------------------------

    def users(self, el) -> None:
        for user in self.children(el, "User"):
            guid = self.guid(user, "user")
            if guid:
                self.doc.users.append(RUser(guid, user.get("name"), user.get("id")))

    def codes(self, el, parent: str | None) -> None:
        for position, code in enumerate(self.children(el, "Code")):
            guid = self.guid(code, "code")
            if guid is None:
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

    def archive_text(self, ref: str, what: str) -> str | None:
        """The text a plainTextPath names: inside the archive, or beside the .qdpx."""
        scheme, _, rest = ref.partition("://")
        if not rest:
            scheme, rest = "relative", ref
        rest = rest.replace("\\", "/")
        if scheme.lower() == "internal":
            candidates = [f"{S.SOURCES_DIR}/{rest.lstrip('/')}", rest.lstrip("/")]
        else:
            # Tools that write an outside path often embed the file too: look for its name.
            candidates = [f"{S.SOURCES_DIR}/{PurePosixPath(rest).name}"]
        if self.archive is not None:
            for candidate in candidates:
                found = self.archive.find(candidate)
                if found:
                    return self.decode(self.archive.read(found), what, found)
        if scheme.lower() == "relative":
            target = (self.base / rest).resolve()
            if self.base.resolve() in target.parents and target.is_file():
                return self.decode(target.read_bytes(), what, str(target))
            self.warn(
                f"{what}: its text file {ref!r} is neither in the archive nor beside it; skipped"
            )
            return None
        if scheme.lower() == "absolute":
            self.warn(
                f"{what}: its text is an outside file ({ref}); qualcode reads only files inside "
                "the archive or beside it; skipped"
            )
            return None
        self.warn(f"{what}: its text {ref!r} is not in the archive; skipped")
        return None

    def decode(self, data: bytes, what: str, name: str) -> str | None:
        text, how = decode_bytes(data)
        if text is None:
            self.warn(f"{what}: {name} {how}; skipped")
        elif how:
            self.warn(f"{what}: {name} read as {how}")
        return text

    def coding(self, el) -> RCoding:
        ref = el[0] if len(el) and el[0].tag == self._code_ref else el.find(self._code_ref)
        return RCoding(
            guid=S.normal_guid(el.get("guid")),
            code=S.normal_guid(ref.get("targetGUID")) if ref is not None else None,
            user=S.normal_guid(el.get("creatingUser")),
            created=S.parse_datetime(el.get("creationDateTime")),
            notes=self.refs(el, "NoteRef") if len(el) > 1 else [],
        )

    def text_source(self, el, what_kind: str = "source") -> RSource | None:
        guid = self.guid(el, what_kind)
        if guid is None:
            return None
        name = el.get("name")
        what = f"{what_kind} {name or guid!r}"
        content = el.find(self.t("PlainTextContent"))
        if content is not None and content.text is not None:
            text: str | None = content.text
        elif el.get("plainTextPath"):
            text = self.archive_text(el.get("plainTextPath"), what)
        elif el.get("richTextPath"):
            self.warn(
                f"{what}: only a rich-text file ({el.get('richTextPath')}) and no plain text; "
                "skipped (import the document itself with 'qualcode import')"
            )
            return None
        else:
            text = ""
        if text is None:
            return None
        if text.startswith("\ufeff"):
            text = text[1:]
        selections = []
        length = len(text)
        outside = 0
        example = ""
        guid_of, when = S.normal_guid, S.parse_datetime
        coding_tag, code_ref, note_ref = self.t("Coding"), self._code_ref, self.t("NoteRef")
        for sel in el.iterchildren(self.t("PlainTextSelection")):
            get = sel.get
            try:
                start, end = int(get("startPosition")), int(get("endPosition"))
            except (TypeError, ValueError):
                outside += 1
                example = example or f"{get('startPosition')}-{get('endPosition')}"
                continue
            if not 0 <= start < end <= length:
                outside += 1
                example = example or f"{start}-{end}"
                continue
            codings: list[RCoding] = []
            notes: list[str] = []
            current: RCoding | None = None
            # One pass over the selection's descendants (filtered in C): the bulk of a big file.
            for node in sel.iter(coding_tag, code_ref, note_ref):
                tag = node.tag
                if tag == coding_tag:
                    nget = node.get
                    current = RCoding(
                        guid_of(nget("guid")),
                        None,
                        guid_of(nget("creatingUser")),
                        when(nget("creationDateTime")),
                        [],
                    )
                    codings.append(current)
                elif tag == code_ref:
                    if current is not None and current.code is None:
                        current.code = guid_of(node.get("targetGUID"))
                else:
                    target = guid_of(node.get("targetGUID"))
                    if target is None:
                        continue
                    if current is not None and node.getparent().tag == coding_tag:
                        current.notes.append(target)
                    else:
                        notes.append(target)
            selections.append(
                RSelection(
                    guid_of(get("guid")), start, end, when(get("creationDateTime")), codings, notes
                )
            )
        if outside:
            self.warn(
                f"{what}: {outside} selection(s) with positions outside its {length} characters "
                f"(e.g. {example}); skipped"
            )
        whole = [self.coding(c) for c in self.children(el, "Coding")]
        if whole and length:
            selections.append(RSelection(None, 0, length, None, whole, []))
        return RSource(
            guid=guid,
            name=name,
            text=text,
            created=S.parse_datetime(el.get("creationDateTime")),
            modified=S.parse_datetime(el.get("modifiedDateTime")),
            values=self.values(el),
            selections=selections,
            notes=self.refs(el, "NoteRef"),
        )

    def sources(self, el) -> None:
        skipped: Counter[str] = Counter()
        for child in el.iterchildren():
            if child.tag == self.t("TextSource"):
                source = self.text_source(child)
                if source is not None:
                    self.doc.sources.append(source)
            elif isinstance(child.tag, str) and child.tag.startswith(self.prefix):
                skipped[child.tag.split("}")[1]] += 1
        for kind, count in sorted(skipped.items()):
            self.warn(f"{count} {kind} element(s): qualcode codes text only; skipped")

    def notes(self, el) -> None:
        for note in self.children(el, "Note"):
            source = self.text_source(note, "note")
            if source is None:
                continue
            self.doc.notes.append(
                RNote(
                    guid=source.guid,
                    name=source.name,
                    text=source.text,
                    user=S.normal_guid(note.get("creatingUser")),
                    created=source.created,
                    modified=source.modified,
                )
            )

    def finish(self) -> None:
        for what, count in sorted(self.bad_guids.items()):
            self.warn(f"{count} {what} element(s) without a valid guid; skipped")
        for name, count in sorted(self.vendor.items()):
            self.warn(f"{count} vendor element(s) {name} (not REFI-QDA); ignored")


def _namespace(root, label: str, local: str) -> str:
    from lxml import etree

    qname = etree.QName(root)
    if qname.localname != local:
        raise InputError(f"{label}: the root element is {qname.localname!r}, not {local!r}")
    return qname.namespace or ""


def read_project_xml(
    data: bytes, label: str, archive: SafeZip | None, base: Path, *, codes_only: bool = False
) -> RDocument:
    root = parse_xml(data, label)
    doc = RDocument(label=label)
    ns = _namespace(root, label, "Project")
    if ns != S.PROJECT_NS:
        doc.warnings.append(f"{label}: namespace {ns!r} is not {S.PROJECT_NS!r}; read anyway")
    reader = _Reader(doc, ns, archive, base)
    reader.note_vendor(root)
    doc.name = root.get("name")
    for child in root.iterchildren():
        tag = child.tag
        if tag == reader.t("CodeBook"):
            codes = child.find(reader.t("Codes"))
            if codes is not None:
                reader.codes(codes, None)
        elif tag == reader.t("Sets"):
            reader.sets(child)
        elif codes_only:
            continue
        elif tag == reader.t("Users"):
            reader.users(child)
        elif tag == reader.t("Variables"):
            reader.variables(child)
        elif tag == reader.t("Cases"):
            reader.cases(child)
        elif tag == reader.t("Sources"):
            reader.sources(child)
        elif tag == reader.t("Notes"):
            reader.notes(child)
        elif tag in (reader.t("Links"), reader.t("Graphs")):
            doc.warnings.append(f"{label}: {child.tag.split('}')[-1]} skipped (qualcode has none)")
    if not codes_only:
        doc.project_notes = reader.refs(root, "NoteRef")
    reader.finish()
    return doc


def read_codebook_xml(data: bytes, label: str) -> RDocument:
    root = parse_xml(data, label)
    doc = RDocument(label=label)
    ns = _namespace(root, label, "CodeBook")
    if ns != S.CODEBOOK_NS:
        doc.warnings.append(f"{label}: namespace {ns!r} is not {S.CODEBOOK_NS!r}; read anyway")
    reader = _Reader(doc, ns, None, Path("."))
    reader.note_vendor(root)
    codes = root.find(reader.t("Codes"))
    if codes is not None:
        reader.codes(codes, None)
    sets = root.find(reader.t("Sets"))
    if sets is not None:
        reader.sets(sets)
    reader.finish()
    return doc


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder")


def read_project(path: Path, *, codes_only: bool = False) -> RDocument:
    """A .qdpx archive (or a bare project.qde) read into records."""
    _check_file(path)
    if not zipfile_like(path):
        return read_project_xml(
            path.read_bytes(), str(path), None, path.parent, codes_only=codes_only
        )
    with SafeZip(path) as archive:
        entry = archive.find(S.PROJECT_ENTRY)
        if entry is None:
            qde = [n for n in archive.names() if n.lower().endswith(".qde") and "/" not in n]
            if len(qde) != 1:
                raise InputError(f"{path}: no project.qde inside; not a REFI-QDA project")
            entry = qde[0]
        data = archive.read(entry)
        doc = read_project_xml(data, f"{path}:{entry}", archive, path.parent, codes_only=codes_only)
    doc.label = str(path)
    return doc


def read_codebook(path: Path) -> RDocument:
    """A .qdc codebook; a .qdpx is accepted too (its codes and sets are read)."""
    _check_file(path)
    if zipfile_like(path):
        return read_project(path, codes_only=True)
    data = path.read_bytes()
    root_name = _peek_root(data)
    if root_name == "Project":
        return read_project_xml(data, str(path), None, path.parent, codes_only=True)
    return read_codebook_xml(data, str(path))


def _peek_root(data: bytes) -> str | None:
    match = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]", data[:65536])
    return match.group(1).decode() if match else None


def zipfile_like(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"
