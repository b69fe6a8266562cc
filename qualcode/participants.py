"""Participants (interviewees) and their attributes, from the CSV a thesis keeps as Appendix A.

Known columns fill the participant's fields; any other column becomes a case variable (attribute)
such as profession. A malformed file is refused whole, naming its row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from qualcode import events
from qualcode.errors import InputError
from qualcode.formats.inert import from_csv_cell
from qualcode.models import Participant, ParticipantAttribute
from qualcode.names import fold

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project

ALIASES = {
    "pseudonym": "pseudonym",
    "name": "pseudonym",
    "participant": "pseudonym",
    "date": "interview_date",
    "interview_date": "interview_date",
    "organisation": "organisation",
    "organization": "organisation",
    "role": "role",
    "location": "location",
    "mode": "mode",
}
DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%d.%m.%Y", "%d/%m/%Y", "%b %d, %Y")


def parse_date(text: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def format_date(value: dt.date | None) -> str:
    """Dates as Appendix A prints them: 'April 11, 2024'."""
    return f"{value:%B} {value.day}, {value.year}" if value else ""


def read_csv(path: Path) -> list[dict[str, object]]:
    """Rows of participant fields plus an ``attributes`` dict; InputError names row and column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte at offset {exc.start})") from None
    try:
        reader = csv.DictReader(text.splitlines(), strict=True)
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    columns = [h.strip() for h in header]
    if not any(ALIASES.get(c.lower()) == "pseudonym" for c in columns):
        raise InputError(f"{path}: no 'pseudonym' (or 'name') column in the header")
    if len(set(c.lower() for c in columns)) != len(columns) or "" in columns:
        raise InputError(f"{path}: the header has empty or repeated column names")
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            if None in raw:
                raise InputError(f"{path}: row {number} has more cells than the header")
            if all(not (v or "").strip() for v in raw.values()):
                continue
            attributes: dict[str, str] = {}
            row: dict[str, object] = {"attributes": attributes}
            for column, value in zip(columns, raw.values(), strict=True):
                value = from_csv_cell((value or "").strip())
                field = ALIASES.get(column.lower())
                if field is None:
                    if value:
                        attributes[column] = value
                elif field == "interview_date" and value:
                    try:
                        row[field] = parse_date(value)
                    except ValueError:
                        raise InputError(
                            f"{path}: row {number}, column {column!r}: "
                            f"{value!r} is not a date (use 2024-04-11 or 'April 11, 2024')"
                        ) from None
                else:
                    row[field] = value or None
            pseudonym = row.get("pseudonym")
            if not pseudonym:
                raise InputError(f"{path}: row {number}: the pseudonym is empty")
            if fold(str(pseudonym)) in seen:
                raise InputError(
                    f"{path}: row {number}: pseudonym {pseudonym!r} repeats row "
                    f"{seen[fold(str(pseudonym))]}"
                )
            seen[fold(str(pseudonym))] = number
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    return rows


def create(session: Session, pseudonym: str, position: int) -> Participant:
    """A participant with no details yet (a codebook's quote names them); undoable."""
    participant = Participant(pseudonym=pseudonym, position=position)
    session.add(participant)
    session.flush()
    events.PARTICIPANT_CREATE.log(
        session,
        None,
        {
            "participant_id": participant.id,
            "guid": participant.guid,
            "pseudonym": pseudonym,
            "position": position,
        },
    )
    return participant


def _create_undo(session: Session, p: events.ParticipantCreated) -> None:
    session.execute(delete(Participant).where(Participant.id == p["participant_id"]))


def _create_redo(session: Session, p: events.ParticipantCreated) -> None:
    session.add(
        Participant(
            id=p["participant_id"], guid=p["guid"], pseudonym=p["pseudonym"], position=p["position"]
        )
    )
    session.flush()


events.undoable(events.PARTICIPANT_CREATE, undo=_create_undo, redo=_create_redo)


def upsert(session: Session, row: dict[str, object], position: int) -> tuple[Participant, bool]:
    """Create or update one participant from a row of ``read_csv``; True when created."""
    from qualcode.lookup import find_participant

    found = find_participant(session, str(row["pseudonym"]))
    created = found is None
    participant = found or Participant(pseudonym=str(row["pseudonym"]), position=position)
    if created:
        session.add(participant)
    for field in ("organisation", "role", "interview_date", "location", "mode"):
        if field in row:
            setattr(participant, field, row[field])
    existing = {fold(a.name): a for a in participant.attributes}
    for name, value in cast(dict[str, str], row["attributes"]).items():
        if fold(name) in existing:
            existing[fold(name)].value = value
        else:
            participant.attributes.append(ParticipantAttribute(name=name, value=value))
    session.flush()
    return participant, created


def import_csv(project: Project, path: Path) -> tuple[int, int]:
    """Import or update participants from a CSV, all or nothing: (created, updated)."""
    rows = read_csv(path)

    def work(session: Session) -> tuple[int, int]:
        start = len(session.scalars(select(Participant.id)).all())
        created = 0
        for offset, row in enumerate(rows, start=1):
            _, new = upsert(session, row, start + offset)
            created += new
        return created, len(rows) - created

    return project.transaction(work)


def table(project: Project) -> pd.DataFrame:
    """Participants as Appendix A lists them (Date, Name, Organisation, Location), plus mode,
    role and every attribute as further columns."""
    import pandas as pd

    with project.session(write=False) as session:
        people = session.scalars(
            select(Participant)
            .options(selectinload(Participant.attributes))
            .order_by(Participant.position, Participant.id)
        ).all()
        rows = []
        for p in people:
            row = {
                "Date": format_date(p.interview_date),
                "Name": p.pseudonym,
                "Organisation": p.organisation or "",
                "Location": p.location or "",
                "Mode": p.mode or "",
                "Role": p.role or "",
            }
            row.update({a.name: a.value or "" for a in p.attributes})
            rows.append(row)
    columns = ["Date", "Name", "Organisation", "Location", "Mode", "Role"]
    df = pd.DataFrame(rows, columns=None if rows else columns)
    for optional in ("Mode", "Role"):
        if optional in df and not df[optional].astype(bool).any():
            df = df.drop(columns=optional)
    return df.fillna("")
