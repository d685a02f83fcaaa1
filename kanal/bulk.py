"""Deferring row inserts to one ``bulk_create`` per model.

A job that changes hundreds of reports in one transaction (the SLA sweep) would
otherwise pay a round trip per timeline entry and outbox message. Inside
:func:`deferred_inserts`, :func:`insert` only collects the rows; they are
written when the block ends without an error, still inside the caller's
transaction. ``InsertBuffer.savepoint()`` drops the rows collected by a piece
of work that failed, alongside the database savepoint that undoes its updates.
Everywhere else :func:`insert` writes the row at once, so services that call it
behave the same inside and outside a job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)
_buffer: ContextVar[InsertBuffer | None] = ContextVar("kanal_insert_buffer", default=None)


class InsertBuffer:
    def __init__(self) -> None:
        self.rows: list[models.Model] = []

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        mark = len(self.rows)
        try:
            yield
        except BaseException:
            del self.rows[mark:]
            raise

    def flush(self) -> None:
        by_model: dict[type[models.Model], list[models.Model]] = {}
        for row in self.rows:  # models in order of first appearance: parents before children
            by_model.setdefault(type(row), []).append(row)
        for model, rows in by_model.items():
            model.objects.bulk_create(rows)
        self.rows = []


def insert(row: M) -> M:
    """Write ``row``, or collect it when a :func:`deferred_inserts` block is open."""
    buffer = _buffer.get()
    if buffer is None:
        row.save(force_insert=True)
    else:
        buffer.rows.append(row)
    return row


@contextmanager
def deferred_inserts() -> Iterator[InsertBuffer]:
    buffer = InsertBuffer()
    token = _buffer.set(buffer)
    try:
        yield buffer
        buffer.flush()
    finally:
        _buffer.reset(token)
