"""The command palette's provider: every key binding active on the screen, and the sources.

Built from the screen's live bindings, so the palette always offers exactly what the keys do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from qualcode.tui.bindings import TABLES, key_label

if TYPE_CHECKING:
    from qualcode.tui.app import QualcodeApp
    from qualcode.views import SourceRow


class ActionCommands(Provider):
    @property
    def workbench_app(self) -> QualcodeApp:
        return cast("QualcodeApp", self.app)

    def _commands(
        self, sources: list[SourceRow]
    ) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """(name, help, callback) for each workbench action active on the screen (those in the
        footer first), then 'Open <source>' for every source."""
        ours = {(b.key, b.action) for table in TABLES.values() for b in table}
        seen: set[tuple[str, int]] = set()
        found = []
        for active in self.screen.active_bindings.values():
            binding, node = active.binding, active.node
            if (binding.key, binding.action) not in ours or not active.enabled:
                continue
            if (binding.action, id(node)) in seen:
                continue
            seen.add((binding.action, id(node)))
            found.append((not binding.show, binding, node))
        for _, binding, node in sorted(found, key=lambda item: item[0]):
            yield (
                binding.description,
                f"key: {key_label(binding)}",
                partial(self.app.run_action, binding.action, node),
            )
        for row in sources:
            yield (
                f"Open {row.title}",
                f"{row.participant or row.kind} · {row.words:,} words",
                partial(self.workbench_app.open_source, row.id),
            )

    async def _sources(self) -> list[SourceRow]:
        app = self.workbench_app
        return await app.in_thread(app.workbench.sources)

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands(await self._sources()):
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands(await self._sources()):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
