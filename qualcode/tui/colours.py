"""A colour per code: its own ``Code.colour`` when set, else a stable colour from a palette.

Colours typed by a user are read as CSS colours (``red`` is ``#ff0000``). The palette colour
depends on the code's id only, so a code keeps its colour across sessions, renames and machines;
highlights are the colour blended into a dark background so that the text stays readable
whatever colour a researcher picked.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color, blend_rgb
from rich.color_triplet import ColorTriplet
from rich.style import Style
from textual.color import Color as CssColor
from textual.color import ColorParseError as CssColorParseError

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
_BACKGROUND = ColorTriplet(30, 30, 30)


def is_colour(value: str) -> bool:
    """Whether ``value`` is a CSS colour: a name (``teal``), ``#rgb``, ``#rrggbb``, ``rgb(...)``."""
    try:
        CssColor.parse(value.strip())
    except CssColorParseError:
        return False
    return True


def normalise(value: str) -> str:
    """Any CSS colour as ``#rrggbb`` (what Code.colour stores; alpha is dropped)."""
    return CssColor.parse(value.strip()).hex[:7].lower()


def code_colour(code_id: int, colour: str | None) -> str:
    if colour and is_colour(colour):
        return normalise(colour)
    return PALETTE[code_id % len(PALETTE)]


@lru_cache(maxsize=1024)
def highlight(colour: str, stacked: bool = False) -> Style:
    """The style of text coded with a code of ``colour`` (underlined when codes overlap)."""
    triplet = Color.parse(colour).get_truecolor()
    background = Color.from_triplet(blend_rgb(_BACKGROUND, triplet, 0.45))
    return Style(bgcolor=background, underline=stacked)


@lru_cache(maxsize=1024)
def swatch(colour: str) -> Style:
    """The style of a small square showing a code's colour in lists and trees."""
    return Style(color=Color.parse(colour))
