"""Progress on the terminal for work that takes more than a couple of seconds.

A report, a large programme or a register of 200 000 rows takes seconds; a silent terminal
looks like a hang. The line appears only after :data:`SHOW_AFTER` seconds (quick runs print
nothing extra), only when stderr is a terminal, and never with ``--quiet`` (which sets
``OKMO_QUIET``), so pipes, CI logs and the hearing stay clean. Built on tqdm; the labels
come from ``locales/progress.yaml`` in the reader's language.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager

from okmo_models.i18n import t

SHOW_AFTER = 2.0  # seconds of silence a user accepts before wondering


def enabled() -> bool:
    """True when progress may be drawn: stderr is a terminal and nobody asked for quiet."""
    if os.environ.get("OKMO_QUIET", "").strip() not in ("", "0"):
        return False
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


@contextmanager
def progress(key: str, lang: str | None = None, total: int | None = None, **context):
    """A progress line labelled with message ``key``.

    With ``total`` it counts steps (call ``.update(n)``); without, it shows the time spent,
    refreshed by a small timer, for work that cannot report steps (a solver, a browser).

    >>> with progress("progress_report", "en", total=3) as bar:
    ...     bar.update(3)
    """
    from tqdm import tqdm

    label = t(key, lang, **context)
    fmt = "{desc}: {percentage:3.0f}% {bar} {n_fmt}/{total_fmt} [{elapsed}]" if total else "{desc}… {elapsed}"
    bar = tqdm(total=total, desc=label, bar_format=fmt, delay=SHOW_AFTER, file=sys.stderr,
               disable=not enabled(), leave=False, dynamic_ncols=True, mininterval=0.5)
    stop = threading.Event()
    ticker = None
    if not bar.disable and total is None:
        def tick():  # nothing calls update() while a solver works: show the time anyway
            while not stop.wait(0.5):
                if bar.format_dict["elapsed"] >= SHOW_AFTER:
                    bar.refresh()

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
    try:
        yield bar
    finally:
        stop.set()
        if ticker is not None:
            ticker.join()
        bar.close()
