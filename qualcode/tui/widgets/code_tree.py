"""The codebook as a tree: themes, sub-themes and their codes, each with its count of codings.

Each node's data names what it is (``("theme", id)``, ``("code", id)`` or a group), so screens act
on the highlighted node without parsing labels. A filter shows only codes whose name or definition
contains the search words (with their themes, so the context stays visible).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from qualcode.names import fold
from qualcode.tui.colours import swatch
from qualcode.views import Codebook, CodeRow, ThemeNode

NodeData = tuple[str, int]


class CodeTree(Tree[NodeData]):
    """Themes → sub-themes → codes; codes in no theme, and excluded or merged codes, apart."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Codebook", data=("root", 0), id=id)
        self.show_root = False
        self.guide_depth = 3
        self.book: Codebook | None = None
        self.filter = ""

    def _matches(self, code: CodeRow) -> bool:
        words = fold(self.filter).split()
        haystack = fold(f"{code.name} {code.definition}")
        return all(word in haystack for word in words)

    def _code_label(self, code: CodeRow) -> Text:
        label = Text()
        label.append("■ ", swatch(code.colour))
        label.append(code.name, "dim strike" if code.status != "active" else "")
        label.append(f"  {code.count}", "bold")
        if code.status == "excluded":
            label.append(f"  excluded: {code.reason}", "italic dim")
        elif code.status == "merged" and self.book and code.merged_into in self.book.codes:
            label.append(f"  → {self.book.codes[code.merged_into].name}", "italic dim")
        return label

    def _add_theme(self, parent: TreeNode[NodeData], theme: ThemeNode, book: Codebook) -> bool:
        label = Text.assemble((theme.name, "bold"), (f"  {theme.count(book.codes)}", "cyan"))
        node = parent.add(label, data=("theme", theme.id), expand=True)
        shown = not self.filter
        for child in theme.children:
            shown = self._add_theme(node, child, book) or shown
        for code_id in theme.code_ids:
            code = book.codes[code_id]
            if code.status != "merged" and self._matches(code):
                node.add_leaf(self._code_label(code), data=("code", code.id))
                shown = True
        if not shown:
            node.remove()
        return shown

    def show(self, book: Codebook) -> None:
        """Rebuild from a fresh read, keeping the highlighted node where it still exists."""
        keep = self.cursor_node.data if self.cursor_node is not None else None
        self.book = book
        self.clear()
        for theme in book.themes:
            self._add_theme(self.root, theme, book)
        groups = (
            ("Codes in no theme", "unthemed", lambda c: c.status == "active"),
            ("Excluded codes", "excluded", lambda c: c.status == "excluded"),
            ("Merged codes", "merged", lambda c: c.status == "merged"),
        )
        for title, key, wanted in groups:
            ids = book.unthemed if key == "unthemed" else list(book.codes)
            codes = [book.codes[c] for c in ids if wanted(book.codes[c])]
            codes = [c for c in codes if self._matches(c)]
            if not codes:
                continue
            group = self.root.add(
                Text.assemble((title, "italic"), (f"  {len(codes)}", "dim")),
                data=(key, 0),
                expand=key == "unthemed" or bool(self.filter),
            )
            for code in codes:
                group.add_leaf(self._code_label(code), data=("code", code.id))
        if (keep is None or not self.move_to(keep)) and self.last_line >= 0:
            self.move_cursor_to_line(0)

    def move_to(self, data: NodeData) -> bool:
        """Put the cursor on the first node with this data; False if there is none."""
        for line in range(self.last_line + 1):
            node = self.get_node_at_line(line)
            if node is not None and node.data == data:
                self.move_cursor_to_line(line)
                return True
        return False

    @property
    def current(self) -> NodeData | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def theme_above(self) -> int | None:
        """The theme of the highlighted node: itself, or the theme its code sits in."""
        node = self.cursor_node
        while node is not None:
            if node.data and node.data[0] == "theme":
                return node.data[1]
            node = node.parent
        return None
