"""What the command groups share: bad input is reported as one line, never a traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


@contextmanager
def one_line_errors(
    *errors: type[Exception], on_error: Callable[[], object] | None = None
) -> Iterator[None]:
    """Turn `errors` into `Error: <message>` and exit status 1 (click.ClickException); `on_error`
    (a rollback, or a commit when the refusal itself is audited) runs first."""
    try:
        yield
    except errors as exc:
        if on_error is not None:
            on_error()
        raise click.ClickException(str(exc)) from None
