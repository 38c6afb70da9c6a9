"""The one way a table is drawn: rows (dicts) under registered columns (render/columns.py).

Lists, the sections of `… show` pages and every report section come through here, in the
look of rich's box.SIMPLE_HEAD: a header, a rule, the rows, numbers right-aligned.

- On a terminal the table fits the width: minor columns give way first (their `drop`
  rank; the first column, the row's key, always stays), then text and rates share what is
  left, the widest giving first. Figures, dates and codes never break; a rate breaks only
  before its counts; headers break between words.
- In a pipe or a file it is plain aligned text, one line a row, never cut: each column
  pads to its widest cell up to PIPE_CAP, and a longer cell pushes the rest of its own
  row right instead of padding every row to its width, so the cost stays linear in the
  text. Lists print these lines straight to stdout (no rich on the way).
- Markdown: a pipe table, numbers right-aligned, text made inert (cells.md_escape).

The layout is ours rather than rich.Table's: one layout for any number of rows (rich's
costs ~0.4 ms a row) and for both the terminal and the pipe.
"""

from collections.abc import Iterator, Sequence
from functools import cached_property

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from . import cells
from .columns import Column, resolve

PIPE_CAP = 100  # cells a piped column pads to, at most
HEADER_BREAK = 10  # a header word longer than this may break (Chinese has no spaces)
SQUEEZED = 6  # what text gives up to when a terminal is too narrow for the table's floors
EDGE, GAP = 2, 3  # before the first column, between columns (box.SIMPLE_HEAD, padding 1)
_FLAT = str.maketrans({"\n": " ", "\r": " ", "\t": " "})  # one line a row
_HEADER, _NONE = Style(bold=True), Style(dim=True)


def _flat(text: str) -> str:
    return text.translate(_FLAT) if ("\n" in text or "\r" in text or "\t" in text) else text


class Table:
    """`rows` under `columns` (names or Columns); headed in `lang` (None: field names, as lists are)."""

    def __init__(
        self,
        rows: Sequence[dict],
        columns: Sequence[str | Column],
        lang: str | None = None,
        *,
        headers: Sequence[str] | None = None,
        header: bool = True,
        edge: int = EDGE,
        gap: int = GAP,
        first_style: Style | None = None,
    ):
        self.columns = resolve(columns)
        self.headers = [_flat(str(h)) for h in headers] if headers else [c.header(lang) for c in self.columns]
        self.header = header
        self.edge, self.gap, self.first_style = edge, gap, first_style
        self.rows = rows

    @cached_property
    def shown(self) -> list[list[str]]:
        """What each cell shows, on one line."""
        names = [c.name for c in self.columns]
        return [[_flat(cells.text(row.get(n))) for n in names] for row in self.rows]

    @cached_property
    def lens(self) -> list[list[int]]:
        """How many terminal cells each shown cell takes (CJK counts two)."""
        return [[cell_len(text) for text in row] for row in self.shown]

    @cached_property
    def widths(self) -> tuple[list[int], list[int]]:
        """Each column's natural width (its widest cell) and floor (the least it can take)."""
        natural, floor = [], []
        for i, column in enumerate(self.columns):
            widest = max((row[i] for row in self.lens), default=0)
            if column.kind == "rate":  # 97.8% (90/92) breaks only at its space
                least = max((cell_len(part) for row in self.shown for part in row[i].split(" ")), default=0)
            elif column.wraps:
                least = min(widest, column.min_width)
            else:
                least = widest
            if self.header:
                head = self.headers[i]
                widest = max(widest, cell_len(head))
                least = max(least, min(HEADER_BREAK, max((cell_len(w) for w in head.split()), default=0)))
            natural.append(max(widest, 1))
            floor.append(max(least, 1))
        return natural, floor

    # --- layout -------------------------------------------------------------------------

    def _overhead(self, n: int) -> int:
        return 2 * self.edge + self.gap * max(n - 1, 0)

    def fit(self, width: int) -> tuple[list[int], list[int]]:
        """(kept column indexes, their widths) for a terminal `width`."""
        natural, floor = self.widths
        kept = list(range(len(self.columns)))
        ranked = sorted((c.drop, i) for i, c in enumerate(self.columns) if c.drop and i > 0)
        for _rank, i in ranked:
            if sum(floor[k] for k in kept) + self._overhead(len(kept)) <= width:
                break
            kept.remove(i)
        room = width - self._overhead(len(kept))
        floors = [floor[k] for k in kept]
        wraps = [self.columns[k].wraps for k in kept]
        for least in (SQUEEZED, 1):
            if sum(floors) <= room:
                break
            # Too narrow even so: text, rates and their headers break inside words rather than
            # the terminal cutting the line.
            floors = [min(f, least) if w else f for f, w in zip(floors, wraps, strict=True)]
        return kept, _share(room, [natural[k] for k in kept], floors)

    # --- drawing ------------------------------------------------------------------------

    def _line(self, parts: list[tuple[str, Style | None]]) -> list[Segment]:
        """One line of cells, as few segments as its styles allow (most lines: one)."""
        segments, gap = [], " " * self.gap
        text, style = " " * self.edge, None
        for n, (cell, cell_style) in enumerate(parts):
            if n:
                text += gap
            if cell_style != style:
                if text:
                    segments.append(Segment(text, style))
                text, style = "", cell_style
            text += cell
        segments.append(Segment(text, style))
        return segments

    def _rule(self, widths: list[int]) -> str:
        return " " + "─" * (sum(widths) + self._overhead(len(widths)) - 2)

    def terminal_lines(self, console, width: int) -> Iterator[list[Segment]]:
        """The table fitted to `width`, as lines of styled segments."""
        kept, widths = self.fit(width)
        columns = [self.columns[k] for k in kept]
        rights = [c.right for c in columns]

        def row_lines(texts, lens, styles):
            wrapped, single = [], True
            for text, n, w, right in zip(texts, lens, widths, rights, strict=True):
                if n <= w:
                    wrapped.append([" " * (w - n) + text if right else text + " " * (w - n)])
                else:
                    wrapped.append([_pad(line, w, right) for line in _wrap(console, text, w)] or [" " * w])
                    single = False
            if single:
                yield self._line(list(zip([w[0] for w in wrapped], styles, strict=True)))
                return
            for n in range(max(len(w) for w in wrapped)):
                parts = []
                for lines, w, style in zip(wrapped, widths, styles, strict=True):
                    parts.append((lines[n] if n < len(lines) else " " * w, style))
                yield self._line(parts)

        if self.header:
            yield []
            heads = [self.headers[k] for k in kept]
            yield from row_lines(heads, [cell_len(h) for h in heads], [_HEADER] * len(kept))
            yield [Segment(self._rule(widths))]
        names = [c.name for c in columns]
        for values, row, lens in zip(self.rows, self.shown, self.lens, strict=True):
            styles = [
                _NONE if values.get(n) is None else (self.first_style if k == 0 else None)
                for k, n in zip(kept, names, strict=True)
            ]
            yield from row_lines([row[k] for k in kept], [lens[k] for k in kept], styles)
        if self.header:
            yield []

    def plain_lines(self) -> Iterator[str]:
        """The table as plain text for a pipe or a file: every column, whole rows, no styles."""
        widths = [min(n, PIPE_CAP) for n in self.widths[0]]
        rights = [c.right for c in self.columns]
        lead, gap = " " * self.edge, " " * self.gap

        def line(texts, lens):
            padded = (
                (" " * (w - n) + t if r else t + " " * (w - n)) if n < w else t
                for t, n, w, r in zip(texts, lens, widths, rights, strict=True)
            )
            return (lead + gap.join(padded)).rstrip()

        if self.header:
            yield line(self.headers, [cell_len(h) for h in self.headers])
            yield self._rule(widths)
        for row, lens in zip(self.shown, self.lens, strict=True):
            yield line(row, lens)

    def __rich_console__(self, console, options):
        if console.is_terminal:
            for segments in self.terminal_lines(console, options.max_width):
                yield from segments
                yield Segment.line()
        else:
            for text in self.plain_lines():
                yield Segment(text)
                yield Segment.line()

    # --- Markdown -----------------------------------------------------------------------

    def markdown(self) -> list[str]:
        """A pipe table; user text inert (cells.md_cell), numbers right-aligned."""
        names = [c.name for c in self.columns]
        lines = [
            "| " + " | ".join(cells.md_escape(h) for h in self.headers) + " |",
            "|" + "|".join("---:" if c.right else "---" for c in self.columns) + "|",
        ]
        lines += ["| " + " | ".join(cells.md_cell(row.get(n)) for n in names) + " |" for row in self.rows]
        return lines


def _wrap(console, text: str, width: int) -> list[str]:
    """Lines of at most `width` cells: at spaces where there are any, else anywhere, as rich
    wraps a table cell (without building a Text for text that has no spaces, most Chinese)."""
    if " " not in text:
        return chop_cells(text, width)
    return [line.plain.rstrip() for line in Text(text).wrap(console, width, overflow="fold")]


def _pad(text: str, width: int, right: bool) -> str:
    pad = width - cell_len(text)
    if pad <= 0:
        return text
    return " " * pad + text if right else text + " " * pad


def _share(room: int, natural: list[int], floor: list[int]) -> list[int]:
    """Widths within `room`: all natural if they fit, else the widest cut down first to a common
    level, none below its floor (floors that do not fit are kept: the line is then too long)."""
    if sum(natural) <= room:
        return natural

    def at(level):
        return [max(f, min(n, level)) for n, f in zip(natural, floor, strict=True)]

    low, high = 0, max(natural)
    while low < high:  # the highest level that fits
        mid = (low + high + 1) // 2
        if sum(at(mid)) <= room:
            low = mid
        else:
            high = mid - 1
    widths = at(low)
    # Whole cells left over go to the columns cut at that level, left to right.
    spare = room - sum(widths)
    for i, (n, w) in enumerate(zip(natural, widths, strict=True)):
        if spare <= 0:
            break
        if n > w:
            widths[i] += 1
            spare -= 1
    return widths
