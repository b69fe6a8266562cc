"""A colour per code: its own ``Code.colour`` when set, else a stable colour from a palette.

Colours typed by a user are read as CSS colour names or hex (``red`` is ``#ff0000``) and stored as
``#rrggbb``. The palette colour depends on the code's id only, so a code keeps its colour across
sessions, renames and machines. How a colour is drawn on screen is the TUI's business
(``qualcode.tui.colours``).
"""

from __future__ import annotations

import re

PALETTE = (
    "#e6194b",
    "#3cb44b",
    "#ffe119",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#42d4f4",
    "#f032e6",
    "#bfef45",
    "#fabed4",
    "#469990",
    "#dcbeff",
    "#9a6324",
    "#fffac8",
    "#aaffc3",
    "#808000",
)
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def _css_names() -> dict[str, str]:
    from matplotlib.colors import CSS4_COLORS  # the 148 CSS colour names, as #RRGGBB

    return {name: str(value) for name, value in CSS4_COLORS.items()}


def is_colour(value: str) -> bool:
    """Whether ``value`` is a colour: a CSS name (``teal``), ``#rgb`` or ``#rrggbb``."""
    value = value.strip()
    return bool(_HEX.match(value)) or value.lower() in _css_names()


def normalise(value: str) -> str:
    """Any colour :func:`is_colour` accepts as ``#rrggbb`` (what Code.colour stores)."""
    value = value.strip()
    if not _HEX.match(value):
        value = _css_names()[value.lower()]
    if len(value) == 4:
        value = "#" + "".join(2 * c for c in value[1:])
    return value.lower()


def code_colour(code_id: int, colour: str | None) -> str:
    """The colour a code is shown in: its own when valid, else its palette colour."""
    if colour and is_colour(colour):
        return normalise(colour)
    return PALETTE[code_id % len(PALETTE)]
