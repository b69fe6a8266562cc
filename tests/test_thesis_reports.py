"""`qualcode report themes --counts reported` and `report funnel` on the imported thesis codebook
reproduce the figures of Appendix B counted by hand in codebooks/README.md."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

from qualcode.formats import codebook_files

ROOT = Path(__file__).resolve().parent.parent
THESIS_YAML = ROOT / "codebooks" / "thesis-appendix-b.yaml"

# theme -> (codes, sum of counts); a main theme rolls up its sub-themes (codebooks/README.md)
EXPECTED = {
    "Evolving Migration Trends": ("", 87, 226),
    "Characteristics of Migration": ("Evolving Migration Trends", 8, 28),
    "Reasons for movement": ("Evolving Migration Trends", 32, 69),
    "Specific Migrant Origins and Destinations": ("Evolving Migration Trends", 27, 66),
    "Impact of immigration of foreigners": ("Evolving Migration Trends", 3, 7),
    "Recent Policies and Enhancements": ("", 19, 95),
    "Disadvantages of Kazakhstan's migration management": ("", 79, 158),
    "Human Trafficking": ("", 7, 20),
    "Total": ("", 192, 499),
}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _quoted_participants() -> dict[str, int]:
    """Distinct experts quoted per theme (rolled up), computed from the YAML itself."""
    book = codebook_files.load(THESIS_YAML)
    parent = {t.name: t.parent for t in book.themes}
    who: dict[str, set[str]] = defaultdict(set)
    for code in book.codes:
        for theme in code.themes:
            who[theme].add(code.participant)
            if parent[theme]:
                who[parent[theme]].add(code.participant)
        who["Total"].add(code.participant)
    return {k: len(v) for k, v in who.items()}


def test_report_themes_reported_reproduces_the_appendix_figures(cli):
    assert cli("init").exit_code == 0
    assert cli("codebook", "import", THESIS_YAML).exit_code == 0
    result = cli("report", "themes", "--counts", "reported", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = _rows(result.stdout)
    figures = {r["theme"]: (r["parent"], int(r["codes"]), int(r["count"])) for r in rows}
    assert figures == EXPECTED
    assert list(figures) == list(EXPECTED)
    people = _quoted_participants()
    assert {r["theme"]: int(r["participants"]) for r in rows} == people
    # the section "Migration Trends and Patterns" holds 4.1's own codes: 17 codes, sum 56
    subs = [v for v in EXPECTED.values() if v[0] == "Evolving Migration Trends"]
    own = EXPECTED["Evolving Migration Trends"]
    assert (own[1] - sum(s[1] for s in subs), own[2] - sum(s[2] for s in subs)) == (17, 56)


def test_report_funnel_sets_the_thesis_figures_beside_the_table(cli):
    assert cli("init").exit_code == 0
    assert cli("codebook", "import", THESIS_YAML).exit_code == 0
    result = cli("report", "funnel", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    stages = {r["stage"]: r for r in _rows(result.stdout)}
    reported = stages["code applications (sum of reported counts)"]
    assert (reported["project"], reported["thesis"]) == ("499", "556")
    assert (stages["codes used (active)"]["project"], stages["codes used (active)"]["thesis"]) == (
        "192",
        "197",
    )
    assert stages["unique codes (not merged)"]["thesis"] == "226"
