"""The history chart as a PNG that reads well on a phone (matplotlib, imported only when drawing)."""

from __future__ import annotations

import io

from bot.core.replies import HistoryChart

NIGHT_HOURS = {22, 23, 0, 1, 2, 3, 4, 5}
PARTS = ("night", "morning", "afternoon", "evening")  # the order of HistoryChart.by_part


def without_hour(chart: HistoryChart) -> str:
    """The cramps logged without a clock time, for under the hours chart ("also: 2 at night, 1 time not said")."""
    told = [f"{n} at {part}" if part == "night" else f"{n} in the {part}"
            for part, n in zip(PARTS, chart.by_part, strict=False) if n]
    if chart.untimed:
        told.append(f"{chart.untimed} time not said")
    return f"also, without a clock time: {', '.join(told)}" if told else ""


def history_png(chart: HistoryChart) -> bytes:
    """Two large, plain bar charts: cramps per day (last 30 days) and by hour of the day."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 15, "axes.titlesize": 18, "axes.titleweight": "bold"})
    figure, (days, hours) = plt.subplots(2, 1, figsize=(7.2, 9.6), dpi=120)
    positions = range(len(chart.days))
    days.bar(positions, chart.per_day, color="#3b82f6")
    days.set_title("Cramps per day, last 30 days")
    ticks = [i for i in positions if i % 7 == len(chart.days) % 7 - 1 or i == len(chart.days) - 1]
    days.set_xticks(ticks, [chart.days[i] for i in ticks])
    hours.bar(range(24), chart.per_hour, color=["#1e3a8a" if h in NIGHT_HOURS else "#60a5fa" for h in range(24)])
    hours.set_title("By time of day (dark = night)")
    hours.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
    label = f"local time, {chart.zone.rsplit('/', 1)[-1].replace('_', ' ')}"
    extra = without_hour(chart)
    hours.set_xlabel(f"{label}\n{extra}" if extra else label, fontsize=12)
    for axis in (days, hours):
        axis.yaxis.get_major_locator().set_params(integer=True)
        axis.spines[["top", "right"]].set_visible(False)
        axis.set_ylabel("cramps")
    figure.tight_layout(pad=1.5)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
