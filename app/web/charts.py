"""Small charts as inline SVG, drawn on the server (no JavaScript, no external assets).

Every text that reaches the SVG is escaped; numbers are formatted here. Colours come from
CSS classes in `static/app.css`, so the page's Content-Security-Policy can forbid inline
styles. Each chart carries a <title> and an aria-label; pages show the numbers as text too.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape


@dataclass(frozen=True)
class BreakdownBar:
    code: str
    label: str
    points: int
    detail: str


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def breakdown_chart(items: Sequence[BreakdownBar], *, width: int = 340) -> Markup:
    """A diverging bar chart: negative signals to the left of zero, positive to the right."""
    if not items:
        return Markup("")
    row, label_w, pad = 24, 150, 30
    height = row * len(items) + 8
    plot = width - label_w - pad * 2
    neg = max([-i.points for i in items if i.points < 0], default=0)
    pos = max([i.points for i in items if i.points > 0], default=0)
    total = max(neg + pos, 1)
    # Zero sits where the negative and positive extents meet, so one-sided charts use the width.
    zero = label_w + pad + plot * neg / total
    scale = plot / total
    title = "Score breakdown: " + "; ".join(f"{i.label} {i.points:+d}" for i in items)
    parts = [
        f'<svg class="chart breakdown" viewBox="0 0 {width} {height}" width="{width}" '
        f'role="img" aria-label="{escape(title)}" focusable="false">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{height}"/>',
    ]
    for n, item in enumerate(items):
        y = 4 + n * row
        length = abs(item.points) * scale
        x = zero - length if item.points < 0 else zero
        kind = "neg" if item.points < 0 else "pos"
        value_x = x - 4 if item.points < 0 else x + length + 4
        anchor = "end" if item.points < 0 else "start"
        parts.append(
            f'<g class="bar {kind}"><title>{escape(item.label)}: {item.points:+d} — '
            f"{escape(item.detail)}</title>"
            f'<text class="label" x="{label_w - 6}" y="{y + 14}" text-anchor="end">'
            f"{escape(item.label)}</text>"
            f'<rect x="{x:.1f}" y="{y + 3}" width="{max(length, 1):.1f}" height="{row - 8}" '
            f'rx="2"/>'
            f'<text class="value" x="{value_x:.1f}" y="{y + 14}" text-anchor="{anchor}">'
            f"{item.points:+d}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def latency_bar(
    hours: float, *, scale_max: float, slow_at: float, running: bool = False, width: int = 220
) -> Markup:
    """One exchange's reply time in business hours as a horizontal bar (marked when slow)."""
    height = 14
    fraction = 0.0 if scale_max <= 0 else min(hours / scale_max, 1.0)
    length = max(fraction * width, 2.0)
    kind = "slow" if hours > slow_at else "ok"
    if running:
        kind += " running"
    threshold_x = min(slow_at / scale_max, 1.0) * width if scale_max > 0 else width
    label = f"{_num(hours)} business hours" + (" so far" if running else "")
    return Markup(
        f'<svg class="latency-bar {kind}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}" focusable="false">'
        f'<rect class="track" x="0" y="2" width="{width}" height="{height - 4}" rx="2"/>'
        f'<rect class="fill" x="0" y="2" width="{length:.1f}" height="{height - 4}" rx="2"/>'
        f'<line class="threshold" x1="{threshold_x:.1f}" y1="0" x2="{threshold_x:.1f}" '
        f'y2="{height}"/></svg>'
    )


def sparkline(
    points: Sequence[tuple[datetime, float]],
    *,
    slow_at: float | None = None,
    width: int = 260,
    height: int = 56,
) -> Markup:
    """Reply time (business hours) of each closed exchange over time, oldest to newest."""
    if not points:
        return Markup("")
    pad = 5
    top = max([v for _, v in points] + ([slow_at] if slow_at else []) + [1.0])
    t0 = points[0][0].timestamp()
    span = max(points[-1][0].timestamp() - t0, 1.0)

    def xy(at: datetime, value: float) -> tuple[float, float]:
        x = pad + (at.timestamp() - t0) / span * (width - 2 * pad) if len(points) > 1 else width / 2
        y = height - pad - value / top * (height - 2 * pad)
        return x, y

    coords = [xy(at, v) for at, v in points]
    title = "Reply time per exchange, in business hours, oldest first: " + ", ".join(
        _num(v) for _, v in points
    )
    parts = [
        f'<svg class="chart sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" focusable="false">',
        f"<title>{escape(title)}</title>",
    ]
    if slow_at:
        y = xy(points[0][0], slow_at)[1]
        parts.append(
            f'<line class="threshold" x1="{pad}" y1="{y:.1f}" x2="{width - pad}" y2="{y:.1f}">'
            f"<title>slow above {_num(slow_at)} business hours</title></line>"
        )
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline class="line" points="{path}"/>')
    for (x, y), (at, value) in zip(coords, points, strict=True):
        kind = "slow" if slow_at is not None and value > slow_at else "ok"
        parts.append(
            f'<circle class="dot {kind}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(at.strftime('%d %b'))}: {_num(value)} business hours</title>"
            f"</circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
