"""Team coding: blind mode, the reconciliation report, and races between coders' sessions."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode import events, team
from qualcode.models import Code, Coding

NOTES = (
    "Expert A said the brain drain began in the nineties. "
    "Remittances paid for the new house. "
    "The ministry digitalised the visa process in 2019."
)


@pytest.fixture
def notes(cli, tmp_path: Path) -> Path:
    path = tmp_path / "expert-a.txt"
    path.write_text(NOTES, encoding="utf-8")
    assert cli("import", path).exit_code == 0
    return path


def code(cli, target: str, name: str, coder: str) -> None:
    result = cli("code", target, name, "--coder", coder)
    assert result.exit_code == 0, result.stderr


def visible(project, coder) -> list[tuple[str, str]]:
    with project.session(write=False) as session:
        query = (
            select(Code.name, Coding.coder_id)
            .join(Code, Code.id == Coding.code_id)
            .where(team.visible_codings_clause(session, coder))
        )
        return sorted((name, str(cid)) for name, cid in session.execute(query))


def test_in_blind_mode_a_coder_sees_only_their_own_codings(cli, project, notes):
    code(cli, "expert-a:0-52", "Brain drain", "Ann")
    code(cli, "expert-a:0-52", "Migration", "Bob")
    assert len(visible(project, "Ann")) == 2  # reconcile is the default: all visible
    assert cli("team", "mode", "blind").exit_code == 0
    assert [name for name, _ in visible(project, "Ann")] == ["Brain drain"]
    assert [name for name, _ in visible(project, "bob")] == ["Migration"]
    assert visible(project, "Newcomer") == []
    assert len(visible(project, None)) == 2  # a whole-project view (reports) sees all
    with project.session(write=False) as session:
        assert len(session.scalars(team.visible_codings(session, "Ann")).all()) == 1
    assert cli("team", "mode", "reconcile").exit_code == 0
    assert len(visible(project, "Ann")) == 2


def test_reports_in_blind_mode_count_only_the_coders_own_codings(cli, project, notes):
    from qualcode import reports

    code(cli, "expert-a:0-52", "Brain drain", "Ann")
    code(cli, "expert-a:0-52", "Brain drain", "Bob")
    code(cli, "expert-a:53-88", "Remittances", "Bob")

    def counts_for(coder):
        with project.session(write=False) as session:
            coders = team.report_coders(session, coder, ("Ann", "Bob"))
        df = reports.codes(project, reports.Filters(coders=coders))
        return dict(zip(df["code"], df["count"], strict=True))

    assert counts_for("Ann") == {"Brain drain": 2, "Remittances": 1}
    assert cli("team", "mode", "blind").exit_code == 0
    assert counts_for("Ann") == {"Brain drain": 1}
    assert counts_for(None) == {"Brain drain": 2, "Remittances": 1}


def test_team_status_shows_the_mode_and_each_coder(cli, project, notes):
    code(cli, "expert-a:0-52", "Brain drain", "Ann")
    code(cli, "expert-a:53-88", "Remittances", "Ann")
    code(cli, "expert-a:0-52", "Brain drain", "Bob")
    assert cli("team", "mode", "blind", "--coder", "Ann").exit_code == 0
    result = cli("team", "status", "--format", "csv")
    assert result.exit_code == 0
    assert "team mode: blind" in result.stderr
    rows = {r["coder"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert (rows["Ann"]["codings"], rows["Bob"]["codings"]) == ("2", "1")
    assert rows["Ann"]["sources"] == "1"


def test_an_unknown_mode_is_refused(cli, project):
    result = cli("team", "mode", "secret")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "qualcode: error: team mode must be one of blind, reconcile, not 'secret'"
    )
    with project.session(write=False) as session:
        assert team.mode(session) == "reconcile"


def test_switching_mode_can_be_undone(project):
    project.transaction(lambda s: team.set_mode(s, "blind"))
    project.transaction(lambda s: events.undo(s))
    with project.session(write=False) as session:
        assert team.mode(session) == "reconcile"


def test_reconciliation_lists_codes_one_coder_applied_and_another_did_not(cli, project, notes):
    code(cli, "expert-a:0-52", "Brain drain", "Ann")  # both agree: not listed
    code(cli, "expert-a:0-52", "Brain drain", "Bob")
    code(cli, "expert-a:53-88", "Remittances", "Ann")  # Bob never used it here
    code(cli, "expert-a:89-139", "Digitalisation", "Bob")  # both, on overlapping ranges
    code(cli, "expert-a:93-120", "Digitalisation", "Ann")
    result = cli("team", "reconcile", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    got = [
        (r["start"], r["end"], r["code"], r["coded_by"], r["not_coded_by"], r["other_ranges"])
        for r in rows
    ]
    assert got == [
        ("53", "88", "Remittances", "Ann", "Bob", ""),
        ("89", "139", "Digitalisation", "Bob", "", "Ann 93-120"),
        ("93", "120", "Digitalisation", "Ann", "", "Bob 89-139"),
    ]
    assert rows[0]["text"] == "Remittances paid for the new house."


def test_reconciliation_is_refused_in_blind_mode_unless_forced(cli, project, notes):
    code(cli, "expert-a:53-88", "Remittances", "Ann")
    code(cli, "expert-a:0-52", "Brain drain", "Bob")
    assert cli("team", "mode", "blind").exit_code == 0
    refused = cli("team", "reconcile")
    assert refused.exit_code == 1
    assert "blind mode" in refused.stderr
    forced = cli("team", "reconcile", "--force", "--format", "csv")
    assert forced.exit_code == 0
    assert len(list(csv.DictReader(io.StringIO(forced.stdout)))) == 2


def test_excluded_codes_are_not_disagreements(cli, project, notes):
    code(cli, "expert-a:53-88", "Remittances", "Ann")
    code(cli, "expert-a:0-52", "Brain drain", "Bob")
    with project.session() as session:
        excluded = session.scalar(select(Code).where(Code.name == "Remittances"))
        excluded.status, excluded.status_reason = "excluded", "out of scope"
    rows = team.disagreements(project)
    assert rows["code"].tolist() == ["Brain drain"]


def test_two_sessions_creating_the_same_code_at_once_both_get_it(project, notes):
    """The second session waits on the first (lock or unique index), then reuses its code."""
    first_created = threading.Event()
    may_commit = threading.Event()
    ids: dict[str, int] = {}

    def first() -> None:
        with project.session() as session:
            ids["first"] = team.ensure_code(session, "Shared idea").id
            first_created.set()
            may_commit.wait(10)

    def second() -> None:
        first_created.wait(10)
        ids["second"] = project.transaction(lambda s: team.ensure_code(s, "shared IDEA").id)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    threading.Timer(0.5, may_commit.set).start()
    for thread in threads:
        thread.join(20)
    assert ids["first"] == ids["second"]
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Code)) == 1
