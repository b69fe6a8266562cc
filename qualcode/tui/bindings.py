"""Every key of the workbench, in one place, so that keys can be listed, documented and remapped.

Each screen and widget takes its ``BINDINGS`` from here; the help screen and docs/tui.md list these
tables, and the command palette offers every binding that is active on the screen in view.
"""

from __future__ import annotations

from textual.binding import Binding

APP = [
    Binding("question_mark", "help", "Help", key_display="?"),
    Binding("1", "switch_mode('home')", "Home"),
    Binding("2", "switch_mode('codebook')", "Codebook"),
    Binding("3", "switch_mode('reports')", "Reports"),
    Binding("ctrl+z", "undo", "Undo"),
    Binding("ctrl+y", "redo", "Redo", show=False),
    Binding("ctrl+q", "quit", "Quit", show=False),
]

HOME = [
    Binding("enter", "open_source", "Open source", show=False),
    Binding("o", "open_source", "Open"),
    Binding("tab", "app.focus_next", "Next pane", show=False),
]

SOURCE = [
    Binding("c", "code", "Code"),
    Binding("v", "in_vivo", "In vivo"),
    Binding("x", "remove_coding", "Remove"),
    Binding("m", "memo", "Memo"),
    Binding("e", "mark_example", "Example"),
    Binding("a", "anonymise", "Anonymise", show=False),
    Binding("slash", "search", "Search", key_display="/"),
    Binding("escape", "back", "Back"),
]

SEARCH = [
    Binding("escape", "cancel", "Close"),
    Binding("tab", "toggle_scope", "This source / all sources", priority=True),
    Binding("down", "cursor(1)", "Down", show=False),
    Binding("up", "cursor(-1)", "Up", show=False),
    Binding("c", "code_hit", "Code the hit"),
    Binding("enter", "go", "Go to the hit"),
]

SOURCE_TEXT = [
    Binding("right", "move(1)", "Right", show=False),
    Binding("left", "move(-1)", "Left", show=False),
    Binding("down", "move_line(1)", "Down", show=False),
    Binding("up", "move_line(-1)", "Up", show=False),
    Binding("shift+right", "move(1, True)", "Extend right", show=False),
    Binding("shift+left", "move(-1, True)", "Extend left", show=False),
    Binding("shift+down", "move_line(1, True)", "Extend down", show=False),
    Binding("shift+up", "move_line(-1, True)", "Extend up", show=False),
    Binding("ctrl+right", "move_word(1)", "Next word", show=False),
    Binding("ctrl+left", "move_word(-1)", "Previous word", show=False),
    Binding("ctrl+shift+right", "move_word(1, True)", "Extend a word", show=False),
    Binding("ctrl+shift+left", "move_word(-1, True)", "Extend back a word", show=False),
    Binding("home", "line_edge(-1)", "Line start", show=False),
    Binding("end", "line_edge(1)", "Line end", show=False),
    Binding("pagedown", "move_page(1)", "Page down", show=False),
    Binding("pageup", "move_page(-1)", "Page up", show=False),
    Binding("right_square_bracket", "sentence(1)", "Sentence", key_display="]"),
    Binding("left_square_bracket", "sentence(-1)", "Prev sentence", key_display="[", show=False),
    Binding("right_curly_bracket", "paragraph(1)", "Paragraph", key_display="}"),
    Binding("left_curly_bracket", "paragraph(-1)", "Prev paragraph", key_display="{", show=False),
    Binding("greater_than_sign", "extend_sentence", "Add sentence", key_display=">", show=False),
    Binding("s", "select_sentence", "Select sentence", show=False),
    Binding("p", "select_paragraph", "Select paragraph", show=False),
    Binding("n", "coding(1)", "Next coding"),
    Binding("N", "coding(-1)", "Prev coding", show=False),
    Binding("escape", "clear_selection", "Clear selection", show=False),
]

ANONYMISE = [
    Binding("y", "accept", "Accept"),
    Binding("i", "ignore", "Ignore"),
    Binding("e", "edit", "Edit replacement"),
    Binding("w", "apply", "Apply"),
    Binding("escape", "back", "Back"),
]

CODEBOOK = [
    Binding("n", "new_code", "New code"),
    Binding("r", "rename", "Rename"),
    Binding("d", "define", "Define"),
    Binding("k", "recolour", "Colour"),
    Binding("m", "merge", "Merge"),
    Binding("e", "exclude", "Exclude"),
    Binding("i", "include", "Include"),
    Binding("a", "assign", "Assign"),
    Binding("u", "unassign", "Unassign", show=False),
    Binding("t", "new_theme", "New theme"),
    Binding("T", "new_subtheme", "New sub-theme", show=False),
    Binding("w", "nest_theme", "Nest theme", show=False),
    Binding("slash", "search", "Search", key_display="/"),
]

REPORTS = [
    Binding("t", "toggle_report", "Codes/themes"),
    Binding("e", "export", "Export"),
    Binding("f", "focus_filters", "Filters"),
]

CODE_PICKER = [
    Binding("escape", "cancel", "Cancel"),
    Binding("down", "cursor(1)", "Down", show=False),
    Binding("up", "cursor(-1)", "Up", show=False),
    Binding("tab", "toggle", "Mark another", priority=True),
    Binding("enter", "choose", "Apply"),
]

CHOICE = [
    Binding("escape", "cancel", "Cancel"),
    Binding("down", "cursor(1)", "Down", show=False),
    Binding("up", "cursor(-1)", "Up", show=False),
    Binding("enter", "choose", "Choose"),
]

PROMPT = [Binding("escape", "cancel", "Cancel")]

HELP = [Binding("escape", "close", "Close"), Binding("question_mark", "close", "Close", show=False)]

TABLES = {
    "Everywhere": APP,
    "Home": HOME,
    "Source view": SOURCE + SOURCE_TEXT,
    "Anonymise review": ANONYMISE,
    "Codebook": CODEBOOK,
    "Reports": REPORTS,
    "Code picker": CODE_PICKER,
    "Search": SEARCH,
}


def key_label(binding: Binding) -> str:
    return binding.key_display or binding.key


def markdown_tables() -> str:
    """The key tables as Markdown, for the help screen and docs/tui.md."""
    parts = []
    for title, table in TABLES.items():
        parts.append(f"### {title}\n\n| Key | Action |\n|---|---|")
        parts += [f"| `{key_label(b)}` | {b.description} |" for b in table]
        parts.append("")
    return "\n".join(parts)
