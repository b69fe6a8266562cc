"""`codebook import` on a SQLite project through sqlite3 (qualcode.codebook_light) writes what the
ORM path writes: the same rows, the same events with the same payloads, the same errors; undo of
a light import is exact. Books in English, Russian and Kazakh, new and updating a project.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from qualcode import codebook_light, codebook_sync, events, open_project
from qualcode.codebook_data import Codebook, CodeEntry, ThemeEntry
from qualcode.errors import InputError
from qualcode.formats import codebook_files
from tests.conftest import Cli
from tests.test_cli_startup import heavy_modules
from tests.test_undo_exact import build, dump, undo_all

ROOT = Path(__file__).resolve().parent.parent
THESIS_CSV = ROOT / "codebooks" / "thesis-appendix-b.csv"
# Columns that say when a row was written or give it a random identity.
WHEN_AND_GUID = {"guid", "created_at", "updated_at", "at"}


def new_book() -> Codebook:
    """Themes and sub-themes with headings and descriptions, codes in three languages with
    counts, quotes of new and existing participants, parents, colours, an exclusion."""
    return Codebook(
        themes=[
            ThemeEntry("Policy", description="laws and their change", heading="Policy (printed)"),
            ThemeEntry("Қайту", parent="Policy", heading="Return migration (printed)"),
            ThemeEntry("Миграция", description="миграционные потоки"),
            ThemeEntry("Әлеумет", parent="Миграция"),
        ],
        codes=[
            CodeEntry("Return", themes=["Қайту"], count=7, participant="Expert B",
                      quote="we came back", reconstructed=True, provenance="Appendix B, row 3",
                      colour="#112233"),
            CodeEntry("Саясат", status="excluded", reason="too broad"),
            CodeEntry("Новый", themes=["Policy", "Миграция"], count=2, participant="Expert A",
                      quote="…"),
            CodeEntry("Көші-қон ұғымы", themes=["Әлеумет"], definition="ғ қ ң ө ұ ү һ і",
                      parent="Новый", participant="Сарапшы Ә", quote="Біз қайттық."),
            CodeEntry("Brain drain", themes=["Миграция", "Policy"], count=0),
        ],
    )  # fmt: skip


def update_book() -> Codebook:
    """The same codebook changed: a case-only rename, a sub-theme moved to the top, a new
    description, a heading dropped and one changed, links moved, an exclusion lifted and
    another made, a parent removed, a count changed."""
    return Codebook(
        themes=[
            ThemeEntry("Policy", description="законы", heading="Саясат (басылған)"),
            ThemeEntry("Миграция"),
            ThemeEntry("Қайту", parent="Миграция"),
            ThemeEntry("Әлеумет"),
        ],
        codes=[
            CodeEntry("RETURN", themes=["Policy"], count=8, participant="Expert B",
                      quote="we came back"),
            CodeEntry("Саясат", themes=["Әлеумет"]),
            CodeEntry("Новый", themes=["Миграция"], status="excluded", reason="дубль"),
            CodeEntry("Көші-қон ұғымы", themes=["Қайту", "Әлеумет"], definition="жаңа"),
        ],
    )  # fmt: skip


def thesis_book() -> Codebook:
    """Appendix B as shipped: themes, sub-themes, headings, quotes, a merged code."""
    return codebook_files.load(THESIS_CSV)


def merged_book() -> Codebook:
    """A printed codebook's merged row: a new code merged into another (nothing to move)."""
    return Codebook(
        codes=[
            CodeEntry("Көші-қон", count=5),
            CodeEntry("Миграция (старое)", status="merged", merged_into="Көші-қон", count=2),
        ]
    )


def merge_existing_book() -> Codebook:
    """new_book's 'Brain drain' (no codings) merged into 'Новый'."""
    return Codebook(codes=[CodeEntry("Новый"), CodeEntry("Brain drain", status="merged",
                                                         merged_into="Новый")])  # fmt: skip


def table_dump(path: Path) -> dict[str, Any]:
    """Every table's rows (ordered by id) without guids and times; events with their payloads
    read as JSON and guids in them masked."""
    conn = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {}
        tables = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'"))
        for table in sorted(tables):
            # a WITHOUT ROWID table (coded_spans) by its key, the others in insertion order
            order = "1, 2" if "WITHOUT ROWID" in tables[table].upper() else "rowid"
            cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}')
            names = [d[0] for d in cur.description]
            keep = [i for i, n in enumerate(names) if n not in WHEN_AND_GUID]
            rows = [[row[i] for i in keep] for row in cur]
            if table == "events":
                payload = names.index("payload")
                rows = [[*r[:-2], _masked(json.loads(r[-2])), r[-1]] for r in rows]
                assert [names[i] for i in keep][-2] == "payload" and payload
            out[table] = rows
        return out
    finally:
        conn.close()


def _masked(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: ("<guid>" if k == "guid" else v) for k, v in payload.items()}


def raw_payloads(path: Path) -> list[str]:
    """The stored JSON text of every event, guids masked textually: the same bytes either way."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT payload FROM events ORDER BY id").fetchall()
    finally:
        conn.close()
    out = []
    for (text,) in rows:
        guid = json.loads(text).get("guid")
        out.append(text.replace(guid, "<guid>") if guid else text)
    return out


@pytest.fixture
def twins(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of one populated project (sources, codings, codes in a theme tree)."""
    first = tmp_path / "orm.db"
    with open_project(first) as project:
        project.transaction(build)
    second = tmp_path / "light.db"
    shutil.copy(first, second)
    return first, second


def orm_import(path: Path, book: Codebook, label: str = "book.yaml") -> str:
    with open_project(path, create=False) as project:
        return str(project.transaction(lambda s: codebook_sync.apply_codebook(s, book, label)))


def light_import(path: Path, book: Codebook, label: str = "book.yaml") -> str:
    summary = codebook_light.import_book(str(path), book, label)
    assert summary is not None, "the light path did not apply"
    return str(summary)


@pytest.mark.parametrize(
    "books",
    [
        pytest.param([new_book], id="new codebook"),
        pytest.param([new_book, update_book], id="then updated"),
        pytest.param([thesis_book], id="thesis codebook"),
        pytest.param([thesis_book, new_book, thesis_book], id="thesis, other, thesis again"),
        pytest.param([merged_book], id="a merged row of a printed codebook"),
        pytest.param([new_book, merge_existing_book], id="a code without codings merged"),
    ],
)
def test_the_light_path_writes_what_the_orm_path_writes(twins, books):
    orm, light = twins
    for make in books:
        assert orm_import(orm, make()) == light_import(light, make())
    assert table_dump(light) == table_dump(orm)
    assert raw_payloads(light) == raw_payloads(orm)


def test_undo_of_a_light_import_is_exact_and_redo_brings_it_back(twins):
    _orm, light = twins
    with open_project(light, create=False) as project, project.session(write=False) as s:
        before, since = dump(s), events.last_event_id(s)
    light_import(light, new_book())
    light_import(light, update_book())
    with open_project(light, create=False) as project:
        with project.session(write=False) as s:
            after = dump(s)
        assert after != before
        assert project.transaction(lambda s: undo_all(s, since)) > 10
        with project.session(write=False) as s:
            assert dump(s) == before
        project.transaction(lambda s: events.redo(s, since_id=since) and None)
        with project.session(write=False) as s:
            assert dump(s) != before


def test_what_the_light_path_leaves_to_the_orm_writes_nothing(twins):
    """A merge that moves codings ('Саясат' has one), an example excerpt to resolve, a URL, a
    missing file: None, and the project as it was."""
    _orm, light = twins
    before = table_dump(light)
    merge = Codebook(codes=[CodeEntry("Return"), CodeEntry("Саясат", status="merged",
                                                           merged_into="Return")])  # fmt: skip
    example = Codebook(codes=[CodeEntry("Return", excerpt="expert-a:0-15")])
    assert codebook_light.import_book(str(light), merge, "merge.yaml") is None
    assert codebook_light.import_book(str(light), example, "example.yaml") is None
    assert codebook_light.import_book("postgresql+psycopg://u@h/db", new_book(), "x") is None
    assert codebook_light.import_book(str(light) + ".missing", new_book(), "x") is None
    assert table_dump(light) == before


def test_an_error_half_way_rolls_the_light_import_back(twins):
    """A code merged in the project listed as active is refused after codes were written."""
    _orm, light = twins
    with open_project(light, create=False) as project:
        from qualcode import codebook, lookup

        project.transaction(
            lambda s: codebook.merge_codes(
                s, lookup.get_code(s, "Return"), lookup.get_code(s, "Саясат")
            )
        )
    before = table_dump(light)
    book = Codebook(codes=[CodeEntry("Жаңа код", count=3), CodeEntry("САЯСАТ")])
    with pytest.raises(InputError, match="'Саясат' is merged in the project"):
        codebook_light.import_book(str(light), book, "unmerge.yaml")
    assert table_dump(light) == before


def test_the_command_on_sqlite_loads_no_sqlalchemy_and_reports_the_counts(tmp_path: Path):
    db = tmp_path / "жоба.db"
    assert Cli(str(db), tmp_path)("init").exit_code == 0
    book = tmp_path / "кодтар.csv"
    book.write_text(
        "code,theme,sub_theme,count,participant,quote\n"
        "Көші-қон,Миграция,Қайту,4,Сарапшы А,Біз қайттық.\n"
        "Brain drain,Миграция,,2,Expert B,They left.\n"
        "Отток,Migration,,1,,\n",
        encoding="utf-8",
    )
    heavy, done = heavy_modules("codebook", "import", str(book), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert heavy == [], f"codebook import imported {heavy}"
    assert done.stderr.startswith(
        f"{book}: 3 codes created, 0 updated, 3 themes created, 2 participants created"
    )
    with open_project(db, create=False) as project, project.session(write=False) as s:
        read = codebook_sync.read_codebook(s)
    assert [(c.name, c.themes, c.count, c.participant) for c in read.codes] == [
        ("Көші-қон", ["Қайту"], 4, "Сарапшы А"),
        ("Brain drain", ["Миграция"], 2, "Expert B"),
        ("Отток", ["Migration"], 1, None),
    ]


def test_a_refused_file_is_one_line_and_the_project_untouched(tmp_path: Path):
    """Refused by the file's checks, or half-way through writing (a code merged in the project
    listed as active): one line naming the file, nothing of it written."""
    db = tmp_path / "p.db"
    cli = Cli(str(db), tmp_path)
    assert cli("init").exit_code == 0
    good = tmp_path / "good.csv"
    good.write_text("code,theme\nReturn,Policy\nВозврат,Policy\n", encoding="utf-8")
    assert cli("codebook", "import", good).exit_code == 0
    assert cli("codebook", "merge", "Return", "Возврат").exit_code == 0
    before = table_dump(db)
    for name, text, problem in (
        ("clash.csv", "code,theme,sub_theme\nNew,POLICY,Policy\n", "row 2: theme 'Policy'"),
        ("unmerge.csv", "code,theme\nЖаңа,Policy\nвозврат,Policy\n", "merged in the project"),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = cli("codebook", "import", path)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"qualcode: error: {path}"), lines
        assert problem in lines[0]
        assert table_dump(db) == before


def test_a_file_that_is_not_a_project_is_named_as_typed(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("заметки.db").write_text("Сарапшы А: көші-қон туралы жазба", encoding="utf-8")
    Path("book.csv").write_text("code,theme\nReturn,Policy\n", encoding="utf-8")
    result = Cli("заметки.db", tmp_path)("codebook", "import", "book.csv")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "qualcode: error: заметки.db: not a SQLite database, so not a qualcode project"
    )
    assert Path("заметки.db").read_text(encoding="utf-8") == "Сарапшы А: көші-қон туралы жазба"
