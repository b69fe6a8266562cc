"""Hostile and broken REFI-QDA files: refused with one line naming the file, project unchanged."""

from __future__ import annotations

import zipfile

import pytest

from qualcode.errors import InputError
from qualcode.formats import refi
from qualcode.formats.refi import safety
from tests.refi_support import DATA, build_sample, counts, make_qdpx

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="ab100000-0000-4000-8000-000000000001" name="&xxe;" isCodable="true"/>
</Codes></CodeBook>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Project [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&e;"/>"""


@pytest.fixture
def filled(project):
    build_sample(project)
    return project


def refused(project, call, path, match: str) -> str:
    before = counts(project)
    with pytest.raises(InputError, match=match) as info:
        call(project, path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert counts(project) == before
    return message


def qdpx_with(tmp_path, entries: dict[str, bytes], name: str = "bad.qdpx"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry, data in entries.items():
            zf.writestr(entry, data)
    return path


def test_xxe_in_a_codebook_is_refused(filled, tmp_path):
    path = tmp_path / "xxe.qdc"
    path.write_bytes(XXE)
    refused(filled, refi.import_codebook, path, "DTD")


def test_entity_expansion_bomb_in_a_project_is_refused(filled, tmp_path):
    path = qdpx_with(tmp_path, {"project.qde": LAUGHS})
    refused(filled, refi.import_project, path, "DTD")


def test_utf16_doctype_is_refused_too(filled, tmp_path):
    path = tmp_path / "xxe16.qdc"
    path.write_bytes(
        XXE.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    )
    refused(filled, refi.import_codebook, path, "DTD")


@pytest.mark.parametrize(
    "entry", ["../evil.txt", "sources/../../evil.txt", "/etc/evil", "C:/evil", "..\\evil.txt"]
)
def test_zip_entries_outside_the_archive_are_refused(filled, tmp_path, entry):
    project_qde = (DATA / "qualcoder" / "project.qde").read_bytes()
    path = qdpx_with(tmp_path, {"project.qde": project_qde, entry: b"x"})
    refused(filled, refi.import_project, path, "refused")


BOMB_QDE = b"""<?xml version="1.0"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="bomb"><Sources>
<TextSource guid="ab100000-0000-4000-8000-000000000001" name="Bomb"
 plainTextPath="internal://bomb.txt"/></Sources></Project>"""


def test_zip_bomb_stopped_by_the_declared_size(filled, tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_TEXT_BYTES", 1 << 20)
    monkeypatch.setattr(safety, "MAX_RATIO", 10**9)
    path = qdpx_with(tmp_path, {"project.qde": BOMB_QDE, "sources/bomb.txt": b"a" * (8 << 20)})
    assert path.stat().st_size < 64 << 10
    refused(filled, refi.import_project, path, "would inflate to 8,388,608 bytes, more than")


def test_zip_bomb_stopped_by_its_inflation_ratio(filled, tmp_path):
    path = qdpx_with(tmp_path, {"project.qde": BOMB_QDE, "sources/bomb.txt": b"a" * (8 << 20)})
    message = refused(filled, refi.import_project, path, "inflates more than 100 times")
    assert "sources/bomb.txt" in message


def test_zip_lying_about_its_size_is_refused(filled, tmp_path):
    """Inflating stops at the declared size, so a lie ends in a CRC error, never a big read."""
    path = qdpx_with(tmp_path, {"project.qde": b"<" + b" " * (4 << 20) + b"a/>"})
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("project.qde")
    # Rewrite the declared size (local header and central directory) to a harmless 100 bytes.
    data = bytearray(path.read_bytes())
    real = info.file_size.to_bytes(4, "little")
    assert data.count(real) == 2
    path.write_bytes(bytes(data).replace(real, (100).to_bytes(4, "little")))
    refused(filled, refi.import_project, path, "cannot be read .*CRC")


def test_malformed_xml_is_one_line_naming_the_file(filled, tmp_path):
    path = tmp_path / "broken.qdc"
    path.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="x">')
    message = refused(filled, refi.import_codebook, path, "malformed XML")
    assert message.startswith(str(path))


def test_not_a_zip_and_no_project_qde(filled, tmp_path):
    path = qdpx_with(tmp_path, {"readme.txt": b"hello"})
    refused(filled, refi.import_project, path, "no project.qde")
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    refused(filled, refi.import_project, junk, "zip")


def test_failure_half_way_leaves_the_project_unchanged(filled, tmp_path, monkeypatch):
    """A database error after some rows went in rolls everything back, on both backends."""
    from qualcode.formats.refi import importer

    def boom(self, doc):
        raise InputError("simulated failure while storing notes")

    monkeypatch.setattr(importer._Store, "memos", boom)
    before = counts(filled)
    with pytest.raises(InputError, match="simulated"):
        refi.import_project(filled, make_qdpx(DATA / "qualcoder", tmp_path))
    assert counts(filled) == before


def test_cli_hostile_file_is_one_line_and_exit_1(cli, tmp_path):
    path = tmp_path / "xxe.qdc"
    path.write_bytes(XXE)
    result = cli("refi", "import", str(path))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qualcode: error: ") and "DTD" in lines[0]
