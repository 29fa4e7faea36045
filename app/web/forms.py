"""The settings form: fields drawn from the settings document, and its validation errors mapped
back to the fields they belong to."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError

from app.orgs.scoring_settings import ScoringSettingsDocument, Thresholds, Weights

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_LABELS = {
    "no_callback_business_hours": "No callback after (business hours)",
    "slow_reply_business_hours": "Slow reply over (business hours)",
    "slow_reply_median_multiple": "Slow reply over (times own median)",
    "ghosting_attempts": "Ghosting: unanswered attempts",
    "ghosting_business_days": "Ghosting: business days open",
    "repeated_apologies_count": "Repeated apologies: count",
    "repeated_apologies_window_days": "Repeated apologies: within (days)",
    "words_not_actions_window_days": "Words, not actions: within (days)",
    "reschedules_count": "Reschedules: count",
    "cooling_multiple": "Cooling: last vs first exchanges (times)",
    "cooling_window_exchanges": "Cooling: exchanges compared",
    "prompt_reply_business_hours": "Prompt replies: median up to (business hours)",
    "thank_you_window_hours": "Thank-you note within (hours)",
    "decay_half_life_days": "Older evidence: half-life (days)",
}


@dataclass(frozen=True)
class NumberField:
    name: str
    label: str
    integer: bool
    bounds: str


def _bounds(info: Any) -> str:
    low = high = ""
    for item in info.metadata:
        if isinstance(item, Ge):
            low = f"≥ {item.ge}"
        elif isinstance(item, Gt):
            low = f"> {item.gt}"
        elif isinstance(item, Le):
            high = f"≤ {item.le}"
        elif isinstance(item, Lt):
            high = f"< {item.lt}"
    return ", ".join(b for b in (low, high) if b)


def _number_fields(group: str, model: type[BaseModel]) -> list[NumberField]:
    fields = []
    for name, info in model.model_fields.items():
        label = _LABELS.get(name, name.replace("_", " ").capitalize())
        fields.append(
            NumberField(
                name=f"{group}.{name}",
                label=label,
                integer=info.annotation is int,
                bounds=_bounds(info),
            )
        )
    return fields


THRESHOLD_FIELDS = _number_fields("thresholds", Thresholds)
WEIGHT_FIELDS = _number_fields("weights", Weights)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def form_values(document: ScoringSettingsDocument) -> dict[str, Any]:
    """The document as the form shows it (strings, days as a list)."""
    values: dict[str, Any] = {
        "working_hours.days": [str(d) for d in document.working_hours.days],
        "working_hours.start": document.working_hours.start,
        "working_hours.end": document.working_hours.end,
        "holiday_country": document.holiday_country or "",
        "timezone": document.timezone,
        "body_retention": document.body_retention,
    }
    for group, model in (("thresholds", document.thresholds), ("weights", document.weights)):
        for name, value in model.model_dump().items():
            values[f"{group}.{name}"] = _number_text(value)
    return values


def read_form(form: Mapping[str, str], days: Sequence[str]) -> dict[str, Any]:
    """The submitted form as the form shows it (for re-display with errors)."""
    values: dict[str, Any] = {"working_hours.days": list(days)}
    names = ["working_hours.start", "working_hours.end", "holiday_country", "timezone"]
    names += ["body_retention"] + [f.name for f in THRESHOLD_FIELDS + WEIGHT_FIELDS]
    for name in names:
        values[name] = (form.get(name) or "").strip()
    return values


def _document_input(values: Mapping[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "working_hours": {
            "days": values["working_hours.days"],
            "start": values["working_hours.start"],
            "end": values["working_hours.end"],
        },
        "holiday_country": values["holiday_country"] or None,
        "timezone": values["timezone"],
        "body_retention": values["body_retention"],
        "thresholds": {},
        "weights": {},
    }
    for field in THRESHOLD_FIELDS + WEIGHT_FIELDS:
        group, name = field.name.split(".")
        raw[group][name] = values[field.name]
    return raw


def _is_number(raw: object) -> bool:
    try:
        float(str(raw))
    except ValueError:
        return False
    return True


def _message(error: Mapping[str, Any]) -> str:
    text = str(error.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    if error.get("type") in ("float_parsing", "int_parsing", "float_type", "int_type"):
        raw = error.get("input")
        if raw in ("", None):
            return "Enter a number."
        if error.get("type") == "int_parsing" and _is_number(raw):
            return "Enter a whole number."
        return "This is not a number."
    if error.get("type") == "too_short" and list(error.get("loc", ()))[:2] == [
        "working_hours",
        "days",
    ]:
        return "Choose at least one working day."
    ctx = error.get("ctx") or {}
    bounds = {
        "greater_than_equal": ("Must be at least", "ge"),
        "greater_than": ("Must be more than", "gt"),
        "less_than_equal": ("Must be at most", "le"),
        "less_than": ("Must be less than", "lt"),
    }
    if error.get("type") in bounds:
        words, key = bounds[str(error["type"])]
        limit = ctx.get(key)
        shown = _number_text(limit) if isinstance(limit, int | float) else str(limit)
        return f"{words} {shown}."
    if error.get("type") == "int_from_float":
        return "Enter a whole number."
    return text[:1].upper() + text[1:]


def validate(
    values: Mapping[str, Any],
) -> tuple[ScoringSettingsDocument | None, dict[str, str]]:
    """Validate the submitted form; return the document, or the errors by field name."""
    try:
        return ScoringSettingsDocument.model_validate(_document_input(values)), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            if loc[:2] == ["working_hours", "days"]:
                name = "working_hours.days"
            elif loc == ["working_hours"]:
                name = "working_hours.end"
            else:
                name = ".".join(loc[:2])
            errors.setdefault(name, _message(error))
        return None, errors
