"""Cutting a stream of items into batches of about a given size (characters, bytes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def by_size(
    items: Iterable[T], size: Callable[[T], int], limit: int, most: int | None = None
) -> Iterator[list[T]]:
    """The items in order, in lists closed as soon as their sizes add up to ``limit`` or more
    (an item bigger than ``limit`` ends its list alone or with those before it), or as soon as
    they are ``most`` items."""
    batch: list[T] = []
    total = 0
    for item in items:
        batch.append(item)
        total += size(item)
        if total >= limit or len(batch) == most:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch
