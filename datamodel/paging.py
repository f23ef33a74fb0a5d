"""One page of a listing: a single Query, and a cursor bound to that listing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from datamodel import cursor as cursors

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def paginate(
    query: Callable[..., Iterator[T]], scope: str, key_names: frozenset[str], limit: int, cursor: str | None
) -> Page[T]:
    """Run `query(limit=, last_evaluated_key=)` once: key conditions isolate the entity, so no item is
    filtered out after DynamoDB's Limit and a page costs one call however large the partition."""
    start = cursors.decode(scope, cursor, key_names)
    results = query(limit=limit, last_evaluated_key=start)
    items = list(results)
    return Page(items, cursors.encode(scope, results.last_evaluated_key))
