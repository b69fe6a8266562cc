"""Small hand-built projects whose report figures are worked out by hand in the tests.

Built through the domain functions (codebook, coding, sources), the way a user's actions would.
"""

from __future__ import annotations

from qualcode import codebook, lookup
from qualcode.coding import Target, apply_code
from qualcode.models import Participant, ParticipantAttribute, Segment, Source
from qualcode.sources import SourceOptions, add_source

NOTES = {
    "A notes": ("Expert A", "Labour is short. The war brought people. Visas are easier now."),
    "B notes": ("Expert B", "Salaries are low. Visas take long. Old habits."),
    "C notes": ("Expert C", "The war changed everything. Loose talk."),
    "Law": (None, "Article 1. Visa regime."),
}
PEOPLE = [
    ("Expert A", "NGO", "lawyer"),
    ("Expert B", "Government", "lawyer"),
    ("Expert C", "NGO", "economist"),
]
# (source, phrase or None for the whole text, code, coder)
CODINGS = [
    ("A notes", "Labour is short.", "Labour", "Ann"),
    ("A notes", "The war brought people.", "War", "Ann"),
    ("A notes", "Visas are easier now.", "Visa", "Ann"),
    ("A notes", "Labour is short.", "Labour", "Bob"),
    ("A notes", "Labour is short.", "War", "Bob"),
    ("B notes", "Salaries are low.", "Labour", "Ann"),
    ("B notes", "Visas take long.", "Visa", "Ann"),
    ("B notes", "Old habits.", "Old", "Ann"),
    ("B notes", "Salaries are low.", "Dup", "Bob"),
    ("C notes", "The war changed everything.", "War", "Bob"),
    ("C notes", "Loose talk.", "Loose", "Bob"),
    ("C notes", None, "Labour", "Ann"),
    ("Law", "Visa regime.", "Visa", "Ann"),
]


def place(session, title: str, phrase: str | None) -> Target:
    source = lookup.get_source(session, title)
    if phrase is None:
        return Target(source.id, 0, len(source.text))
    start = source.text.index(phrase)
    return Target(source.id, start, start + len(phrase))


def code_all(session, codings) -> None:
    for title, phrase, code_name, coder_name in codings:
        code = lookup.find_code(session, code_name) or codebook.create_code(session, code_name)
        apply_code(session, place(session, title, phrase), code, lookup.coder(session, coder_name))


def add_people_and_notes(session) -> None:
    for i, (name, org, profession) in enumerate(PEOPLE):
        session.add(
            Participant(
                pseudonym=name,
                organisation=org,
                position=i,
                attributes=[ParticipantAttribute(name="profession", value=profession)],
            )
        )
    session.flush()
    for title, (who, text) in NOTES.items():
        kind = "interview" if who else "document"
        add_source(session, text, title=title, options=SourceOptions(participant=who, kind=kind))


def build_report_project(project) -> None:
    """Themes Trends > Reasons, Policy; six codes, one excluded (Old), one merged (Dup -> Visa),
    one in no theme (Loose); 13 codings by Ann and Bob on three interviews and a document."""
    with project.session() as session:
        add_people_and_notes(session)
        trends = codebook.create_theme(session, "Trends")
        reasons = codebook.create_theme(session, "Reasons", parent=trends)
        policy = codebook.create_theme(session, "Policy")
        code_all(session, CODINGS)
        get = lambda name: lookup.get_code(session, name)  # noqa: E731
        for code, theme in [
            ("Labour", trends),
            ("War", reasons),
            ("Visa", policy),
            ("Old", policy),
            ("Dup", policy),
        ]:
            codebook.assign_code(session, get(code), theme)
        for name, count, who in [
            ("Labour", 5, "Expert A"),
            ("War", 3, "Expert C"),
            ("Visa", 7, "Expert B"),
            ("Old", 2, None),
            ("Dup", 1, None),
        ]:
            code = get(name)
            code.reported_count = count
            if who:
                code.example_participant_id = lookup.get_participant(session, who).id
        codebook.exclude_code(session, get("Old"), "not about migration")
        codebook.merge_codes(session, get("Visa"), get("Dup"))


def add_sentences(session, kind: str = "sentence") -> None:
    """Segment rows for every source: one per sentence ('. '-separated), as segmentation would."""
    for source in session.query(Source).all():
        start = 0
        for piece in source.text.split(". "):
            end = start + len(piece) + (0 if piece.endswith(".") else 1)
            session.add(Segment(source_id=source.id, kind=kind, start=start, end=end))
            start = end + 1
    session.flush()
