"""How numbers are written everywhere gilviz speaks: durations, intervals,
cores, counts, ratios and aligned tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def format_duration(ns: float) -> str:
    """A duration with the unit that keeps it short: 21 ns, 3.4 µs, 41 µs,
    5.02 ms, 15.9 ms, 1.2 s, 40 s, 3 min 05 s, 1 h 02 min."""
    if ns < 999.5:
        return "%.0f ns" % ns
    if ns < 9.95e3:
        return "%.1f µs" % (ns / 1e3)
    if ns < 1e6:
        return "%.0f µs" % (ns / 1e3)
    if ns < 1e7:
        return "%.2f ms" % (ns / 1e6)
    if ns < 1e9:
        return "%.1f ms" % (ns / 1e6)
    if ns < 9.95e9:
        return "%.1f s" % (ns / 1e9)
    seconds = int(round(ns / 1e9))
    if seconds < 60:
        return "%d s" % seconds
    if seconds < 3600:
        return "%d min %02d s" % divmod(seconds, 60)
    return "%d h %02d min" % (seconds // 3600, seconds % 3600 // 60)


def format_interval(seconds: float) -> str:
    """A switch interval as written on the command line: 5 ms, 0.5 ms, 100 µs, 1 s."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3)):
        if seconds >= scale:
            return "%g %s" % (round(seconds / scale, 6), unit)
    return "%g µs" % round(seconds / 1e-6, 6)


def format_cores(cores: Iterable[int]) -> str:
    """[0, 1, 2, 5] -> "0-2,5"."""
    ranges: list[list[int]] = []
    for core in sorted(cores):
        if ranges and core == ranges[-1][1] + 1:
            ranges[-1][1] = core
        else:
            ranges.append([core, core])
    return ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in ranges)


def format_times(ratio: float) -> str:
    """"1.16×", "0.03×", or "118×" where the decimals would be noise."""
    return "%.0f×" % ratio if ratio >= 10 else "%.2f×" % ratio


def short_count(count: int) -> str:
    """"50,000", "4e8", "1.5e9": large counts as the command line takes them."""
    if count < 10**6:
        return format(count, ",")
    mantissa, exponent = ("%.2e" % count).split("e")
    return "%se%d" % (mantissa.rstrip("0").rstrip("."), int(exponent))


def plural(count: int, noun: str) -> str:
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")


def ms_cell(ns: float | None) -> str:
    return "" if ns is None else "%.1f" % (ns / 1e6)


def percent_cell(share: float | None) -> str:
    return "" if share is None else "%.0f%%" % (100 * share)


def count_cell(value: float | None) -> str:
    return "" if value is None else "%d" % value


def format_table(rows: Sequence[Sequence[str]], aligns: Sequence[str]) -> list[str]:
    """Rows of cells as lines of aligned columns; `aligns` has "<" or ">" a column."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(aligns))]
    return ["  ".join(("{:%s%d}" % (align, width)).format(cell)
                      for cell, align, width in zip(row, aligns, widths)).rstrip()
            for row in rows]
