"""Inter-coder agreement: hand-computed examples (the arithmetic is written beside each figure)
and cross-checks against the krippendorff package, on SQLite and PostgreSQL."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from qualcode import agreement as ag
from qualcode.models import Participant, Segment
from qualcode.sources import SourceOptions, add_source
from tests.report_projects import code_all


def test_cohen_kappa_of_a_textbook_table():
    a = np.array([1, 1, 0, 0, 1, 0, 1, 1, 0, 1], dtype=float)
    b = np.array([1, 0, 0, 0, 1, 1, 1, 1, 0, 0], dtype=float)
    # agree on 7 of 10: p_o = 0.7; marginals A: 6/10 ones, B: 5/10 ones
    # p_e = 0.6 * 0.5 + 0.4 * 0.5 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    assert ag.cohen_kappa(a, b) == pytest.approx(0.4)
    # alpha: 20 values, n1 = 11, n0 = 9, 3 disagreeing units give o01 = o10 = 3
    # alpha = 1 - (n - 1) * (o01 + o10) / (2 * n0 * n1) = 1 - 19 * 6 / 198 = 14 / 33
    both = np.stack([a, b])
    assert ag.krippendorff_alpha(both) == pytest.approx(14 / 33)
    assert ag.krippendorff_alpha(both) == pytest.approx(
        krippendorff.alpha(reliability_data=both, level_of_measurement="nominal")
    )
    assert ag.percent_agreement(both) == pytest.approx(0.7)


def test_kappa_is_undefined_when_both_coders_never_vary():
    same = np.zeros(5)
    assert np.isnan(ag.cohen_kappa(same, same))
    assert np.isnan(ag.krippendorff_alpha(np.stack([same, same])))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_with_missing_values_matches_the_krippendorff_package(seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 2, size=(4, 40)).astype(float)
    data[rng.random(data.shape) < 0.25] = np.nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert ag.krippendorff_alpha(data) == pytest.approx(expected)


TEXT = "One. Two. Three. Four."


def _sources(session, texts: dict[str, str]) -> None:
    session.add(Participant(pseudonym="Expert A"))
    session.flush()
    for title, text in texts.items():
        add_source(session, text, title=title, options=SourceOptions(participant="Expert A"))


def _sentences(session, title: str, sentences: list[str], kind: str = "sentence") -> None:
    from qualcode import lookup

    source = lookup.get_source(session, title)
    for sentence in sentences:
        start = source.text.index(sentence)
        session.add(Segment(source_id=source.id, kind=kind, start=start, end=start + len(sentence)))


@pytest.fixture
def two_coders(project):
    with project.session() as session:
        _sources(session, {"S1": TEXT, "S2": "Five."})
        code_all(
            session,
            [
                ("S1", "One.", "X", "Ann"),
                ("S1", "Two.", "X", "Ann"),
                ("S1", "Three.", "X", "Ann"),
                ("S1", "One.", "X", "Bob"),
                ("S1", "Three.", "X", "Bob"),
                ("S1", "Four.", "Y", "Bob"),
                ("S1", "Two.", "Y", "Ann"),
                # Bob never read S2: this is no disagreement, Bob's value there is missing
                ("S2", "Five.", "X", "Ann"),
            ],
        )
    return project


def test_agreement_on_excerpts_by_hand(two_coders):
    df = ag.agreement(two_coders).set_index("code")
    # units One, Two, Three, Four (Five: Bob has no value, so it pairs with nothing)
    # X: Ann 1 1 1 0, Bob 1 0 1 0 -> p_o = 3/4; p_e = 3/4*2/4 + 1/4*2/4 = 1/2; kappa = 1/2
    #    alpha: n = 8, n1 = 5, n0 = 3, one disagreement: 1 - 7 * 2 / (2 * 5 * 3) = 8/15
    assert df.loc["X", "units"] == 4
    assert df.loc["X", "coded"] == 3
    assert df.loc["X", "agreement"] == 75.0
    assert df.loc["X", "kappa"] == pytest.approx(0.5)
    assert df.loc["X", "alpha"] == pytest.approx(8 / 15, abs=1e-4)
    # Y: Ann 0 1 0 0, Bob 0 0 0 1 -> p_o = 2/4; p_e = 1/4*1/4 + 3/4*3/4 = 10/16
    #    kappa = (1/2 - 5/8) / (3/8) = -1/3; alpha: n1 = 2, n0 = 6: 1 - 7 * 4 / 24 = -1/6
    assert df.loc["Y", "agreement"] == 50.0
    assert df.loc["Y", "kappa"] == pytest.approx(-1 / 3, abs=1e-4)
    assert df.loc["Y", "alpha"] == pytest.approx(-1 / 6, abs=1e-4)
    # all codes pooled: 8 decisions, Ann 1110 0100, Bob 1010 0001: p_o = 5/8
    # p_e = 4/8 * 3/8 + 4/8 * 5/8 = 1/2; kappa = 1/4; alpha: n1 = 7, n0 = 9, 3 disagreements:
    # 1 - 15 * 6 / (2 * 7 * 9) = 2/7
    assert df.loc[ag.OVERALL, "units"] == 8
    assert df.loc[ag.OVERALL, "agreement"] == 62.5
    assert df.loc[ag.OVERALL, "kappa"] == pytest.approx(0.25)
    assert df.loc[ag.OVERALL, "alpha"] == pytest.approx(2 / 7, abs=1e-4)


def test_three_coders_give_alpha_but_no_kappa_and_match_the_package(two_coders):
    with two_coders.session() as session:
        code_all(
            session,
            [("S1", "One.", "X", "Cy"), ("S1", "Four.", "X", "Cy"), ("S2", "Five.", "X", "Cy")],
        )
    df = ag.agreement(two_coders, codes=["X"]).set_index("code")
    # units in id order: One, Two, Three, Four, Five; rows Ann, Bob, Cy (Bob never read S2)
    data = np.array(
        [
            [1, 1, 1, 0, 1],
            [1, 0, 1, 0, np.nan],
            [1, 0, 0, 1, 1],
        ]
    )
    assert df.loc["X", "units"] == 5
    assert df.loc["X", "kappa"] is None or np.isnan(df.loc["X", "kappa"])
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert df.loc["X", "alpha"] == pytest.approx(expected, abs=1e-4)
    # all ratings equal on One and Five only: 2 of 5 units
    assert df.loc["X", "agreement"] == 40.0


@pytest.fixture
def split_spans(project):
    with project.session() as session:
        _sources(session, {"S3": "Alpha beta. Gamma delta. Epsilon.", "S4": "Only Ann."})
        _sentences(session, "S3", ["Alpha beta.", "Gamma delta.", "Epsilon."])
        _sentences(session, "S4", ["Only Ann."])
        _sentences(session, "S3", ["Alpha beta. Gamma delta. Epsilon."], kind="paragraph")
        code_all(
            session,
            [
                ("S3", "beta. Gamma", "Z", "Ann"),
                ("S3", "Gamma delta.", "Z", "Bob"),
                ("S4", "Only Ann.", "Z", "Ann"),
            ],
        )
    return project


def test_sentence_units_count_overlaps_where_excerpt_units_see_two_different_spans(split_spans):
    # sentences of S3 only (S4 was coded by Ann alone, so it is not compared):
    # Ann's span overlaps sentences 1 and 2: Ann 1 1 0, Bob 0 1 0 -> p_o = 2/3
    # p_e = 2/3*1/3 + 1/3*2/3 = 4/9; kappa = (6/9 - 4/9) / (5/9) = 2/5
    # alpha: n = 6, n1 = 3, n0 = 3, one disagreement: 1 - 5 * 2 / (2 * 3 * 3) = 4/9
    by_sentence = ag.agreement(split_spans, unit="sentence").set_index("code")
    assert by_sentence.loc["Z", "units"] == 3
    assert by_sentence.loc["Z", "agreement"] == pytest.approx(66.7)
    assert by_sentence.loc["Z", "kappa"] == pytest.approx(0.4)
    assert by_sentence.loc["Z", "alpha"] == pytest.approx(4 / 9, abs=1e-4)
    # as excerpts the two spans are two units: Ann 1 0, Bob 0 1 -> p_o = 0, p_e = 1/2, kappa -1
    # alpha: n = 4, n1 = n0 = 2, two disagreements: 1 - 3 * 4 / (2 * 2 * 2) = -1/2
    by_excerpt = ag.agreement(split_spans).set_index("code")
    assert by_excerpt.loc["Z", "units"] == 2
    assert by_excerpt.loc["Z", "kappa"] == pytest.approx(-1.0)
    assert by_excerpt.loc["Z", "alpha"] == pytest.approx(-0.5)
    # one paragraph, both coded it: perfect agreement, but no variation: kappa/alpha undefined
    by_paragraph = ag.agreement(split_spans, unit="paragraph").set_index("code")
    assert by_paragraph.loc["Z", "units"] == 1
    assert by_paragraph.loc["Z", "agreement"] == 100.0
    assert np.isnan(by_paragraph.loc["Z", "kappa"])


def test_agreement_command_prints_csv(two_coders, cli):
    result = cli("agreement --coders Ann,Bob --unit excerpt --format csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "code,units,coded,agreement,kappa,alpha"
    assert lines[1] == "X,4,3,75.0,0.5,0.5333"


@pytest.mark.parametrize(
    "args, message",
    [
        ("--coders Ann", "agreement needs two or more coders with codings; found 1 (Ann)"),
        ("--coders Ann,Zed", "no coder named 'Zed'"),
        ("--unit page", "--unit must be one of excerpt, sentence, paragraph"),
        ("--codes W", "no code named 'W'"),
        ("--unit sentence", "no units to compare: the coders have no sentences"),
    ],
)
def test_agreement_refuses_bad_requests_in_one_line(two_coders, cli, args, message):
    result = cli(f"agreement {args}")
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
