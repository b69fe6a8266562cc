"""A codebook as plain data: what a codebook file parses into and what a project's codebook
reads back as. Standard library only, so that reading a file and the light import path
(qualcode.codebook_light) load no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The statuses a code can have (the models' check constraint is built from the same tuple).
CODE_STATUSES = ("active", "excluded", "merged")
# A printed codebook's heading for a theme is kept as a memo on the theme with this title.
HEADING_MEMO = "Printed heading"


@dataclass
class ThemeEntry:
    name: str
    parent: str | None = None
    description: str | None = None
    heading: str | None = None


@dataclass
class CodeEntry:
    name: str
    themes: list[str] = field(default_factory=list)
    count: int | None = None
    status: str = "active"
    reason: str | None = None
    merged_into: str | None = None
    reconstructed: bool = False
    participant: str | None = None
    quote: str | None = None
    definition: str | None = None
    parent: str | None = None
    colour: str | None = None
    provenance: str | None = None
    excerpt: str | None = None  # the chosen example's address, SOURCE:START-END


@dataclass
class Codebook:
    """A codebook as plain data: themes in tree order (parents first), codes in codebook order."""

    themes: list[ThemeEntry] = field(default_factory=list)
    codes: list[CodeEntry] = field(default_factory=list)

    def children(self, parent: str | None) -> list[ThemeEntry]:
        return [t for t in self.themes if t.parent == parent]


@dataclass
class ImportSummary:
    codes_created: int = 0
    codes_updated: int = 0
    themes_created: int = 0
    participants_created: int = 0

    def __str__(self) -> str:
        return (
            f"{self.codes_created} codes created, {self.codes_updated} updated, "
            f"{self.themes_created} themes created, "
            f"{self.participants_created} participants created"
        )
