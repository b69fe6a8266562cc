"""Speaker turns stored as segments (kind turn, with the speaker): sources show --turns, reports
and search by --speaker and --no-interviewer. They need the schema of migration 0002."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.models import SEGMENT_KINDS

pytestmark = pytest.mark.skipif(
    "turn" not in SEGMENT_KINDS, reason="speaker turns need migration 0002 (issue 13)"
)

DATA = Path(__file__).parent / "data" / "transcripts"
NOTES = (
    "Interviewer: Why did you move?\n"
    "Aigerim — For work. The visa was quick.\n\n"
    "Interviewer: And the visa now?\n"
    "Aigerim — The visa takes months.\n"
)


@pytest.fixture
def turns(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALCODE_CODER", "Ann")
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    assert cli("import", notes).exit_code == 0
    result = cli(
        "import", DATA / "interview-ru.vtt", "--speakers", "Интервьюер", "--language", "ru"
    )
    assert result.exit_code == 0, result.stderr


def test_sources_show_turns_gives_speakers_and_addresses(cli, turns):
    result = cli("sources show interview-ru --turns --format json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["address"], r["speaker"]) for r in rows] == [
        ("t1", "Интервьюер"),
        ("t2", "Респондент"),
        ("t3", "Интервьюер"),
        ("t4", "Респондент"),
    ]
    assert rows[3]["text"] == "Қазақ тілін үйреніп жүрмін."


def test_search_by_turn_and_without_the_interviewer(cli, turns):
    result = cli("search visa --unit turn --format csv")
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == [
        "notes:t2",
        "notes:t3",
        "notes:t4",
    ]
    result = cli("search visa --unit turn --no-interviewer --format csv")
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == [
        "notes:t2",
        "notes:t4",
    ]
    result = cli("search виз --speaker респондент --format csv")
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["interview-ru:94-97"]


def test_reports_count_only_the_chosen_speaker(cli, turns):
    assert cli("search visa --unit turn --code Visa").exit_code == 0
    everyone = cli("report codes --format csv")
    assert "Visa,,3," in everyone.stdout
    answers = cli("report codes --no-interviewer --format csv")
    assert "Visa,,2," in answers.stdout
    aigerim = cli("report codes --speaker AIGERIM --format csv")
    assert "Visa,,2," in aigerim.stdout


def test_an_unknown_speaker_suggests_the_nearest(cli, turns):
    result = cli("report codes --speaker Aigrim")
    assert result.exit_code == 1
    assert "no speaker 'Aigrim' (did you mean 'Aigerim'" in result.stderr


def test_the_workbench_shows_the_speaker_of_the_turn_at_the_cursor(db_url, cli, turns):
    import asyncio

    from textual.widgets import Static

    from qualcode.tui.app import QualcodeApp

    async def run() -> str:
        app = QualcodeApp(db_url, "Ann", "interview-ru")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await pilot.press("right_curly_bracket")
            await pilot.pause()
            return str(app.screen.query_one("#selection-info", Static).render())

    shown = asyncio.run(run())
    assert "turn t2 · Респондент" in shown


def test_a_turn_address_codes_the_words_of_the_turn(cli, project, turns):
    result = cli("code", "notes:t2", "Work", "--coder", "Ann")
    assert result.exit_code == 0, result.stderr
    start, end = NOTES.index("For work."), NOTES.index("quick.") + len("quick.")
    assert f"[{start}-{end}]" in result.stdout
