"""`qualcode import` of many files: few transactions, yet each file all or nothing (issue 20).

Files are read, checked and segmented a batch at a time (``formats.files.BATCH_BYTES`` or
``BATCH_FILES`` of them), then stored in one transaction per batch. What the user sees must not
change: a file that cannot be read, was imported before, or repeats a title of the same command is
refused with its one-line error, and every other file is imported, in order, with its segments and
its event.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.errors import InputError
from qualcode.formats import files
from qualcode.models import Event, Segment, Source
from qualcode.sources import SourceOptions
from tests.import_fixtures import counts, source_texts

NOTES = (
    "Expert {n} said the tenge fell in 2014. Young people left for Moscow.\n\n"
    "Эксперт {n} сказал, что виз стало меньше. Многие уехали.\n\n"
    "Сарапшы {n}: жастар шетелге кетіп жатыр. Әлеуметтік қорғау жоқ.\n"
)


def write_notes(folder: Path, count: int) -> list[Path]:
    paths = []
    for n in range(1, count + 1):
        paths.append(folder / f"case-{n:03d}.txt")
        paths[-1].write_text(NOTES.format(n=n), encoding="utf-8")
    return paths


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """About four files per batch, so that a command of many files takes many transactions."""
    monkeypatch.setattr(files, "BATCH_BYTES", 4 * len(NOTES.encode()))


def test_a_bad_150th_file_of_200_leaves_itself_out_and_the_others_in(
    cli, project, tmp_path: Path, small_batches
):
    paths = write_notes(tmp_path, 200)
    paths[149].write_bytes(b"\x00\x01\x02" * 100)  # binary data named .txt
    result = cli("import", *paths)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"qualcode: error: {paths[149]}: a binary file, not text",
        f"qualcode: error: 1 of 200 files not imported: {paths[149]}",
    ]
    good = paths[:149] + paths[150:]
    assert result.stdout.splitlines() == [
        f"{path}: imported as source #{n}" for n, path in enumerate(good, start=1)
    ]
    texts = source_texts(project)
    assert len(texts) == 199 and "case-150" not in texts
    assert texts["case-151"] == NOTES.format(n=151).rstrip("\n") + "\n"
    with project.session(write=False) as session:
        kinds = dict(
            session.execute(select(Segment.kind, func.count()).group_by(Segment.kind)).all()
        )
        languages = set(session.scalars(select(Segment.language).distinct()))
        logged = session.scalars(select(Event.payload).order_by(Event.id)).all()
    assert kinds == {"paragraph": 3 * 199, "sentence": 6 * 199}
    assert languages == {"en", "ru", "kk"}
    assert [event["title"] for event in logged] == [path.stem for path in good]


def test_a_file_twice_and_a_title_twice_in_one_command(cli, project, tmp_path: Path):
    first, second = write_notes(tmp_path, 2)
    copy = tmp_path / "копия.txt"
    copy.write_bytes(first.read_bytes())
    same_title = tmp_path / "case-002.md"
    same_title.write_text("Ещё одна заметка. Другой текст.", encoding="utf-8")
    result = cli("import", first, copy, second, same_title)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{first}: imported as source #1",
        f"{second}: imported as source #2",
    ]
    assert result.stderr.splitlines() == [
        f"qualcode: error: {copy}: already imported as source 'case-001'",
        f"qualcode: error: {same_title}: source 'case-002' exists already (use --title)",
        f"qualcode: error: 2 of 4 files not imported: {copy}, {same_title}",
    ]
    assert set(source_texts(project)) == {"case-001", "case-002"}


def test_a_file_imported_meanwhile_by_another_process_is_refused_in_the_transaction(
    project, db_url: str, tmp_path: Path
):
    """Between the check before segmenting and the write, another process imports one of the
    files: the check inside the write transaction refuses it, and the others still go in."""
    from qualcode import open_project

    paths = write_notes(tmp_path, 3)
    outcomes: dict[str, int | Exception] = {}

    def started(path: Path) -> None:
        if path == paths[0]:  # all three are checked by now, none stored
            with open_project(db_url) as other:
                files.import_files(other, [paths[2]], SourceOptions(), lambda *_: None)

    files.import_files(
        project,
        paths,
        SourceOptions(),
        lambda path, outcome: outcomes.__setitem__(path.name, outcome),
        started,
    )
    assert outcomes["case-001.txt"] == 2 and outcomes["case-002.txt"] == 3
    refused = outcomes["case-003.txt"]
    assert isinstance(refused, InputError)
    assert str(refused) == f"{paths[2]}: already imported as source 'case-003'"
    with project.session(write=False) as session:
        titles = session.scalars(select(Source.title).order_by(Source.id)).all()
        events = session.scalar(select(func.count()).select_from(Event))
    assert titles == ["case-003", "case-001", "case-002"] and events == 3


def test_an_unknown_participant_is_one_error_before_any_file(cli, project, tmp_path: Path):
    paths = write_notes(tmp_path, 3)
    before = counts(project)
    result = cli("import", *paths, "--participant", "Сарапшы Z")
    assert result.exit_code != 0
    assert result.stderr.splitlines() == ["qualcode: error: no participant 'Сарапшы Z'"]
    assert counts(project) == before


PROBE = """
import atexit, json, sys
@atexit.register
def _report():
    sys.stderr.write("\\nLOADED=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
sys.argv = ["qualcode", *json.loads(sys.argv[1])]
from qualcode.cli import main
main()
"""


def test_an_import_off_a_terminal_loads_no_heavy_or_drawing_library(sqlite_url: str, tmp_path):
    """No progress bar in a pipe, so not even rich; no pandas, spaCy, Textual or Alembic."""
    from qualcode import open_project

    open_project(sqlite_url).close()
    paths = write_notes(tmp_path, 2)
    args = ["import", *map(str, paths), "--db", sqlite_url]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stderr.rsplit("LOADED=", 1)[1])
    heavy = {"rich", "pandas", "numpy", "spacy", "textual", "matplotlib", "docx", "alembic"}
    assert heavy.isdisjoint(loaded), heavy & set(loaded)
    assert "imported as source #2" in done.stdout


def test_batches_close_at_their_size_or_their_count():
    from qualcode.batches import by_size

    sizes = [3, 1, 1, 9, 1, 1, 1, 1]
    assert list(by_size(sizes, int, 5)) == [[3, 1, 1], [9], [1, 1, 1, 1]]
    assert list(by_size(sizes, int, 5, most=2)) == [[3, 1], [1, 9], [1, 1], [1, 1]]
    assert list(by_size([], int, 5)) == []
