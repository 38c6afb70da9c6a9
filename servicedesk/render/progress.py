"""A progress bar on stderr for long imports; nothing at all in a pipe, under NO_COLOR, or for small files."""

import os
import sys

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from . import console

THRESHOLD = 2000  # rows; smaller files are done before a bar would be worth drawing


class Bar:
    """A `(stage, done, total)` callback for services; each stage gets its own line.

    Whether to draw is decided on the first call, from the first stage's total.
    """

    def __init__(self, threshold: int = THRESHOLD):
        self.threshold = threshold
        self.enabled: bool | None = None
        self.progress: Progress | None = None
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self.enabled is None:
            self.enabled = bool(
                total and total > self.threshold and sys.stderr.isatty() and not os.environ.get("NO_COLOR")
            )
            if self.enabled:
                self.progress = Progress(
                    SpinnerColumn(),
                    # Stage names carry the file's name: user text, never markup.
                    TextColumn("{task.description}", markup=False),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=console(stderr=True),
                    transient=True,
                )
                self.progress.start()
        if not self.enabled:
            return
        task = self.tasks.get(stage)
        if task is None:
            task = self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(task, completed=done, total=total)
