"""`qualcode demo --no-tui`: the example project built from examples/ and the thesis codebook."""

from __future__ import annotations

from sqlalchemy import func, select

from qualcode import demo, open_project
from qualcode.models import Code, Coder, Coding, Excerpt, Participant, Source


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_demo_builds_the_thesis_project_and_prints_the_theme_table(cli, db_url):
    result = cli("demo", "--no-tui", "--db", db_url)
    assert result.exit_code == 0, result.stderr
    assert "9 participants, 9 sources, 192 codes, 192 codings by Thesis team" in result.stdout
    assert "Themes (reported counts)" in result.stdout
    assert "Human Trafficking" in result.stdout
    assert "499" in result.stdout  # the sum of the reported counts
    assert "556 code applications" in result.stdout  # the funnel note
    with open_project(db_url) as project, project.session(write=False) as s:
        assert _count(s, Participant) == 9
        assert _count(s, Source) == 9
        sources = s.scalars(select(Source)).all()
        assert all(src.kind == "interview" and src.participant is not None for src in sources)
        assert {src.participant.pseudonym for src in sources} == {
            f"Expert {x}" for x in "ABCDEFGHI"
        }
        quoted = s.scalar(select(func.count()).where(Code.example_quote.is_not(None)))
        assert _count(s, Coding) == quoted == 192
        assert s.scalars(select(Coder.name)).all() == ["Thesis team"]
        zoom = s.scalars(select(Participant.pseudonym).where(Participant.mode == "Zoom")).all()
        assert sorted(zoom) == ["Expert C", "Expert E", "Expert F", "Expert H", "Expert I"]


def test_every_coding_covers_its_codes_quote_in_its_experts_notes(cli, db_url):
    assert cli("demo", "--no-tui", "--db", db_url).exit_code == 0
    with open_project(db_url) as project, project.session(write=False) as s:
        rows = s.execute(
            select(Code, Excerpt)
            .join(Coding, Coding.code_id == Code.id)
            .join(Excerpt, Excerpt.id == Coding.excerpt_id)
        ).all()
        assert len(rows) == 192
        for code, excerpt in rows:
            assert excerpt.text == code.example_quote
            assert excerpt.source.participant_id == code.example_participant_id
        # one passage carries two codes (lines 833-834 print the same quote)
        assert _count(s, Excerpt) == 191


def test_demo_sources_are_segmented_as_imported_ones_so_addresses_work(cli, db_url):
    """The demo's notes have paragraphs and sentences, as `qualcode import` stores them: the
    workbench, `sources show`, `code SOURCE:pN` and the appendix's sentence rule need them."""
    assert cli("demo", "--no-tui", "--db", db_url).exit_code == 0
    shown = cli("sources", "show", "Expert A notes", "--format", "csv", "--db", db_url)
    assert shown.exit_code == 0, shown.stderr
    assert '\np4,505,676,"in Kazakhstan, in order to somehow relieve the burden' in shown.stdout
    coded = cli("code", "Expert A notes:p7", "Recovery of patterns", "--db", db_url)
    assert coded.exit_code == 0, coded.stderr
    assert "[1236-1283]" in coded.stdout
    with open_project(db_url) as project, project.session(write=False) as s:
        assert all(src.language == "en" for src in s.scalars(select(Source)))


def test_demo_rebuilds_fresh_each_time(cli, db_url):
    assert cli("demo", "--no-tui", "--db", db_url).exit_code == 0
    assert cli("codebook", "rename", "Dactyloscopy", "Fingerprints").exit_code == 0
    again = cli("demo", "--no-tui", "--db", db_url)
    assert again.exit_code == 0, again.stderr
    with open_project(db_url) as project, project.session(write=False) as s:
        assert _count(s, Participant) == 9
        assert _count(s, Coding) == 192
        assert s.scalar(select(Code.id).where(Code.name == "Dactyloscopy")) is not None


def test_demo_refuses_to_replace_a_project_that_is_not_a_demo(cli, db_url, tmp_path):
    assert cli("init").exit_code == 0
    notes = tmp_path / "notes.txt"
    notes.write_text("Kazakhstan is a transit country.", encoding="utf-8")
    assert cli("import", notes).exit_code == 0
    result = cli("demo", "--no-tui", "--db", db_url)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"qualcode: error: {db_url}: holds a project that is not the demo; give another --db"
    ]
    with open_project(db_url) as project, project.session(write=False) as s:
        assert s.scalars(select(Source.title)).all() == ["notes"]
        assert _count(s, Code) == 0


def test_each_quote_is_found_as_its_own_paragraph_first():
    text = "intro mentions The UK in passing\n\nThe UK\n"
    assert demo.find_quote(text, "The UK") == (34, 40)
    assert demo.find_quote("no paragraph: The UK here", "The UK") == (14, 20)
    assert demo.find_quote("nothing", "The UK") is None
