"""A small, fixed project for the workbench tests: two participants, two sources, a codebook."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode import codebook, coding, lookup
from qualcode.db import Project
from qualcode.models import Participant
from qualcode.sources import SourceOptions, add_source, import_text

INTERVIEW = (
    "Most of my family moved to Almaty in the nineties. My father worked on building sites "
    "and sent money home every month.\n\n"
    "At school we switched to Kazakh. Some teachers did not speak it well, so lessons were "
    "mixed. The new language policy was felt in every classroom.\n\n"
    "Later I went to Russia for seasonal work. The pay was better, but the paperwork never "
    "ended! Now I think about coming back for good."
)
LAW = (
    "Article 1. This law regulates the entry and stay of foreign workers.\n"
    "Article 2. Employers shall register every contract within ten days."
)


@dataclass(frozen=True)
class Fixture:
    interview_id: int
    law_id: int
    remittances_id: int
    labour_id: int
    language_id: int
    return_id: int
    economy_id: int
    money_id: int


def build(project: Project) -> Fixture:
    """Fill an empty project; the interview is segmented by spaCy, the law is not (fallback)."""
    with project.session() as session:
        session.add_all(
            [
                Participant(pseudonym="Expert A", organisation="NGO", position=1),
                Participant(pseudonym="Expert B", organisation="University", position=2),
            ]
        )
    interview_id = import_text(
        project,
        INTERVIEW,
        title="Interview Expert A",
        options=SourceOptions(participant="Expert A"),
    )
    with project.session() as session:
        law = add_source(
            session, LAW, title="Migration law", options=SourceOptions(kind="document")
        )
        coder = lookup.coder(session, "Aigerim")
        remittances = codebook.create_code(session, "Remittances", definition="Money sent home")
        labour = codebook.create_code(session, "Labour migration", colour="#4363d8")
        language = codebook.create_code(session, "Language policy")
        returning = codebook.create_code(session, "Return migration")
        economy = codebook.create_theme(session, "Economy")
        money = codebook.create_theme(session, "Money flows", parent=economy)
        codebook.assign_code(session, labour, economy)
        codebook.assign_code(session, remittances, money)
        start = INTERVIEW.index("My father")
        end = INTERVIEW.index("every month.") + len("every month.")
        target = coding.Target(interview_id, start, end)
        coding.apply_code(session, target, remittances, coder)
        coding.apply_code(session, target, labour, coder)
        start = INTERVIEW.index("The new language")
        end = INTERVIEW.index("classroom.") + len("classroom.")
        coding.apply_code(session, coding.Target(interview_id, start, end), language, coder)
        return Fixture(
            interview_id,
            law.id,
            remittances.id,
            labour.id,
            language.id,
            returning.id,
            economy.id,
            money.id,
        )
