"""A small text progress bar for long command-line work (no dependencies).

On a terminal it redraws one line in place; elsewhere (a log file, a pipe, CI) it prints one plain
line per step, so the output stays readable when captured.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = max(round(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ProgressBar:
    """``done`` of ``total`` units (e.g. days), with elapsed time and an ETA from the mean rate."""

    def __init__(
        self,
        total: int,
        *,
        unit: str = "days",
        stream: TextIO | None = None,
        width: int = 24,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total = max(int(total), 0)
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        if tty is None:
            isatty = getattr(self.stream, "isatty", None)
            tty = bool(isatty and isatty())
        self.tty = tty
        self.clock = clock
        self.started = clock()
        self.done = 0
        self._drawn = False

    def line(self, note: str = "") -> str:
        """The bar as text: ``[#####-----] 3/7 days  43%  elapsed 00:12  ETA 00:16  note``."""
        elapsed = self.clock() - self.started
        fraction = self.done / self.total if self.total else 1.0
        filled = round(self.width * fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        if self.done >= self.total:
            eta = "done"
        elif self.done == 0:
            eta = "ETA --:--"
        else:
            eta = f"ETA {_clock(elapsed / self.done * (self.total - self.done))}"
        text = f"[{bar}] {self.done}/{self.total} {self.unit} {fraction * 100:3.0f}%  elapsed {_clock(elapsed)}  {eta}"
        return f"{text}  {note}" if note else text

    def start(self, note: str = "") -> None:
        """Show the empty bar (on a terminal only: a log gets a line per step)."""
        if self.tty:
            self._write(self.line(note))

    def advance(self, n: int = 1, note: str = "") -> None:
        self.done = min(self.done + n, self.total)
        self._write(self.line(note))

    def message(self, text: str) -> None:
        """A line of its own above the bar (the bar is redrawn below it on a terminal)."""
        if self.tty and self._drawn:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        if self.tty and self._drawn:
            self.stream.write(self.line())
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
        self._drawn = False

    def _write(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + text)
            self._drawn = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
