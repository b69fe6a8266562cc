"""One rule for names (NFC + casefold) in every script, on SQLite and PostgreSQL alike.

Russian and Kazakh names beside English ones: the issue's own reproductions, plus the 0002
migration of a populated project whose names collide once folded.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from qualcode import lookup, names, open_project
from qualcode.db import _alembic_config, current_revision, head_revision
from qualcode.errors import InputError, NotFoundError
from qualcode.models import Code, Coder, Coding, Participant, ParticipantAttribute, Source, Theme

pytestmark = pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Brain drain", "BRAIN DRAIN"),
        ("Бюрократия", "бюрократия"),
        ("Әлеуметтік", "ӘЛЕУМЕТТІК"),
        ("Ұлттық қауіпсіздік", "ұЛТТЫҚ ҚАУІПСІЗДІК"),
        ("Straße", "STRASSE"),
        ("Йошкар-Ола", unicodedata.normalize("NFD", "йошкар-ола")),
        ("  Айгерим ", "айгерим"),
    ],
)
def test_spellings_of_one_name_fold_to_one_key(a: str, b: str):
    assert names.fold(a) == names.fold(b)
    assert names.same(a, b)


def test_different_names_stay_different():
    assert names.fold("Қала") != names.fold("Кала")  # қ is its own letter, not к
    assert names.fold("Ұл") != names.fold("Ул")
    assert names.fold("Ёлка") != names.fold("Елка")


def test_did_you_mean_never_suggests_the_name_typed():
    typed = "Интервью"
    assert names.suggestions(typed, ["интервью", "ИНТЕРВЬЮ", "Интервью 2"]) == ["Интервью 2"]
    assert names.did_you_mean("Бюрократия", ["бюрократия"]) == ""


def test_sort_key_keeps_kazakh_letters_after_their_base_letters():
    words = ["ғылым", "жол", "Әке", "үй", "ұлт", "ақша", "Бала", "ёж", "ел", "қала", "кітап", "іс"]
    assert names.sorted_names(words) == [
        "ақша", "Әке", "Бала", "ғылым", "ел", "ёж", "жол", "кітап", "қала", "ұлт", "үй", "іс",
    ]  # fmt: skip
    assert names.sorted_names(["Zeta", "älpha", "alpha", "beta"]) == [
        "alpha", "älpha", "beta", "Zeta",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("model", "field", "first", "second"),
    [
        (Code, "name", "Бюрократия", "бюрократия"),
        (Code, "name", "Әлеуметтік", "ӘЛЕУМЕТТІК"),
        (Theme, "name", "Миграция", "МИГРАЦИЯ"),
        (Coder, "name", "Айгерим", "айгерим"),
        (Participant, "pseudonym", "Айгерим", "АЙГЕРИМ"),
        (Source, "title", "Интервью", "интервью"),
        (Code, "name", "Йод", unicodedata.normalize("NFD", "Йод")),
    ],
)
def test_the_database_refuses_a_second_spelling(project, model, field, first, second):
    extra = {"text": "x"} if model is Source else {}
    with project.session() as session:
        session.add(model(**{field: first}, **extra))
    with pytest.raises(IntegrityError), project.session() as session:
        session.add(model(**{field: second}, **extra))
        session.flush()
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(model)) == 1
        found = lookup.find_named(session, model, second)
        assert found is not None and getattr(found, field) == first


def test_renaming_keeps_the_key_in_step(project):
    with project.session() as session:
        code = Code(name="Бюрократия")
        session.add(code)
        session.flush()
        code.name = "Коррупция"
    with project.session(write=False) as session:
        assert lookup.find_code(session, "КОРРУПЦИЯ") is not None
        assert lookup.find_code(session, "бюрократия") is None


def test_attribute_names_fold_per_participant(project):
    with project.session() as session:
        person = Participant(pseudonym="Айгерим")
        person.attributes.append(ParticipantAttribute(name="Кәсібі", value="заңгер"))
        session.add(person)
    with pytest.raises(IntegrityError), project.session() as session:
        session.add(ParticipantAttribute(participant_id=1, name="КӘСІБІ", value="экономист"))
        session.flush()


def test_a_code_that_collides_after_folding_is_one_line_naming_both(project):
    from qualcode import codebook

    with project.session() as session:
        codebook.create_code(session, "Әлеуметтік")
    with pytest.raises(InputError) as caught, project.session() as session:
        codebook.create_code(session, "ӘЛЕУМЕТТІК")
    message = str(caught.value)
    assert "'ӘЛЕУМЕТТІК'" in message and "'Әлеуметтік'" in message and "\n" not in message


# --- the reproductions, through the CLI ---------------------------------------------


@pytest.fixture
def interview(tmp_path: Path) -> Path:
    path = tmp_path / "Интервью.txt"
    path.write_text(
        "Бюрократия мешает всем. Документы ждут месяцами.\n\n"
        "Әлеуметтік қорғау жоқ. Көшіп-қонушылар көп.",
        encoding="utf-8",
    )
    return path


def test_import_a_cyrillic_file_then_code_it_by_title(cli, project, interview: Path):
    assert cli("import", interview).exit_code == 0
    result = cli("code", "Интервью:s1", "Тест", "--coder", "Айгерим")
    assert result.exit_code == 0, result.output
    result = cli("code", "интервью:s2", "тест", "--coder", "Айгерим")  # other case: same things
    assert result.exit_code == 0, result.output
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Code)) == 1
        assert session.scalar(select(func.count()).select_from(Coder)) == 1
        assert session.scalar(select(func.count()).select_from(Coding)) == 2


def test_a_cyrillic_coder_codes_again_and_again(cli, project, interview: Path):
    cli("import", interview)
    for ref, code in [("Интервью:s1", "Бюрократия"), ("Интервью:s3", "Әлеуметтік")] * 2:
        result = cli("code", ref, code, "--coder", "Айгерим")
        assert result.exit_code == 0, result.output
    result = cli("code", "Интервью:s4", "бюрократия", "--coder", "АЙГЕРИМ")
    assert result.exit_code == 0, result.output
    with project.session(write=False) as session:
        assert names.sorted_names(session.scalars(select(Code.name))) == [
            "Әлеуметтік",
            "Бюрократия",
        ]
        assert session.scalars(select(Coder.name)).all() == ["Айгерим"]


def test_a_missing_source_never_suggests_itself(cli, interview: Path):
    cli("import", interview)
    result = cli("code", "Интервью 2:s1", "Тест")
    assert result.exit_code != 0
    assert "no source 'Интервью 2'" in result.stderr
    assert "did you mean 'Интервью'" in result.stderr
    with_nothing = cli("code", "Сұхбат:s1", "Тест")
    assert "did you mean" not in with_nothing.stderr


def test_participants_differing_in_case_are_one(cli, project, tmp_path: Path):
    sheet = tmp_path / "people.csv"
    sheet.write_text("pseudonym,кәсібі\nАйгерим,заңгер\n", encoding="utf-8")
    assert cli("participants", "import", sheet).exit_code == 0
    again = tmp_path / "again.csv"
    again.write_text("pseudonym,КӘСІБІ\nайгерим,экономист\n", encoding="utf-8")
    assert cli("participants", "import", again).exit_code == 0
    with project.session(write=False) as session:
        people = session.scalars(select(Participant)).all()
        assert [p.pseudonym for p in people] == ["Айгерим"]
        assert [(a.name, a.value) for a in people[0].attributes] == [("кәсібі", "экономист")]
    twice = tmp_path / "twice.csv"
    twice.write_text("pseudonym\nАйгерим\nАЙГЕРИМ\n", encoding="utf-8")
    result = cli("participants", "import", twice)
    assert result.exit_code != 0 and "row 3" in result.stderr


def test_renaming_a_code_onto_another_spelling_is_refused_naming_both(cli, project, interview):
    cli("import", interview)
    cli("code", "Интервью:s1", "Бюрократия")
    cli("code", "Интервью:s2", "Документы")
    result = cli("codebook", "rename", "Документы", "БЮРОКРАТИЯ")
    assert result.exit_code != 0
    line = result.stderr.strip()
    assert line.count("\n") == 0 and "'БЮРОКРАТИЯ'" in line and "'Бюрократия'" in line
    with project.session(write=False) as session:
        assert sorted(session.scalars(select(Code.name))) == ["Бюрократия", "Документы"]


def test_a_title_taken_in_another_case_is_refused(cli, project, interview: Path, tmp_path: Path):
    cli("import", interview)
    other = tmp_path / "ИНТЕРВЬЮ.txt"
    other.write_text("Другой текст.", encoding="utf-8")
    result = cli("import", other)
    assert result.exit_code != 0
    assert "'ИНТЕРВЬЮ'" in result.stderr and "'Интервью'" in result.stderr
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Source)) == 1


# --- migration 0002 on a populated project ------------------------------------------------


def test_migration_keeps_names_that_collide_and_says_so(db_url, capfd):
    project = open_project(db_url, migrate=False)
    with project.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    with project.engine.begin() as conn:
        for i, name in enumerate(["Айгерим", "айгерим", "Ann", "Бекзат"], start=1):
            conn.execute(
                text(
                    "INSERT INTO coders (id, guid, name, created_at) "
                    "VALUES (:i, :g, :n, '2024-01-01')"
                ),
                {"i": i, "g": f"k-{i}", "n": name},
            )
        for i, title in enumerate(["Интервью", "ИНТЕРВЬЮ"], start=1):
            conn.execute(
                text(
                    "INSERT INTO sources (id, guid, title, kind, language, text, created_at, "
                    "updated_at) VALUES (:i, :g, :t, 'interview', 'ru', 'Текст.', "
                    "'2024-01-01', '2024-01-01')"
                ),
                {"i": i, "g": f"s-{i}", "t": title},
            )
    project.close()
    capfd.readouterr()

    upgraded = open_project(db_url)
    err = capfd.readouterr().err
    assert current_revision(upgraded) == head_revision()
    assert "'Айгерим' and 'айгерим'" in err and "'Интервью' and 'ИНТЕРВЬЮ'" in err
    assert "Ann" not in err
    with upgraded.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Coder)) == 4  # both kept
        keys = {name: key for name, key in session.execute(select(Coder.name, Coder.name_key))}
        assert keys == {
            "Айгерим": "айгерим",
            "айгерим": "айгерим #2",
            "Ann": "ann",
            "Бекзат": "бекзат",
        }
        assert lookup.find_coder(session, "айгерим").id == 2  # its exact spelling
        assert lookup.find_coder(session, "АЙГЕРИМ").id == 1
        assert lookup.find_coder(session, "айгерим #2").id == 2
        assert lookup.get_source(session, "ИНТЕРВЬЮ").id == 2
        with pytest.raises(NotFoundError):
            lookup.get_source(session, "Сұхбат")
    with pytest.raises(IntegrityError), upgraded.session() as session:
        session.add(Coder(name="БЕКЗАТ"))
        session.flush()
    upgraded.close()


def test_migration_allows_speaker_turns_with_language_and_speaker(project):
    with project.session() as session:
        source = Source(title="Сұхбат", text="Айгерим: Сәлеметсіз бе.\nБекзат: Hello.")
        session.add(source)
        session.flush()
        session.execute(
            text(
                'INSERT INTO segments (source_id, kind, start, "end", language, speaker) '
                "VALUES (:s, 'turn', 0, 23, 'kk', 'Айгерим')"
            ),
            {"s": source.id},
        )
    with pytest.raises(IntegrityError), project.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO segments (source_id, kind, start, \"end\") VALUES (1, 'line', 0, 2)")
        )
