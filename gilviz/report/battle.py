"""The old GIL's battle in words: its figures, a headline and what they mean
(analysis.interpreters.Battle)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..analysis.interpreters import Battle


def battle_figures(battle: Battle, per_second: str = "a second") -> list[str]:
    """The old GIL's battle in figures: ["13,400 hand-offs a second", "2,100
    failed wake-ups a second", "32 % of the CPU time in the OS kernel"]."""
    figures = ["%s hand-offs %s" % (format(int(round(battle.handoffs_per_s)), ","), per_second)]
    if battle.failed_wakeups_per_s is not None:
        figures.append("%s failed wake-ups %s" % (
            format(int(round(battle.failed_wakeups_per_s)), ","), per_second))
    if battle.kernel_share is not None:
        figures.append("%.0f%% of the CPU time in the OS kernel" % (100 * battle.kernel_share))
    return figures


def battle_headline(battle: Battle, short: bool = False) -> str:
    """"on 2 cores the threads fight for the GIL", or on one core, that they
    do not; `short`: "GIL battle", "no battle on one core"."""
    if battle.cores < 2:
        return "no battle on one core" if short else \
            "on one core the threads take turns without a fight"
    return "GIL battle" if short else "on %d cores the threads fight for the GIL" % battle.cores


def battle_text(battle: Battle) -> str:
    """The battle's figures and what they mean, after Beazley (2009, 2010):
    "old GIL: 13,400 hand-offs a second, ...; on 2 cores the threads fight
    for the GIL: the holder lets go ..."."""
    reading = battle_headline(battle)
    if battle.cores >= 2:
        reading += (": the holder lets go every check interval and takes it straight back, "
                    "and the threads it wakes find it gone")
    return "old GIL: %s; %s" % (", ".join(battle_figures(battle)), reading)
