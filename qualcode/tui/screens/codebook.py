"""The codebook screen: rename, define, recolour, merge, exclude and group codes into themes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static, Tree

from qualcode import views
from qualcode.tui import bindings
from qualcode.tui.colours import swatch
from qualcode.tui.screens.base import WorkbenchScreen
from qualcode.tui.screens.choice import ChoiceScreen
from qualcode.tui.screens.prompt import PromptScreen
from qualcode.tui.widgets.code_picker import CodePicker
from qualcode.tui.widgets.code_tree import CodeTree
from qualcode.tui.widgets.key_bar import KeyBar
from qualcode.tui.widgets.title_bar import TitleBar

TOP_LEVEL = -1


class CodebookScreen(WorkbenchScreen):
    BINDINGS: ClassVar[list[BindingType]] = [*bindings.CODEBOOK]

    def __init__(self) -> None:
        super().__init__()
        self.book: views.Codebook | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar("Codebook")
        with Horizontal():
            with Vertical(id="tree-pane", classes="pane"):
                yield Input(placeholder="/ search codes by name or definition", id="search")
                yield CodeTree(id="tree")
            with Vertical(id="details-pane", classes="pane"):
                yield Label("Details", classes="pane-title")
                yield Static(id="details")
        yield KeyBar()

    @property
    def tree(self) -> CodeTree:  # type: ignore[override]  # DOMNode.tree draws the DOM; unused here
        return self.query_one(CodeTree)

    def on_mount(self) -> None:
        self.tree.focus()

    async def reload(self) -> None:
        self.book = await self.app.in_thread(self.app.workbench.codebook)
        self.tree.show(self.book)
        self.call_after_refresh(self.show_details)

    # --- details ------------------------------------------------------------------------

    async def on_tree_node_highlighted(self, _event: Tree.NodeHighlighted) -> None:
        await self.show_details()

    async def show_details(self) -> None:
        details = self.query_one("#details", Static)
        current, book = self.tree.current, self.book
        if book is None or current is None:
            details.update("")
            return
        kind, key = current
        if kind == "code" and key in book.codes:
            code = book.codes[key]
            themes = [t.name for t in book.theme_by_id.values() if key in t.code_ids]
            text = Text.assemble(("■ ", swatch(code.colour)), (code.name, "bold"), "\n\n")
            text.append(f"Status: {code.status}")
            if code.reason:
                text.append(f" ({code.reason})")
            if code.merged_into in book.codes:
                text.append(f" into {book.codes[code.merged_into].name}")
            text.append(f"\nCodings: {code.count}\nColour: {code.colour}\n")
            text.append(f"Themes: {', '.join(themes) or '—'}\n")
            text.append("Example: ", "bold")
            example = await self.app.in_thread(self.app.workbench.example, code.id)
            text.append(f"{example}\n\n")
            text.append(code.definition or "No definition yet (d to write one).", "italic")
        elif kind == "theme" and key in book.theme_by_id:
            theme = book.theme_by_id[key]
            parent = book.theme_by_id.get(theme.parent_id) if theme.parent_id else None
            text = Text.assemble((theme.name, "bold"), "\n\n")
            text.append(f"{'Sub-theme of ' + parent.name if parent else 'Main theme'}\n")
            text.append(f"Codes: {len(theme.code_ids)}\nSub-themes: {len(theme.children)}\n")
            text.append(f"Codings: {theme.count(book.codes)}")
        else:
            text = Text("A group of codes; pick a code or a theme.", "dim")
        details.update(text)

    # --- search -------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.book is not None:
            self.tree.filter = event.value
            self.tree.show(self.book)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.tree.focus()

    # --- helpers ------------------------------------------------------------------------

    def _code(self) -> views.CodeRow | None:
        current = self.tree.current
        if self.book and current and current[0] == "code" and current[1] in self.book.codes:
            return self.book.codes[current[1]]
        self.notify("put the cursor on a code first", severity="warning")
        return None

    def _ask(
        self, title: str, then: Callable[[str], Awaitable[object]], value: str = "", hint: str = ""
    ) -> None:
        async def answered(text: str | None) -> None:
            if text is not None:
                await then(text)

        self.app.push_screen(PromptScreen(title, value, hint), answered)

    def _choose_theme(
        self, title: str, then: Callable[[int], Awaitable[object]], top: bool = False
    ) -> None:
        if self.book is None:
            return
        items: list[tuple[int, str]] = [(TOP_LEVEL, "(make it a main theme)")] if top else []

        def walk(nodes: list[views.ThemeNode], trail: str) -> None:
            for node in nodes:
                items.append((node.id, trail + node.name))
                walk(node.children, f"{trail}{node.name} › ")

        walk(self.book.themes, "")
        if not items:
            self.notify("no themes yet: t makes one", severity="warning")
            return

        async def chosen(key: int | None) -> None:
            if key is not None:
                await then(key)

        self.app.push_screen(ChoiceScreen(title, items), chosen)

    # --- code actions -------------------------------------------------------------------

    def action_new_code(self) -> None:
        async def create(name: str) -> None:
            code_id = await self.app.act(self.app.workbench.create_code, name)
            if code_id is not None:
                self.call_after_refresh(self.tree.move_to, ("code", code_id))

        self._ask("New code", create, hint="name of the code")

    def _edit(self, field: str, title: str, hint: str = "") -> None:
        """Ask for a new value of one field of the highlighted code, prefilled with the old."""
        if (code := self._code()) is not None:
            self._ask(
                f"{title} {code.name}",
                lambda value: self.app.act(
                    self.app.workbench.update_code, code.id, **{field: value}
                ),
                getattr(code, field),
                hint,
            )

    def action_rename(self) -> None:
        self._edit("name", "Rename")

    def action_define(self) -> None:
        self._edit("definition", "Definition of", "when to apply this code")

    def action_recolour(self) -> None:
        self._edit("colour", "Colour of", "#rrggbb or a name; empty for the palette colour")

    def action_merge(self) -> None:
        if (code := self._code()) is None or self.book is None:
            return
        others = [c for c in self.book.active() if c.id != code.id]
        picker = CodePicker(f"Merge {code.name} into…", others, multiple=False, create=False)

        async def chosen(keep: list[int | str] | None) -> None:
            if keep:
                await self.app.act(self.app.workbench.merge, int(keep[0]), code.id)

        self.app.push_screen(picker, chosen)

    def action_exclude(self) -> None:
        if (code := self._code()) is not None:
            self._ask(
                f"Why exclude {code.name}?",
                lambda reason: self.app.act(self.app.workbench.exclude, code.id, reason),
                hint="the reason, kept for the audit trail",
            )

    async def action_include(self) -> None:
        if (code := self._code()) is not None:
            await self.app.act(self.app.workbench.include, code.id)

    def action_assign(self) -> None:
        if (code := self._code()) is not None:
            self._choose_theme(
                f"Put {code.name} in theme…",
                lambda theme_id: self.app.act(self.app.workbench.assign, code.id, theme_id),
            )

    async def action_unassign(self) -> None:
        node = self.tree.cursor_node
        code = self._code()
        parent = node.parent if node is not None else None
        if code is None or parent is None or not parent.data or parent.data[0] != "theme":
            if code is not None:
                self.notify("put the cursor on a code inside a theme", severity="warning")
            return
        await self.app.act(self.app.workbench.unassign, code.id, parent.data[1])

    # --- theme actions ------------------------------------------------------------------

    def action_new_theme(self) -> None:
        self._ask(
            "New theme",
            lambda name: self.app.act(self.app.workbench.create_theme, name),
            hint="name of the theme",
        )

    def action_new_subtheme(self) -> None:
        parent_id = self.tree.theme_above()
        if parent_id is None or self.book is None:
            self.notify("put the cursor on a theme first", severity="warning")
            return
        parent = self.book.theme_by_id[parent_id]
        self._ask(
            f"New sub-theme of {parent.name}",
            lambda name: self.app.act(self.app.workbench.create_theme, name, parent_id),
            hint="name of the sub-theme",
        )

    def action_nest_theme(self) -> None:
        current = self.tree.current
        if current is None or current[0] != "theme" or self.book is None:
            self.notify("put the cursor on a theme first", severity="warning")
            return
        theme = self.book.theme_by_id[current[1]]

        async def nest(parent_id: int) -> None:
            await self.app.act(
                self.app.workbench.nest_theme,
                theme.id,
                None if parent_id == TOP_LEVEL else parent_id,
            )

        self._choose_theme(f"Put theme {theme.name} under…", nest, top=True)
