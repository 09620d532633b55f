"""The charts of the satisfaction page and the weekly report, built from the services' results."""

from __future__ import annotations

from server.reports.charts import ALARM, CALM, OK, WARN, Bar, Marker, bar_chart
from server.services.answer_times import TARGETS, AnswerTimes
from server.services.satisfaction import UNPLACED, Group
from server.web.i18n import Translator

STAR_TICKS = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def type_name(t: Translator, key: str) -> str:
    return t(f"reports.types.{key}")


def grid_name(t: Translator, key: str) -> str:
    return t("reports.unplaced") if key == UNPLACED else key


def stars_chart(groups: list[Group], t: Translator, label=None) -> str:  # type: ignore[no-untyped-def]
    """Average stars per group; 3 stars or fewer drawn in the warning colour."""
    label = label or (lambda key: key)
    bars = [Bar(label(g.key), g.average, f"{g.average:.2f} ★ ({g.count})",
                WARN if g.average <= 3 else CALM) for g in groups]
    return bar_chart(bars, scale_max=5.0, ticks=STAR_TICKS, title=t("reports.average"))


def quick_comments_chart(counts: list[tuple[str, int]], t: Translator) -> str:
    top = max((count for _, count in counts), default=1)
    step = max(1, -(-top // 5))
    ticks = [float(value) for value in range(0, top + step, step)]
    bars = [Bar(word, count, str(count)) for word, count in counts]
    return bar_chart(bars, scale_max=ticks[-1] or 1.0, ticks=ticks,
                     title=t("reports.weekly.quick_comments"))


def answers_chart(answers: AnswerTimes, t: Translator) -> str:
    """Share of alarms answered within each limit, with the target marked on each row's scale."""
    bars, markers = [], []
    for seconds, target in TARGETS:
        share = answers.percent(seconds)
        met = answers.meets(seconds, target)
        text = "—" if share is None else f"{share}% ({answers.within[seconds]}/{answers.alarms})"
        bars.append(Bar(t("reports.weekly.within_short", seconds=seconds), share or 0.0, text,
                        OK if met else ALARM))
    markers.append(Marker(TARGETS[0][1], t("reports.weekly.target", target=TARGETS[0][1])))
    return bar_chart(bars, scale_max=100.0, ticks=[0.0, 25.0, 50.0, 75.0, 100.0],
                     markers=markers, title=t("reports.weekly.answers"))
