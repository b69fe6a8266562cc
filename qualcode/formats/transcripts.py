"""WebVTT (.vtt) and SubRip (.srt) transcripts as text: one paragraph per speaker turn.

Cues are read in order; consecutive cues of one speaker (a ``<v Name>`` voice tag, or a
``Name:`` label at the start of the cue text) are joined into one turn, which becomes one
paragraph ``[HH:MM:SS] Name: words``: the timestamp of the turn's first cue is kept in the text,
and the speaker label is what ``qualcode.turns`` recognises. A malformed timestamp is refused
with its line, so no transcript is stored half read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import InputError

SUFFIXES = (".vtt", ".srt")
_TIME = r"(?:(\d{1,2}):)?(\d{2}):(\d{2})[.,](\d{3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_LOOKS_TIMED = re.compile(r"-->")
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_LABEL = re.compile(r"^\s*(?P<name>[^\W\d_][\w .'’-]{0,40}?)\s*:\s+(?P<rest>.*)$")


@dataclass
class Cue:
    line: int
    start: str  # HH:MM:SS
    speaker: str | None
    text: str


def _clock(match: re.Match[str], first: int) -> str:
    hours, minutes, seconds = match.group(first) or "0", match.group(first + 1), match[first + 2]
    if int(minutes) > 59 or int(seconds) > 59:
        raise ValueError
    return f"{int(hours):02d}:{minutes}:{seconds}"


def _timing(path: Path, number: int, line: str) -> str:
    match = _TIMING.match(line)
    try:
        if match is None:
            raise ValueError
        _clock(match, 5)  # the end must be a time too
        return _clock(match, 1)
    except ValueError:
        raise InputError(
            f"{path}: line {number}: malformed timestamp {line.strip()!r} "
            "(expected HH:MM:SS.mmm --> HH:MM:SS.mmm)"
        ) from None


def _cue_text(lines: list[str]) -> tuple[str | None, str]:
    joined = " ".join(line.strip() for line in lines if line.strip())
    voice = _VOICE.search(joined)
    speaker = voice.group(1).strip() if voice else None
    words = " ".join(_TAG.sub("", joined).split())
    if speaker is None and (label := _LABEL.match(words)):
        speaker, words = label["name"].strip(), label["rest"].strip()
    return speaker, words


def read_cues(path: Path, text: str) -> list[Cue]:
    """The cues of a .vtt or .srt text, in order."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    vtt = path.suffix.lower() == ".vtt"
    if vtt and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise InputError(f"{path}: line 1: not a WebVTT file (it must start with WEBVTT)")
    cues: list[Cue] = []
    number = 1 if vtt else 0
    while number < len(lines):
        line = lines[number]
        if not line.strip():
            number += 1
            continue
        block_start = number
        block = []
        while number < len(lines) and lines[number].strip():
            block.append(lines[number])
            number += 1
        if vtt and block[0].split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        timing_at = next((i for i, b in enumerate(block) if _LOOKS_TIMED.search(b)), None)
        if timing_at is None or timing_at > 1:
            raise InputError(
                f"{path}: line {block_start + 1}: a cue without a timing line "
                "(expected HH:MM:SS.mmm --> HH:MM:SS.mmm)"
            )
        start = _timing(path, block_start + timing_at + 1, block[timing_at])
        speaker, words = _cue_text(block[timing_at + 1 :])
        if words:
            cues.append(Cue(block_start + 1, start, speaker, words))
    if not cues:
        raise InputError(f"{path}: no cues with text")
    return cues


def to_text(path: Path, text: str) -> str:
    """The transcript as paragraphs, one per speaker turn: ``[HH:MM:SS] Name: words``."""
    turns: list[list] = []
    for cue in read_cues(path, text):
        if turns and cue.speaker == turns[-1][1] and cue.speaker is not None:
            turns[-1][2].append(cue.text)
        else:
            turns.append([cue.start, cue.speaker, [cue.text]])
    paragraphs = []
    for start, speaker, words in turns:
        said = " ".join(words)
        paragraphs.append(f"[{start}] {speaker}: {said}" if speaker else f"[{start}] {said}")
    return "\n\n".join(paragraphs) + "\n"
