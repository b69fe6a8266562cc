"""The text of a source with its coded passages highlighted, a cursor and a selection.

A line-API widget: the text is wrapped once into (start, end) offset ranges, and only the lines on
screen are drawn, each from the precomputed highlight runs (one style per stretch of text between
coding boundaries). Opening a long interview with thousands of codings therefore costs one sweep
over the codings and one pass over the words, whatever is later scrolled into view.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.tui import bindings
from qualcode.tui.colours import highlight
from qualcode.tui.messages import CursorMoved
from qualcode.tui.units import Units
from qualcode.views import Span

GUTTER = 2


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap into (start, end) ranges; every character but a newline is on a line.

    A line breaks after the last space that fits (the space stays at its end, where it is
    cropped), or mid-word when one word is longer than a line. One ``rfind`` per line, not a
    loop over words, so wrapping a long interview stays cheap.
    """
    width = max(width, 4)
    lines: list[tuple[int, int]] = []
    position, length = 0, len(text)
    while position <= length:
        end_of_line = text.find("\n", position)
        if end_of_line < 0:
            end_of_line = length
        while end_of_line - position > width:
            cut = text.rfind(" ", position, position + width + 1)
            cut = cut + 1 if cut > position else position + width
            lines.append((position, cut))
            position = cut
        lines.append((position, end_of_line))
        position = end_of_line + 1
    return lines


def highlight_runs(spans: Sequence[Span]) -> tuple[list[int], list[int], list[Style]]:
    """Stretches of text with one coding style: the innermost coding's colour, underlined where
    more than one code covers the text."""
    opening: dict[int, list[Span]] = {}
    closing: dict[int, list[Span]] = {}
    for span in spans:
        opening.setdefault(span.start, []).append(span)
        closing.setdefault(span.end, []).append(span)
    points = sorted(opening.keys() | closing.keys())
    active: dict[int, Span] = {}
    starts: list[int] = []
    ends: list[int] = []
    styles: list[Style] = []
    for here, after in itertools.pairwise(points):
        for span in closing.get(here, ()):
            active.pop(span.coding_id, None)
        for span in opening.get(here, ()):
            active[span.coding_id] = span
        if not active:
            continue
        inner = min(active.values(), key=lambda s: (s.end - s.start, -s.start))
        stacked = len({s.code_id for s in active.values()}) > 1
        starts.append(here)
        ends.append(after)
        styles.append(highlight(inner.colour, stacked))
    return starts, ends, styles


class SourceText(ScrollView, can_focus=True):
    """A read-only text view made for selecting what to code."""

    ALLOW_SELECT = False
    BINDINGS: ClassVar[list[BindingType]] = [*bindings.SOURCE_TEXT]
    COMPONENT_CLASSES: ClassVar = {
        "source-text--selection",
        "source-text--cursor",
        "source-text--gutter",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.units = Units([], [])
        self.spans: list[Span] = []
        self.cursor = 0
        self.selection_start: int | None = None
        self._runs: tuple[list[int], list[int], list[Style]] = ([], [], [])
        self._lines: list[tuple[int, int]] = [(0, 0)]
        self._line_starts: list[int] = [0]
        self._wrapped_at = 0
        self._dragging = False

    # --- content ------------------------------------------------------------------------

    def load(self, text: str, spans: Sequence[Span], units: Units) -> None:
        self.text = text.replace("\t", " ")
        self.units = units
        self.cursor, self.selection_start = 0, None
        self._wrapped_at = 0
        self.set_spans(spans)
        self._rewrap()
        first = units.sentences[0] if units.sentences else None
        if first is not None:
            self.select(*first)

    def set_spans(self, spans: Sequence[Span]) -> None:
        """New codings (after an action): only the highlight runs are rebuilt."""
        self.spans = sorted(spans, key=lambda s: (s.start, s.end, s.coding_id))
        self._runs = highlight_runs(self.spans)
        self.refresh()
        self._moved()

    def _text_width(self) -> int:
        return self.scrollable_content_region.width - GUTTER

    def _rewrap(self) -> None:
        width = self._text_width()
        if width <= 0 or width == self._wrapped_at:
            return
        self._wrapped_at = width
        self._lines = wrap(self.text, width)
        self._line_starts = [start for start, _ in self._lines]
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._lines))
        self.refresh()
        self.call_after_refresh(self._follow)

    def on_resize(self, _event: events.Resize) -> None:
        self._rewrap()

    # --- geometry -----------------------------------------------------------------------

    def row_of(self, offset: int) -> int:
        return max(bisect.bisect_right(self._line_starts, offset) - 1, 0)

    def _offset_at(self, row: int, column: int) -> int:
        row = min(max(row, 0), len(self._lines) - 1)
        start, end = self._lines[row]
        return min(start + max(column, 0), end)

    @property
    def selection(self) -> tuple[int, int] | None:
        if self.selection_start is None or self.selection_start == self.cursor:
            return None
        return min(self.selection_start, self.cursor), max(self.selection_start, self.cursor)

    def target(self) -> tuple[int, int] | None:
        """What a code would be applied to: the selection, else the sentence at the cursor,
        without surrounding whitespace."""
        span = self.selection or self.units.sentence_at(self.cursor)
        if span is None:
            return None
        start, end = span
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return (start, end) if start < end else None

    def spans_at(self) -> list[Span]:
        """Codings on the selection (exactly), else those covering the cursor."""
        target = self.selection
        if target is not None:
            exact = [s for s in self.spans if (s.start, s.end) == target]
            if exact:
                return exact
        return [s for s in self.spans if s.start <= self.cursor < s.end]

    # --- moving -------------------------------------------------------------------------

    def _moved(self) -> None:
        self.post_message(CursorMoved(self.cursor, self.selection))

    def _follow(self, center: bool = False) -> None:
        row = self.row_of(self.cursor)
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if center and not top <= row < top + height:
            self.scroll_to(y=max(row - height // 3, 0), animate=False, immediate=True)
        elif row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif height and row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def place(self, offset: int, extend: bool = False, center: bool = False) -> None:
        offset = min(max(offset, 0), len(self.text))
        if extend:
            if self.selection_start is None:
                self.selection_start = self.cursor
        else:
            self.selection_start = None
        self.cursor = offset
        self.refresh()
        self._follow(center)
        self._moved()

    def select(self, start: int, end: int, center: bool = False) -> None:
        self.selection_start = start
        self.place(end, extend=True, center=center)

    def action_move(self, step: int, extend: bool = False) -> None:
        self.place(self.cursor + step, extend)

    def action_move_line(self, step: int, extend: bool = False) -> None:
        row = self.row_of(self.cursor)
        column = self.cursor - self._lines[row][0]
        self.place(self._offset_at(row + step, column), extend)

    def action_move_page(self, step: int) -> None:
        self.action_move_line(step * max(self.scrollable_content_region.height - 1, 1))

    def action_move_word(self, step: int, extend: bool = False) -> None:
        if step > 0:
            found = re.compile(r"\s*\S+").match(self.text, self.cursor)
            offset = found.end() if found else len(self.text)
        else:
            found = re.search(r"\S+\s*$", self.text[max(self.cursor - 200, 0) : self.cursor])
            offset = self.cursor - len(found.group()) if found else 0
        self.place(offset, extend)

    def action_line_edge(self, side: int) -> None:
        start, end = self._lines[self.row_of(self.cursor)]
        self.place(end if side > 0 else start)

    def action_sentence(self, step: int) -> None:
        reference = self.selection[0] if self.selection else self.cursor
        if (span := self.units.next_sentence(reference, step)) is not None:
            self.select(*span)

    def action_paragraph(self, step: int) -> None:
        reference = self.selection[0] if self.selection else self.cursor
        if (span := self.units.next_paragraph(reference, step)) is not None:
            self.select(*span)

    def action_extend_sentence(self) -> None:
        start = self.selection[0] if self.selection else self.cursor
        end = self.selection[1] if self.selection else self.cursor
        if (span := self.units.next_sentence(max(end - 1, start), 1)) is not None:
            self.select(start, max(span[1], end))

    def action_select_sentence(self) -> None:
        if (span := self.units.sentence_at(self.cursor)) is not None:
            self.select(*span)

    def action_select_paragraph(self) -> None:
        if (span := self.units.paragraph_at(self.cursor)) is not None:
            self.select(*span)

    def action_coding(self, step: int) -> None:
        """Jump to the next (or previous) coded passage and select it."""
        reference = self.selection[0] if self.selection else self.cursor
        starts = [s.start for s in self.spans]
        if step > 0:
            index = bisect.bisect_right(starts, reference)
            if index >= len(self.spans):
                self.notify("no more codings after this point", severity="warning")
                return
        else:
            index = bisect.bisect_left(starts, reference) - 1
            if index < 0:
                self.notify("no codings before this point", severity="warning")
                return
        span = self.spans[index]
        self.select(span.start, span.end, center=True)

    def action_clear_selection(self) -> None:
        if self.selection is None:
            raise SkipAction()
        self.place(self.cursor)

    # --- mouse --------------------------------------------------------------------------

    def _offset_of_event(self, event: events.MouseEvent) -> int:
        where = event.get_content_offset_capture(self)
        return self._offset_at(where.y + self.scroll_offset.y, where.x - GUTTER)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.focus()
        self.place(self._offset_of_event(event))
        self.selection_start = self.cursor
        self._dragging = True
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging:
            self.place(self._offset_of_event(event), extend=True)

    def on_mouse_up(self, _event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    def on_click(self, event: events.Click) -> None:
        if event.chain == 2:
            self.action_select_sentence()
        elif event.chain >= 3:
            self.action_select_paragraph()

    # --- drawing ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = y + self.scroll_offset.y
        if row >= len(self._lines) or not self.text:
            return Strip.blank(width, base)
        start, end = self._lines[row]
        paragraph = self.units.paragraph_at(self.cursor)
        in_paragraph = paragraph is not None and start < paragraph[1] and end > paragraph[0]
        gutter_style = base + self.get_component_rich_style("source-text--gutter")
        segments = [Segment("▎ " if in_paragraph else "  ", gutter_style)]
        segments += self._text_segments(start, end, base)
        if self.cursor == end and self.row_of(self.cursor) == row:
            segments.append(
                Segment(" ", base + self.get_component_rich_style("source-text--cursor"))
            )
        return Strip(segments).adjust_cell_length(width, base)

    def _text_segments(self, start: int, end: int, base: Style) -> list[Segment]:
        run_starts, run_ends, run_styles = self._runs
        first_run = bisect.bisect_right(run_ends, start)
        cuts = {start, end}
        index = first_run
        while index < len(run_starts) and run_starts[index] < end:
            cuts.update((run_starts[index], run_ends[index]))
            index += 1
        selection = self.selection
        if selection is not None:
            cuts.update(selection)
        if start <= self.cursor < end:
            cuts.update((self.cursor, self.cursor + 1))
        points = sorted(p for p in cuts if start <= p <= end)
        selection_style = self.get_component_rich_style("source-text--selection")
        cursor_style = self.get_component_rich_style("source-text--cursor")
        segments = []
        run = first_run
        for here, after in itertools.pairwise(points):
            style = base
            while run < len(run_ends) and run_ends[run] <= here:
                run += 1
            if run < len(run_starts) and run_starts[run] <= here:
                style += run_styles[run]
            if selection is not None and selection[0] <= here < selection[1]:
                style += selection_style
            if here == self.cursor:
                style += cursor_style
            segments.append(Segment(self.text[here:after], style))
        return segments
