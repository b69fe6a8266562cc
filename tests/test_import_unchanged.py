"""Importing a mixed English, Russian and Kazakh corpus stores exactly the recorded rows.

The expectation (``tests/data/import_corpus/expected.json``) was recorded before the import was
made faster (issue 20): every source, every segment (paragraphs, sentences, turns, with their
languages and speakers, in id order), every event of the log and the settings an import keeps.
A faster language detection, sentence splitter or writer must leave all of it as it was.

Record it again only for an intended change of segmentation: ``python -m tests.test_import_unchanged``
(SQLite; the test checks PostgreSQL against the same rows).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from qualcode.models import Event, Segment, Setting, Source

CORPUS = Path(__file__).parent / "data" / "import_corpus"
TRANSCRIPTS = Path(__file__).parent / "data" / "transcripts"
EXPECTED = CORPUS / "expected.json"


def corpus_files() -> list[Path]:
    texts = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md"))
    return [p for p in texts if p.name != "abbreviations.txt"] + [TRANSCRIPTS / "interview-en.srt"]


def snapshot(project: Any) -> dict[str, Any]:
    """What an import stored, with file paths cut to their names (the checkout moves)."""
    with project.session(write=False) as session:
        sources = [
            [s.id, s.title, s.kind, s.language, s.participant_id, s.checksum,
             Path(s.imported_from or "").name, len(s.text)]
            for s in session.scalars(select(Source).order_by(Source.id))
        ]  # fmt: skip
        segments = [
            list(row)
            for row in session.execute(
                select(
                    Segment.source_id, Segment.kind, Segment.start, Segment.end,
                    Segment.language, Segment.speaker,
                ).order_by(Segment.id)
            )
        ]  # fmt: skip
        events = []
        for event in session.scalars(select(Event).order_by(Event.id)):
            payload = dict(event.payload)
            payload["file"] = Path(payload["file"]).name if payload.get("file") else None
            events.append([event.action, event.coder_id, payload])
        settings = {s.key: s.value for s in session.scalars(select(Setting).order_by(Setting.key))}
    return {"sources": sources, "segments": segments, "events": events, "settings": settings}


def _import(cli: Any) -> None:
    files = corpus_files()
    result = cli("import", *files, "--abbreviations", CORPUS / "abbreviations.txt")
    assert result.exit_code == 0, result.stderr
    result = cli(
        "import", TRANSCRIPTS / "interview-ru.vtt", "--speakers", "Интервьюер", "--language", "ru"
    )
    assert result.exit_code == 0, result.stderr


def test_the_mixed_corpus_imports_to_the_recorded_rows(cli, project):
    _import(cli)
    found = snapshot(project)
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert found["sources"] == expected["sources"]
    assert found["settings"] == expected["settings"]
    assert found["events"] == expected["events"]
    assert len(found["segments"]) == len(expected["segments"])
    assert found["segments"] == expected["segments"]
    languages = {row[4] for row in found["segments"]}
    assert {"en", "ru", "kk"} <= languages  # the corpus does mix the three


def record() -> None:
    """Write the expectation from an import into a new SQLite project."""
    import tempfile

    from qualcode import open_project
    from tests.conftest import Cli

    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "recorded.db")
        with open_project(db) as recorded:
            _import(Cli(db, Path(folder)))
            data = snapshot(recorded)
    EXPECTED.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    record()
