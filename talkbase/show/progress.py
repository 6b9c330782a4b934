"""The progress display of a slow load, kept apart from talkbase.show.render so that a command which prints no
table (`grep --count`) never imports Rich: Rich is imported only when the bar is shown."""

from __future__ import annotations

import sys
from typing import Any


class LoadProgress:
    """A progress bar on stderr for a slow load: shown only once loading has taken half a second, and only
    when stderr is a terminal, so quick commands and pipes never see it."""

    DELAY = 0.5

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._started = self._clock()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if self._clock() - self._started < self.DELAY or not sys.stderr.isatty():
                return
            from rich.progress import Progress

            from talkbase.show.render import make_console

            self._bar = Progress(console=make_console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("reading YAML files", total=total)
        self._bar.update(self._task, completed=done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
