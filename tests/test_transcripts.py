"""Transcripts (.vtt, .srt) become text with one paragraph per speaker turn, timestamps kept;
speaker labels ("Name:" or "Name —" at a line start) are found in any text."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InputError
from qualcode.formats import transcripts
from qualcode.formats.files import read_file
from qualcode.turns import find

DATA = Path(__file__).parent / "data" / "transcripts"


def test_a_vtt_file_becomes_turns_with_timestamps_and_voices_joined():
    text, _data = read_file(DATA / "interview-ru.vtt")
    assert text == (
        "[00:00:01] Интервьюер: Почему вы переехали в Казахстан?\n\n"
        "[00:00:05] Респондент: Из-за работы. Визы тогда давали быстро. Сейчас всё иначе.\n\n"
        "[00:00:12] Интервьюер: А как с языком?\n\n"
        "[00:01:03] Респондент: Қазақ тілін үйреніп жүрмін.\n"
    )


def test_an_srt_file_joins_cue_lines_and_a_speaker_s_cues():
    text, _data = read_file(DATA / "interview-en.srt")
    assert text == (
        "[00:00:01] Interviewer: Why did you come to Almaty?\n\n"
        "[00:00:03] Respondent: For the work. The visa was quick. Then my family came.\n"
    )


def test_turns_of_a_transcript_cover_only_what_was_said():
    text, _data = read_file(DATA / "interview-ru.vtt")
    turns = find(text)
    assert [(t.speaker, text[t.start : t.end]) for t in turns] == [
        ("Интервьюер", "Почему вы переехали в Казахстан?"),
        ("Респондент", "Из-за работы. Визы тогда давали быстро. Сейчас всё иначе."),
        ("Интервьюер", "А как с языком?"),
        ("Респондент", "Қазақ тілін үйреніп жүрмін."),
    ]


def test_labels_with_a_colon_or_a_dash_in_plain_notes():
    text = (
        "I: Where did you work?\n"
        "Expert A — At a bank.\nThen at an NGO.\n\n"
        "I: Why?\n"
        "Expert A — Better pay.\n"
    )
    turns = find(text, interviewer=("I",))
    assert [(t.speaker, text[t.start : t.end]) for t in turns] == [
        ("I", "Where did you work?"),
        ("Expert A", "At a bank.\nThen at an NGO."),
        ("I", "Why?"),
        ("Expert A", "Better pay."),
    ]


def test_a_single_label_like_note_is_not_a_speaker():
    assert find("Note: the recorder failed.\nThe rest is from memory.") == []
    assert find("Сұрақ: бір рет қана.\nБасқа мәтін.") == []


def test_kazakh_speakers_recur_and_count():
    text = "Сұхбат алушы: Қайдан келдіңіз?\nАйгүл: Шымкенттен.\nСұхбат алушы: Неге?\nАйгүл: Жұмыс үшін."
    assert [t.speaker for t in find(text)] == ["Сұхбат алушы", "Айгүл", "Сұхбат алушы", "Айгүл"]


def test_a_malformed_timestamp_names_the_file_and_line():
    with pytest.raises(InputError) as caught:
        read_file(DATA / "broken.vtt")
    assert str(caught.value) == (
        f"{DATA / 'broken.vtt'}: line 6: malformed timestamp '00:00:05.000 --> 00:0x:09.000' "
        "(expected HH:MM:SS.mmm --> HH:MM:SS.mmm)"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("Hello\n\n00:00:01.000 --> 00:00:02.000\nHi\n", "line 1: not a WebVTT file"),
        ("WEBVTT\n\nHi there\n", "line 3: a cue without a timing line"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", "no cues with text"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:99.000\nHi\n", "line 3: malformed timestamp"),
    ],
)
def test_bad_vtt_files_are_one_line_errors(tmp_path, content, problem):
    path = tmp_path / "bad.vtt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        transcripts.to_text(path, content)


def test_a_malformed_transcript_imports_nothing(cli, project, tmp_path):
    from sqlalchemy import func, select

    from qualcode.models import Source

    result = cli("import", DATA / "broken.vtt")
    assert result.exit_code == 1
    assert "line 6: malformed timestamp" in result.stderr
    assert result.stderr.count("\n") == 1
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Source)) == 0
