"""Pure pieces of the pages: intent highlighting, SVG charts, settings form errors."""

from datetime import UTC, datetime, timedelta

from app.orgs.scoring_settings import ScoringSettingsDocument
from app.web import charts, forms
from app.web.views import Segment, highlight, relative, wall_clock


def test_highlight_marks_each_phrase_once_case_insensitively() -> None:
    text = "I am SO sorry, I was travelling. Still very interested!"
    segments = highlight(
        text, [("apology", "so sorry"), ("excuse", "travelling"), ("assurance", "nope")]
    )
    assert "".join(s.text for s in segments) == text
    assert [s for s in segments if s.intent] == [
        Segment("SO sorry", "apology"),
        Segment("travelling", "excuse"),
    ]


def test_highlight_skips_overlaps_and_keeps_html_as_text() -> None:
    text = "<b>sorry</b> sorry"
    segments = highlight(text, [("apology", "sorry"), ("excuse", "sorry")])
    assert "".join(s.text for s in segments) == text
    assert [s.text for s in segments if s.intent] == ["sorry", "sorry"]


def test_charts_escape_text_and_draw_bars() -> None:
    bars = [
        charts.BreakdownBar("ghosting", "<script>", -40, 'detail "quoted" & <b>'),
        charts.BreakdownBar("prompt_replies", "Prompt", 10, "ok"),
    ]
    svg = str(charts.breakdown_chart(bars))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;b&gt;" in svg
    assert svg.count("<rect") == 2
    assert charts.breakdown_chart([]) == ""
    start = datetime(2026, 11, 2, tzinfo=UTC)
    line = str(charts.sparkline([(start, 2.0), (start + timedelta(days=3), 20.0)], slow_at=16))
    assert line.count("<circle") == 2
    assert 'class="dot slow"' in line
    bar = str(charts.latency_bar(20, scale_max=40, slow_at=16, running=True))
    assert "slow running" in bar


def test_durations_read_naturally() -> None:
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert relative(now - timedelta(days=3, hours=2), now) == "3 days ago"
    assert relative(now + timedelta(hours=1), now) == "in 1 hour"
    assert relative(None, now) == "never"
    assert wall_clock(3 * 86400 + 4 * 3600) == "3d 4h"
    assert wall_clock(5400) == "1h 30m"


def test_settings_form_round_trips_and_names_bad_fields() -> None:
    document = ScoringSettingsDocument()
    values = forms.form_values(document)
    parsed, errors = forms.validate(values)
    assert errors == {}
    assert parsed == document
    values |= {
        "working_hours.days": [],
        "working_hours.start": "18:00",
        "holiday_country": "XX",
        "thresholds.ghosting_attempts": "2.5",
        "weights.ghosting": "101",
        "thresholds.cooling_multiple": "",
    }
    _, errors = forms.validate(values)
    assert errors == {
        "working_hours.days": "Choose at least one working day.",
        "holiday_country": errors["holiday_country"],
        "thresholds.ghosting_attempts": "Enter a whole number.",
        "thresholds.cooling_multiple": "Enter a number.",
        "weights.ghosting": "Must be at most 100.",
    }
    assert "XX" in errors["holiday_country"]
    values |= {"working_hours.days": ["0"], "holiday_country": "", "weights.ghosting": "1"}
    values |= {"thresholds.ghosting_attempts": "3", "thresholds.cooling_multiple": "2"}
    _, errors = forms.validate(values)
    assert errors == {
        "working_hours.end": "Start must be before end (overnight shifts are not supported)"
    }
