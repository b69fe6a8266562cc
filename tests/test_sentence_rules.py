"""Sentences and languages of mixed English, Russian and Kazakh text, with no model and no download.

The cases are the issue's own, from real articles with Kazakh and Russian abstracts and author
blocks: initials, initials after a surname, academic and official abbreviations, quotes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode import languages, nlp, segments, sentence_rules
from qualcode.models import Segment, Setting, Source


def _sentences(text: str, abbreviations: tuple[str, ...] = ()) -> list[str]:
    return [text[s:e] for s, e in sentence_rules.split(text, nlp.paragraphs(text), abbreviations)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "G.N. Nyussupova , Z.K. Kaliaskarova, A.B. Zhumadil , G.K. Kassymova. Abstract here.",
            [
                "G.N. Nyussupova , Z.K. Kaliaskarova, A.B. Zhumadil , G.K. Kassymova.",
                "Abstract here.",
            ],
        ),
        (
            "Г.Н. Нүсіпова, Деловарова Л.Ф. Әл-Фараби атындағы ҚазҰУ, Алматы қ., Қазақстан. "
            "Мақала көші-қон туралы.",
            [
                "Г.Н. Нүсіпова, Деловарова Л.Ф. Әл-Фараби атындағы ҚазҰУ, Алматы қ., Қазақстан.",
                "Мақала көші-қон туралы.",
            ],
        ),
        (
            "Иванов И.И., и.о. доцента, канд. юрид. наук, проф. Петров П.П., МГУ. Статья о миграции.",
            [
                "Иванов И.И., и.о. доцента, канд. юрид. наук, проф. Петров П.П., МГУ.",
                "Статья о миграции.",
            ],
        ),
        (
            "Сейтова А.Б., д.г.д., м.а., т.б. мәселелер, т.с.с. айтылды. Келесі сөйлем.",
            ["Сейтова А.Б., д.г.д., м.а., т.б. мәселелер, т.с.с. айтылды.", "Келесі сөйлем."],
        ),
        (
            "Many left, e.g. Kazakhs and Russians, i.e. Most of them. Smith et al. Found this. "
            "Dostyk Str. 16 is near. Done.",
            [
                "Many left, e.g. Kazakhs and Russians, i.e. Most of them.",
                "Smith et al. Found this.",
                "Dostyk Str. 16 is near.",
                "Done.",
            ],
        ),
        (
            "Офис на ул. Абая, г. Алматы. Проф. Иванов приехал. Уехал в 2015 г. Потом вернулся.",
            [
                "Офис на ул. Абая, г. Алматы.",
                "Проф. Иванов приехал.",
                "Уехал в 2015 г. Потом вернулся.",
            ],
        ),
    ],
)
def test_initials_and_abbreviations_stay_inside_a_sentence(text: str, expected: list[str]):
    assert _sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Salaries grew. Rents grew faster! Why? Nobody knows…", 4),
        ("Зарплаты выросли. Аренда выросла быстрее! Почему? Никто не знает…", 4),
        ("Жалақы өсті. Жалдау ақысы тез өсті! Неге? Ешкім білмейді…", 4),
        ("It rose in 2015. 2016 was worse. Apples, pears etc. The end.", 4),
        ("Алма, алмұрт т.б. Олар арзан. Яблоки и т.д. Потом груши.", 4),
        ("1. Introduction comes first. 2. Methods follow.", 2),
        ("Salaries grew.Now they fall.", 2),
    ],
)
def test_ordinary_sentence_ends_still_split(text: str, expected: int):
    assert len(_sentences(text)) == expected


def test_quotes_and_brackets_stay_with_their_sentence():
    text = (
        'Rent is 300,000 rubles. "Apartment rental prices have skyrocketed!" '
        "«Бағалар өсті.» (See Table 2.) “Quoted again.” Done."
    )
    assert _sentences(text) == [
        "Rent is 300,000 rubles.",
        '"Apartment rental prices have skyrocketed!"',
        "«Бағалар өсті.»",
        "(See Table 2.)",
        "“Quoted again.”",
        "Done.",
    ]
    for sentence in _sentences(text):
        assert sentence.count('"') % 2 == 0


def test_a_projects_own_abbreviations():
    text = "Office in Almaty obl. Karasai district. Next."
    assert len(_sentences(text)) == 3
    assert _sentences(text, ("obl.",)) == ["Office in Almaty obl. Karasai district.", "Next."]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Migration from Kazakhstan grew after 2014.", "en"),
        ("Миграция из Казахстана выросла после 2014 года.", "ru"),
        ("Қазақстаннан көші-қон 2014 жылдан кейін өсті.", "kk"),
        ("Статья автора Нүсіпова о миграции и о рынке труда в регионе.", "ru"),
        ("2014–2020", "kk"),  # no letters: the paragraph before's language
    ],
)
def test_each_paragraph_language_by_its_letters(text: str, language: str):
    assert languages.detect(text, previous="kk") == language


MIXED = (
    "Migration and the labour market. G.N. Nyussupova, e.g. in Almaty.\n\n"
    "Аннотация. Статья посвящена миграции, и.о. доцента Иванов И.И.\n\n"
    "Аңдатпа. Мақала көші-қонға арналған, Алматы қ., т.б. жерлерде Деловарова Л.Ф. жазды.\n\n"
    "Keywords: migration, labour."
)


def test_a_mixed_document_gets_each_paragraphs_language_and_rules():
    found = segments.find(MIXED)
    assert found.languages == ["en", "ru", "kk", "en"]
    assert [MIXED[s:e] for s, e in found.sentences] == [
        "Migration and the labour market.",
        "G.N. Nyussupova, e.g. in Almaty.",
        "Аннотация.",
        "Статья посвящена миграции, и.о. доцента Иванов И.И.",
        "Аңдатпа.",
        "Мақала көші-қонға арналған, Алматы қ., т.б. жерлерде Деловарова Л.Ф. жазды.",
        "Keywords: migration, labour.",
    ]
    assert found.language == "en"
    forced = segments.find(MIXED, "ru")
    assert forced.languages == ["ru"] * 4 and forced.sentences == found.sentences


def test_import_stores_each_paragraphs_language(cli, project, tmp_path: Path):
    path = tmp_path / "article.txt"
    path.write_text(MIXED, encoding="utf-8")
    assert cli("import", path, "--kind", "document").exit_code == 0
    with project.session(write=False) as session:
        rows = session.execute(
            select(Segment.kind, Segment.language).order_by(Segment.start, Segment.kind)
        ).all()
        paragraphs = [lang for kind, lang in rows if kind == "paragraph"]
        assert paragraphs == ["en", "ru", "kk", "en"]
        assert {lang for kind, lang in rows if kind == "sentence"} == {"en", "ru", "kk"}
        assert session.scalar(select(Source.language)) == "en"
    result = cli("code", "article:p3.s1", "Көші-қон", "--coder", "Айгерим")
    assert result.exit_code == 0, result.stderr


def test_forced_language_is_stored_everywhere(cli, project, tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text(MIXED, encoding="utf-8")
    assert cli("import", path, "--language", "kk").exit_code == 0
    with project.session(write=False) as session:
        assert set(session.scalars(select(Segment.language))) == {"kk"}
        assert session.scalar(select(Source.language)) == "kk"


def test_a_projects_abbreviations_file_is_kept_for_later_imports(cli, project, tmp_path: Path):
    words = tmp_path / "abbreviations.txt"
    words.write_text("# our own\nobl.\nауд.\n", encoding="utf-8")
    first = tmp_path / "one.txt"
    first.write_text("Office in Almaty obl. Karasai district. Next.", encoding="utf-8")
    assert cli("import", first, "--abbreviations", words).exit_code == 0
    second = tmp_path / "two.txt"
    second.write_text("Алматы обл. Қарасай ауд. Қаскелең. Келесі.", encoding="utf-8")
    assert cli("import", second).exit_code == 0
    with project.session(write=False) as session:
        assert session.get(Setting, "segments.abbreviations").value == "obl\nауд"
        counts = {
            title: session.scalar(
                select(func_count())
                .select_from(Segment)
                .join(Source)
                .where(Source.title == title, Segment.kind == "sentence")
            )
            for title in ("one", "two")
        }
    assert counts == {"one": 2, "two": 2}


def test_an_unreadable_abbreviations_file_is_one_line(cli, project, tmp_path: Path):
    notes = tmp_path / "one.txt"
    notes.write_text("Text.", encoding="utf-8")
    result = cli("import", notes, "--abbreviations", tmp_path / "missing.txt")
    assert result.exit_code != 0
    assert result.stderr.strip().startswith("qualcode: error: ")
    assert "missing.txt" in result.stderr
    with project.session(write=False) as session:
        assert session.scalar(select(Source)) is None


def func_count():
    from sqlalchemy import func

    return func.count()
