"""What every provider adapter shares: the raw request, signature checks, and the changes
an adapter asks for.

An adapter is a module with two functions and no database access:

    verify(request, secret, now) -> nonce | None    raises InvalidSignature (→ 401, nothing stored)
    parse(request, now) -> Delivery                 never raises for a provider's odd payload

`Delivery.changes` are plain instructions (`UpsertCandidate`, `RecordEvent`, `EraseCandidate`,
`InboundMail`) that `service.py` applies in one transaction; adapters never write anything.
"""

import hashlib
import hmac
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import python_multipart


class InvalidSignature(Exception):
    """The delivery is not authentic (bad, missing, stale or replayed signature)."""


class Malformed(Exception):
    """The delivery is authentic but cannot be read; it is logged and answered 2xx."""


@dataclass(frozen=True)
class InboundRequest:
    """One webhook delivery as received: the raw bytes and the headers (lower-case names)."""

    public_url: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    form_raw: dict[str, bytes] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Person:
    """A candidate as a provider describes them; `ref` is the provider's own id."""

    ref: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    job: str | None = None
    stage: str | None = None
    status: str | None = None
    timezone: str | None = None
    recruiter_email: str | None = None


@dataclass
class UpsertCandidate:
    """Create the candidate if new, then set the given fields (stage, status, ...)."""

    person: Person
    links: tuple[str, ...] = ()  # more of the provider's refs for this candidate


@dataclass
class EraseCandidate:
    """The provider deleted or anonymised the candidate: erase them here too."""

    ref: str


@dataclass
class RecordEvent:
    """Record one contract event for the candidate the provider calls `person` (or `via`)."""

    event: dict[str, Any]
    person: Person | None = None
    via: tuple[str, ...] = ()  # refs already linked to the candidate (interview, application)
    links: tuple[str, ...] = ()  # refs to link to the candidate for later deliveries
    # For a `scheduled` meeting: the ref of the interview; seen before → `rescheduled`.
    reschedule_ref: str | None = None
    recruiter_email: str | None = None
    phone: str | None = None  # match the candidate by phone number instead (Twilio)
    phone_region: str | None = None


@dataclass
class InboundMail:
    """A parsed e-mail message; the service matches it to candidates by address."""

    message: Any  # app.integrations.email.ParsedMail (kept loose to avoid an import cycle)


Change = UpsertCandidate | EraseCandidate | RecordEvent | InboundMail


@dataclass
class Delivery:
    """What one authentic delivery says: its dedupe key, kind, and the changes it asks for."""

    key: str
    kind: str
    changes: list[Change] = field(default_factory=list)
    note: str | None = None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: str) -> str:
    """Text fit to store: undecodable bytes read as Windows-1252, control characters gone."""
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        try:
            raw = value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # lone surrogates from JSON escapes: not text at all
            value = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in value)
        else:
            try:
                value = raw.decode("utf-8")
            except UnicodeDecodeError:
                value = raw.decode("cp1252", "replace")
            value = value.encode("utf-8", "replace").decode("utf-8", "replace")
    return _CONTROL.sub("", value)


def hmac_hex(secret: str | bytes, message: bytes, digest: str = "sha256") -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, digest).hexdigest()


def verify_body_sha256(
    request: InboundRequest, secret: str, *, header: str, separator: str, provider: str
) -> None:
    """Check a `sha256<separator><hex HMAC-SHA256 of the raw body>` header (Greenhouse, Ashby)."""
    scheme, _, signature = request.header(header.lower()).partition(separator)
    if scheme.strip().lower() != "sha256" or not signature:
        raise InvalidSignature(f"Missing '{header}: sha256{separator}<hex>' header.")
    if not same(hmac_hex(secret, request.body), signature.strip().lower()):
        raise InvalidSignature(f"The {provider} signature does not match.")


def same(expected: str, given: str) -> bool:
    """Compare two signatures in constant time (ASCII only; anything else never matches)."""
    try:
        return hmac.compare_digest(expected.encode("ascii"), given.strip().encode("ascii"))
    except UnicodeEncodeError:
        return False


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def load_json(body: bytes) -> dict[str, Any]:
    """Parse a JSON object body, or raise Malformed."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed("The body is not JSON.") from exc
    if not isinstance(data, dict):
        raise Malformed("The body is not a JSON object.")
    return data


def text(value: Any, limit: int = 300) -> str | None:
    """A provider's scalar as short text (numbers become text; anything else is None)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        out = clean(str(value)).strip()
        return out[:limit] if out else None
    return None


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 / RFC 3339 timestamp (offset required, `Z` accepted) or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def from_millis(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def read_form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """Read a form body: text fields (UTF-8) and the raw bytes of every field.

    URL-encoded forms come from Twilio; multipart ones from Mailgun and SendGrid, whose raw
    MIME fields must stay bytes (a message may be in any charset). Attachments (parts with a
    file name) are skipped. A body that is not a form gives empty dicts.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    fields: dict[str, str] = {}
    raw: dict[str, bytes] = {}
    if media == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        except ValueError:
            return {}, {}
        for name, value in pairs:
            fields.setdefault(name, value)
            raw.setdefault(name, value.encode())
        return fields, raw
    if media != "multipart/form-data":
        return {}, {}

    def on_field(field: Any) -> None:
        name = field.field_name.decode("utf-8", "replace")
        value = field.value or b""
        raw.setdefault(name, value)
        fields.setdefault(name, value.decode("utf-8", "replace"))

    def on_file(file: Any) -> None:  # attachments are ignored
        file.close()

    try:
        python_multipart.parse_form(
            {"Content-Type": content_type.encode("latin-1", "replace")},
            io.BytesIO(body),
            on_field,
            on_file,
        )
    except Exception:  # a broken form is simply not a form
        return {}, {}
    return fields, raw


def meeting_channel(*hints: Any) -> str:
    """`video` for a meeting link, `in_person` for an address, `phone` for a call, else other."""
    joined = " ".join(str(h) for h in hints if isinstance(h, str) and h).lower()
    if not joined:
        return "other"
    if any(w in joined for w in ("http", "zoom", "meet.", "teams", "webex", "video")):
        return "video"
    if any(w in joined for w in ("phone", "call", "tel:")):
        return "phone"
    return "in_person"


def full_name(*parts: Any) -> str | None:
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return joined[:300] or None
