"""How a code's colour (``qualcode.colours``) is drawn: highlights are the colour blended into a
dark background so that the text stays readable whatever colour a researcher picked.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color, blend_rgb
from rich.color_triplet import ColorTriplet
from rich.style import Style

_BACKGROUND = ColorTriplet(30, 30, 30)


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
