"""Paginators: every item of a listing across its cursors, like boto3's paginators."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar

from .errors import ShopError

T = TypeVar("T")
P = TypeVar("P", bound="Page")


class Page(Protocol[T]):  # ClientPage, OrderPage and InvoicePage
    items: list[T]
    next_cursor: str | None


class Paginator(Generic[T]):
    """Iterating it yields every item of the listing, oldest first, asking for the next page when the current one
    is used up (`page_size` items a request, at most 100). Each iteration starts again from `cursor` (the
    listing's start when None). `pages()` yields the pages themselves, with their `next_cursor`: keep one to
    resume later with `cursor=`.

        for order in shop.orders.list(client_id, status="PENDING"):
            ...
    """

    def __init__(self, fetch: Callable[[str | None, int], Page[T]], *, page_size: int = 100, cursor: str | None = None):
        if not 1 <= page_size <= 100:
            raise ValueError("page_size is 1..100")
        self._fetch = fetch
        self.page_size = page_size
        self.cursor = cursor

    def pages(self) -> Iterator[Page[T]]:
        cursor, seen = self.cursor, set()
        while True:
            page = self._fetch(cursor, self.page_size)
            yield page
            cursor = page.next_cursor or None
            if cursor is None:
                return
            if cursor in seen:  # a server bug would otherwise loop for ever
                raise ShopError(f"the listing answered the cursor {cursor!r} twice")
            seen.add(cursor)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items
