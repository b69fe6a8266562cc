"""Lenient reading, strict writing: ids that are not GUIDs, nothing dropped without a count,
texts only from inside the archive, limits and database errors as one line, project unchanged."""

from __future__ import annotations

import uuid
import zipfile

import pytest
from lxml import etree
from sqlalchemy import event, func, select, text

from qualcode.errors import InputError
from qualcode.formats import refi
from qualcode.formats.refi import safety
from qualcode.models import Code, Coding, Source
from tests.refi_support import (
    NS,
    build_sample,
    codes_by_name,
    counts,
    excerpt_texts,
    vendor_project,
)

CB = "urn:QDA-XML:codebook:1.0"
TEXT = "Мигранты едут в Россию. Көші-қон туралы заң. Workers send money home."


def codebook_with_ids(path, parents: int = 4, children: int = 10):
    """A .qdc whose ids are like 'c001' (as some tools write): ``parents`` codes with
    ``children`` each, and a set naming them by those ids."""
    root = etree.Element(f"{{{CB}}}CodeBook", nsmap={None: CB}, origin="Some tool 2.0")
    codes = etree.SubElement(root, f"{{{CB}}}Codes")
    n = 0
    for p in range(parents):
        n += 1
        parent = etree.SubElement(
            codes, f"{{{CB}}}Code", guid=f"c{n:03d}", name=f"Тема {p}", isCodable="true"
        )
        for c in range(children):
            n += 1
            etree.SubElement(
                parent, f"{{{CB}}}Code", guid=f"c{n:03d}", name=f"Код {p}.{c}", isCodable="true"
            )
    sets = etree.SubElement(root, f"{{{CB}}}Sets")
    item = etree.SubElement(sets, f"{{{CB}}}Set", guid="s01", name="Көші-қон")
    etree.SubElement(item, f"{{{CB}}}MemberCode", guid="c002")
    etree.SubElement(item, f"{{{CB}}}MemberCode", guid="c013")
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return path, n


def test_codes_whose_ids_are_not_guids_are_kept_with_their_children(project, tmp_path):
    path, total = codebook_with_ids(tmp_path / "ids.qdc")
    assert total == 44
    summary = refi.import_codebook(project, path)
    assert summary.added["codes"] == 44 and summary.added["theme links"] == 2
    assert any("44 code id(s) are not GUIDs (e.g. 'c001'); kept" in w for w in summary.warnings)
    codes = codes_by_name(project)
    assert codes["Код 0.0"].parent_id == codes["Тема 0"].id
    assert codes["Тема 0"].guid == str(uuid.UUID(codes["Тема 0"].guid))  # a real GUID
    # Derived GUIDs are stable: the same file again merges everything and adds nothing.
    before = counts(project)
    with pytest.raises(refi.NothingImported, match="already in the project"):
        refi.import_codebook(project, path)
    assert counts(project) == before


def test_a_project_whose_codings_name_codes_by_non_guid_ids(project, tmp_path):
    path = vendor_project(
        tmp_path / "ids.qdpx",
        origin="QualCoder 3.5",
        sources=[
            (
                "Интервью",
                TEXT.encode(),
                [("sel-1", 16, 22, "c001"), ("sel-2", 24, TEXT.index(". W"), "c2")],
            )
        ],
        codes=[("c001", "Россия"), ("c2", "Заң")],
    )
    summary = refi.import_project(project, path)
    assert summary.added["codings"] == 2 and summary.skipped["codings"] == 0
    assert set(excerpt_texts(project).values()) == {"Россию", "Көші-қон туралы заң"}
    with project.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Code)) == 2


def test_codings_on_pdf_and_picture_sources_are_counted_when_skipped(project, tmp_path):
    path = vendor_project(
        tmp_path / "media.qdpx",
        origin="ATLAS.ti 23",
        sources=[("Notes", TEXT.encode(), [("s1", 0, 8, "c1")])],
        codes=[("c1", "Migration")],
    )
    with zipfile.ZipFile(path) as zf:
        qde = etree.fromstring(zf.read("project.qde"))
        files = {n: zf.read(n) for n in zf.namelist() if n != "project.qde"}
    sources = qde.find(f"{{{NS}}}Sources")
    pdf = etree.SubElement(sources, f"{{{NS}}}PDFSource", guid=str(uuid.uuid4()), name="r.pdf")
    for _ in range(3):
        sel = etree.SubElement(pdf, f"{{{NS}}}PDFSelection", guid=str(uuid.uuid4()))
        coding = etree.SubElement(sel, f"{{{NS}}}Coding", guid=str(uuid.uuid4()))
        etree.SubElement(coding, f"{{{NS}}}CodeRef", targetGUID="c1")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", etree.tostring(qde))
        for name, data in files.items():
            zf.writestr(name, data)
    summary = refi.import_project(project, path)
    assert "1 PDFSource element(s) with 3 coding(s): qualcode codes text only; skipped" in (
        summary.warnings
    )
    assert summary.skipped["codings"] == 3 and summary.added["codings"] == 1


@pytest.mark.parametrize("ref", ["relative://.ssh/id_rsa", "notes.txt", "absolute:///etc/passwd"])
def test_a_qdpx_never_reads_a_text_from_beside_it(project, tmp_path, ref):
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----")
    (tmp_path / "notes.txt").write_text("Private notes beside the archive.")
    path = vendor_project(
        tmp_path / "outside.qdpx",
        origin="ATLAS.ti 23",
        sources=[("Secret", b"", [("s1", 0, 5, "c1")]), ("Fine", TEXT.encode(), [])],
        codes=[("c1", "Migration")],
        path_of=lambda n: ref if n == 0 else None,
    )
    summary = refi.import_project(project, path)
    assert f"source 'Secret': its text {ref!r} lies outside the archive; refused" in "\n".join(
        summary.warnings
    )
    with project.session(write=False) as s:
        assert list(s.scalars(select(Source.title))) == ["Fine"]
        assert s.scalar(select(func.count()).select_from(Coding)) == 0


def bare_qde(tmp_path, ref: str):
    path = vendor_project(
        tmp_path / "x.qdpx",
        origin="NVivo 14",
        sources=[("Beside", b"", [("s1", 0, 8, "c1")])],
        codes=[("c1", "Migration")],
        path_of=lambda n: ref,
    )
    with zipfile.ZipFile(path) as zf:
        qde = tmp_path / "export" / "project.qde"
        qde.parent.mkdir(exist_ok=True)
        qde.write_bytes(zf.read("project.qde"))
    (qde.parent / "texts").mkdir(exist_ok=True)
    (qde.parent / "texts" / "beside.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the project")
    return qde


def test_a_bare_qde_reads_beside_itself_only_inside_allow_outside(project, tmp_path):
    qde = bare_qde(tmp_path, "relative://texts/beside.txt")
    first = refi.import_project(project, qde)
    assert (
        "source 'Beside': its text 'relative://texts/beside.txt' lies outside the file; refused "
        "(give --allow-outside FOLDER to read texts beside a .qde)" in first.warnings
    )
    assert "source 'Beside': its 1 coding(s) skipped with it" in first.warnings
    assert first.skipped["codings"] == 1 and counts(project)["sources"] == 0
    summary = refi.import_project(project, qde, allow_outside=qde.parent / "texts")
    assert summary.added["sources"] == 1
    assert list(excerpt_texts(project).values()) == ["Мигранты"]


def test_allow_outside_does_not_let_a_path_climb_out(project, tmp_path):
    qde = bare_qde(tmp_path, "relative://../secret.txt")
    summary = refi.import_project(project, qde, allow_outside=qde.parent)
    assert any("'relative://../secret.txt' is not a file inside" in w for w in summary.warnings)
    assert counts(project)["sources"] == 0


def test_cli_allow_outside_and_its_refusal_for_a_qdpx(cli, project, tmp_path):
    qde = bare_qde(tmp_path, "relative://texts/beside.txt")
    result = cli("refi", "import", str(qde), "--allow-outside", str(qde.parent / "texts"))
    assert result.exit_code == 0, result.stderr
    assert "added 1 coders, 1 codes, 1 sources, 1 excerpts, 1 codings" in result.stdout
    refused = cli("refi", "import", str(tmp_path / "x.qdpx"), "--allow-outside", str(tmp_path))
    assert refused.exit_code == 1
    assert refused.stderr.strip().endswith("a .qdpx reads texts only from inside")


@pytest.fixture
def filled(project):
    build_sample(project)
    return project


def limited(project, path, match: str) -> None:
    before = counts(project)
    with pytest.raises(InputError, match=match) as info:
        refi.import_project(project, path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    assert counts(project) == before


def test_a_text_over_the_per_text_limit_is_refused_in_one_line(filled, tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_TEXT_BYTES", 1000)
    big = ("Қазақстан " * 200).encode()
    path = vendor_project(
        tmp_path / "big.qdpx",
        origin="NVivo 14",
        sources=[("Big", big, [])],
        codes=[("c1", "Migration")],
    )
    limited(filled, path, "more than the limit of 1,000 for one text; refused")
    inline = vendor_project(
        tmp_path / "inline.qdpx",
        origin="QualCoder 3.5",
        sources=[("Big", big, [])],
        codes=[("c1", "Migration")],
        inline=True,
    )
    limited(filled, inline, "its text of 2,000 bytes is over the limit of 1,000; refused")


def test_texts_over_the_total_limit_are_refused_in_one_line(filled, tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_TEXTS_BYTES", 3000)
    path = vendor_project(
        tmp_path / "many.qdpx",
        origin="NVivo 14",
        sources=[(f"Text {n}", ("Workers send money home. " * 40).encode(), []) for n in range(4)],
        codes=[("c1", "Migration")],
    )
    limited(filled, path, "its texts exceed the limit of 3,000 bytes in all; refused")


def test_a_database_error_half_way_is_one_line_and_the_project_is_unchanged(filled, tmp_path):
    """A real database refusal (a trigger on PostgreSQL, SQLite's own length limit) after
    sources went in: one line naming the file, every row as it was."""
    path = vendor_project(
        tmp_path / "db.qdpx",
        origin="QualCoder 3.5",
        sources=[("Интервью", TEXT.encode() * 40, [("s1", 0, 8, "c1")])],
        codes=[("c1", "Migration")],
    )
    engine = filled.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE FUNCTION no_codings() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'codings refused by a test trigger'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER no_codings BEFORE INSERT ON codings "
                    "FOR EACH ROW EXECUTE FUNCTION no_codings()"
                )
            )
        match = "the database refused the import .*codings refused by a test trigger"
    else:
        import sqlite3

        engine.dispose()

        @event.listens_for(engine, "connect")
        def small(dbapi_connection, _record) -> None:
            dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 2000)

        match = "the database refused the import .*too big"
    limited(filled, path, match)


def test_selection_and_coding_guids_the_project_has_already_get_new_ones(project, tmp_path):
    """A second file that reuses the first one's selection GUIDs on another text (tools copy
    projects): its excerpts are stored under new GUIDs instead of failing the import."""
    first = vendor_project(
        tmp_path / "one.qdpx",
        origin="QualCoder 3.5",
        sources=[
            ("Интервью 1", TEXT.encode(), [("a0000000-0000-4000-8000-0000000000aa", 0, 8, "c1")])
        ],
        codes=[("c1", "Migration")],
    )
    refi.import_project(project, first)
    other = "Жұмыс іздеу. " + TEXT
    second = vendor_project(
        tmp_path / "two.qdpx",
        origin="QualCoder 3.5",
        first=10,
        sources=[
            ("Интервью 2", other.encode(), [("a0000000-0000-4000-8000-0000000000aa", 0, 5, "c1")])
        ],
        codes=[("c1", "Migration")],
    )
    summary = refi.import_project(project, second)
    assert summary.added["excerpts"] == 1 and summary.added["codings"] == 1
    texts = sorted(excerpt_texts(project).values())
    assert texts == ["Жұмыс", "Мигранты"]


def test_a_code_s_example_excerpt_travels_by_guid(request, project, db_url, tmp_path):
    from qualcode import open_project
    from qualcode.models import Excerpt
    from tests.refi_support import second_url

    build_sample(project)
    with project.session() as s:
        excerpt = s.scalar(select(Excerpt).where(Excerpt.start == 46))
        code = s.scalar(select(Code).where(Code.name == "Remittances"))
        code.example_excerpt_id = excerpt.id
        wanted = excerpt.text
    path = refi.export_project(project, tmp_path / "example.qdpx")
    fresh = open_project(second_url(request, db_url, tmp_path))
    refi.import_project(fresh, path)
    with fresh.session(write=False) as s:
        code = s.scalar(select(Code).where(Code.name == "Remittances"))
        assert code.example_excerpt is not None and code.example_excerpt.text == wanted
    fresh.close()
