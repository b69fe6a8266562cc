"""Helpers for the REFI-QDA tests: a sample project, fixture archives, counts, a second project."""

from __future__ import annotations

import datetime as dt
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from qualcode import codebook, coding, lookup
from qualcode.models import (
    Code,
    Coder,
    CodeTheme,
    Coding,
    Excerpt,
    Memo,
    Participant,
    ParticipantAttribute,
    Source,
    Theme,
)

DATA = Path(__file__).parent / "data" / "refi"
MODELS = (
    Coder,
    Code,
    Theme,
    CodeTheme,
    Participant,
    ParticipantAttribute,
    Source,
    Excerpt,
    Coding,
    Memo,
)
TEXT_A = "Many people go to Russia for seasonal jobs 😀; they send money home every month.\n"
TEXT_B = "Казахстан — a transit country; some stay, most go further to Europe."


def counts(project) -> dict[str, int]:
    with project.session(write=False) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in MODELS}


def guids(project, model) -> set[str]:
    with project.session(write=False) as s:
        return set(s.scalars(select(model.guid)))


def second_url(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> str:
    """Another fresh project on the same backend as ``db_url``."""
    if "://" not in db_url:
        return str(tmp_path / f"second-{uuid.uuid4().hex[:6]}.db")
    server = request.getfixturevalue("pg_server")
    return server.create_database(f"qc_refi_{uuid.uuid4().hex[:10]}")


def build_sample(project) -> None:
    """A small project with every kind of thing REFI carries, made through the domain modules."""
    with project.session() as s:
        alice = lookup.coder(s, "Alice Smith")
        bob = lookup.coder(s, "Bob")
        labour = codebook.create_code(
            s, "Labour migration", definition="Moving for work.", colour="#E69F00"
        )
        seasonal = codebook.create_code(s, "Seasonal work", parent=labour, colour="#56b4e9")
        remit = codebook.create_code(s, "Remittances", definition="Money sent home.")
        transit = codebook.create_code(s, "Transit country")
        vague = codebook.create_code(s, "Vague")
        dup = codebook.create_code(s, "Transit")
        codebook.exclude_code(s, vague, "too vague; overlaps")
        trends = codebook.create_theme(s, "Trends", description="Main theme.")
        reasons = codebook.create_theme(s, "Reasons", parent=trends)
        policies = codebook.create_theme(s, "Policies")
        for code, theme in ((labour, trends), (seasonal, reasons), (transit, reasons)):
            codebook.assign_code(s, code, theme)
        codebook.assign_code(s, transit, policies)
        transit.reported_count = 9
        transit.example_quote = "Someone comes here to temporarily relocate"
        person = Participant(
            pseudonym="Expert A",
            organisation="NGO",
            role="Director",
            location="Almaty",
            mode="in person",
            interview_date=dt.date(2024, 4, 11),
            position=1,
        )
        other = Participant(pseudonym="Expert B", organisation="Government", position=2)
        s.add_all([person, other])
        s.flush()
        s.add(ParticipantAttribute(participant_id=person.id, name="profession", value="lawyer"))
        a = Source(title="Interview A", text=TEXT_A, participant_id=person.id, checksum="a" * 64)
        b = Source(title="Law digest", kind="document", language="ru", text=TEXT_B)
        s.add_all([a, b])
        s.flush()
        target = coding.Target
        coding.apply_code(s, target(a.id, 15, 42), seasonal, alice, memo="clear case")
        coding.apply_code(s, target(a.id, 15, 42), seasonal, bob)
        coding.apply_code(s, target(a.id, 46, 66), remit, alice)
        coding.apply_code(s, target(b.id, 12, 29), transit, bob)
        coding.apply_code(s, target(b.id, 12, 29), dup, bob)
        s.flush()
        codebook.merge_codes(s, transit, dup)
        excerpt = s.scalar(select(Excerpt).where(Excerpt.source_id == a.id, Excerpt.start == 46))
        transit.example_participant_id = other.id
        s.add_all(
            [
                Memo(title="Plan", body="Code all interviews twice.", coder_id=alice.id),
                Memo(body="Notes typed after the call.", source_id=a.id),
                Memo(body="Keep apart from remittances.", code_id=seasonal.id),
                Memo(body="The thesis' main theme.", theme_id=trends.id),
                Memo(body="Quote this.", excerpt_id=excerpt.id, coder_id=bob.id),
            ]
        )


def make_qdpx(folder: Path, out_dir: Path, name: str | None = None) -> Path:
    """Zip a fixture folder (project.qde + sources/) into a .qdpx; copy what sits beside it."""
    path = out_dir / f"{name or folder.name}.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(folder / "project.qde", "project.qde")
        for file in sorted((folder / "sources").iterdir()):
            zf.write(file, f"sources/{file.name}")
    outside = folder / "outside"
    if outside.is_dir():
        (out_dir / "outside").mkdir(exist_ok=True)
        for file in outside.iterdir():
            (out_dir / "outside" / file.name).write_bytes(file.read_bytes())
    return path


def qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


def canonical(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n2", strip_text=True)


def sources_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith("sources/")}


def codes_by_name(project) -> dict[str, Code]:
    with project.session(write=False) as s:
        return {c.name: c for c in s.scalars(select(Code))}


# --- vendor fixtures: .qdpx files written with zipfile + lxml, positions counted each vendor's way

NS = "urn:QDA-XML:project:1.0"


def units16(text: str) -> int:
    """UTF-16 code units of ``text`` (counted independently of qualcode's converter)."""
    return len(text.encode("utf-16-le")) // 2


def vendor_spans(raw: str, words: list[str], vendor: str) -> list[tuple[int, int]]:
    """Where each of ``words`` (first occurrence) lies in the raw text, counted as ``vendor``
    counts: nvivo = UTF-16 units, CR+LF as 2; atlas = code points, a line break as 1;
    standard = code points, CR+LF as 2."""
    out = []
    for word in words:
        start = raw.index(word)
        before, inside = raw[:start], word
        if vendor == "nvivo":
            out.append((units16(before), units16(before) + units16(inside)))
        elif vendor == "atlas":
            b = before.replace("\r\n", "\n")
            out.append((len(b), len(b) + len(inside.replace("\r\n", "\n"))))
        else:
            out.append((len(before), len(before) + len(inside)))
    return out


def vendor_project(
    path: Path,
    *,
    origin: str | None,
    sources: list[tuple[str, bytes, list[tuple[str, int, int, str]]]],
    codes: list[tuple[str, str]],
    folder: str = "sources",
    inline: bool = False,
    path_of=None,
    first: int = 0,
) -> Path:
    """A .qdpx as a vendor writes it: ``sources`` are (name, file bytes, [(selection guid,
    start, end, code guid)]); ``codes`` (guid, name). ``folder`` is the entry folder's name;
    ``inline`` puts the text in PlainTextContent; ``path_of(n)`` overrides plainTextPath; source
    GUIDs are numbered from ``first``."""
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS}, name="vendor project")
    if origin is not None:
        root.set("origin", origin)
    users = etree.SubElement(root, f"{{{NS}}}Users")
    etree.SubElement(users, f"{{{NS}}}User", guid=USER, name="Aigerim")
    book = etree.SubElement(etree.SubElement(root, f"{{{NS}}}CodeBook"), f"{{{NS}}}Codes")
    for guid, name in codes:
        etree.SubElement(book, f"{{{NS}}}Code", guid=guid, name=name, isCodable="true")
    holder = etree.SubElement(root, f"{{{NS}}}Sources")
    files = {}
    for n, (name, data, selections) in enumerate(sources):
        guid = str(uuid.UUID(int=0xA0000000000040008000000000000000 + first + n))
        el = etree.SubElement(holder, f"{{{NS}}}TextSource", guid=guid, name=name)
        if inline:
            etree.SubElement(el, f"{{{NS}}}PlainTextContent").text = data.decode("utf-8-sig")
        else:
            el.set("plainTextPath", (path_of and path_of(n)) or f"internal://{guid}.txt")
            files[f"{folder}/{guid}.txt"] = data
        for sel_guid, start, end, code in selections:
            sel = etree.SubElement(
                el,
                f"{{{NS}}}PlainTextSelection",
                guid=sel_guid,
                startPosition=str(start),
                endPosition=str(end),
            )
            coding = etree.SubElement(
                sel, f"{{{NS}}}Coding", guid=str(uuid.uuid4()), creatingUser=USER
            )
            etree.SubElement(coding, f"{{{NS}}}CodeRef", targetGUID=code)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        for name, data in files.items():
            zf.writestr(name, data)
    return path


USER = "5e000000-0000-4000-8000-000000000001"


def excerpt_texts(project) -> dict[str, str]:
    """Each excerpt's text by its GUID (the selection's GUID when the file gave one)."""
    with project.session(write=False) as s:
        return {e.guid: e.text for e in s.scalars(select(Excerpt))}
