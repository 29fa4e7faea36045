"""E-mail in: a raw RFC 5322 message, a Mailgun route or a SendGrid Inbound Parse post.

Authentication (any one):
- `Authorization: Bearer <secret>` (forwarding rules, BCC addresses, an MTA pipe), or HTTP
  Basic with the secret as password (SendGrid: put `user:<secret>@` in the Parse URL);
- Mailgun: form fields `timestamp`, `token`, `signature` = hex HMAC-SHA256(signing key,
  timestamp + token); stale timestamps and reused tokens are refused.

Messages are parsed with the standard library (`email`, policy.default), never by hand. The
service matches them to candidates; this module only reads them.
"""

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

from app import language as message_language
from app.integrations.base import (
    Delivery,
    InboundMail,
    InboundRequest,
    InvalidSignature,
    Malformed,
    clean,
    hmac_hex,
    same,
)

MAILGUN_TOLERANCE = timedelta(minutes=10)
MAX_TEXT = 100_000
MAX_SUBJECT = 2000

# Reply/forward prefixes of mail clients (en, de, nl, es, fr, pt), read before the subject.
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|antw|wg|fw|fwd|rv|tr|res|enc)\s*:\s*)*", re.IGNORECASE)
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}


@dataclass
class ParsedMail:
    """What the service needs of one message."""

    message_id: str | None
    sender: str | None
    recipients: list[str]
    subject: str | None
    text: str
    own_words: str
    occurred_at: datetime | None
    in_reply_to: str | None
    references: list[str]
    auto_reply: bool
    raw: bytes = field(repr=False)

    @property
    def key(self) -> str:
        return "msg:" + (self.message_id or hashlib.sha256(self.raw).hexdigest())[:190]


# --- authentication ---------------------------------------------------------------------


def verify(request: InboundRequest, secret: str, now: datetime) -> str | None:
    """Accept a Bearer/Basic secret or a Mailgun signature; return Mailgun's one-time token."""
    authorization = request.header("authorization")
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer" and same(secret, credentials):
            return None
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except ValueError:
                raise InvalidSignature("Malformed Basic credentials.") from None
            if same(secret, decoded.partition(":")[2]):
                return None
        raise InvalidSignature("The Authorization header does not carry the secret.")
    timestamp = request.form.get("timestamp", "")
    token = request.form.get("token", "")
    signature = request.form.get("signature", "")
    if not (timestamp and token and signature):
        raise InvalidSignature(
            "Send 'Authorization: Bearer <secret>' or a signed Mailgun/SendGrid form."
        )
    if not same(hmac_hex(secret, (timestamp + token).encode()), signature.lower()):
        raise InvalidSignature("The Mailgun signature does not match.")
    try:
        sent_at = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidSignature("The Mailgun timestamp is not a number.") from None
    if abs(now - sent_at) > MAILGUN_TOLERANCE:
        raise InvalidSignature("The Mailgun timestamp is stale.")
    return "mailgun:" + clean(token)[:180]


# --- reading the delivery ---------------------------------------------------------------


def parse(request: InboundRequest, now: datetime) -> Delivery:
    raw = _raw_message(request)
    mail = parse_message(raw)
    return Delivery(key=mail.key, kind="email.message", changes=[InboundMail(mail)])


def _raw_message(request: InboundRequest) -> bytes:
    if request.content_type in ("message/rfc822", "text/plain", "application/octet-stream"):
        if not request.body.strip():
            raise Malformed("The message is empty.")
        return request.body
    for name in ("body-mime", "email"):  # Mailgun "forward to .../mime", SendGrid raw mode
        if request.form_raw.get(name):
            return request.form_raw[name]
    form = request.form
    if "headers" in form:  # SendGrid parsed mode
        parsed = BytesHeaderParser(policy=policy.default).parsebytes(
            form["headers"].encode("utf-8", "replace")
        )
        return _rebuild(list(parsed.items()), form.get("text"), form.get("html"))
    if "message-headers" in form:  # Mailgun's parsed forward (URL not ending in "mime")
        try:
            pairs = json.loads(form["message-headers"])
        except ValueError:
            pairs = []
        headers = (
            [(str(p[0]), str(p[1])) for p in pairs if isinstance(p, list) and len(p) == 2]
            if isinstance(pairs, list)
            else []
        )
        return _rebuild(headers, form.get("body-plain"), form.get("body-html"))
    raise Malformed(
        "No message found: send message/rfc822, a Mailgun 'body-mime' field or a SendGrid "
        "'email' field."
    )


def _rebuild(headers: list[tuple[str, Any]], text: str | None, html: str | None) -> bytes:
    """A plain message from a provider's parsed fields (its own headers, the text part)."""
    message = EmailMessage()
    for name, value in headers:
        if name.lower().startswith("content-") or name.lower() in ("mime-version", ""):
            continue
        try:
            message[name] = value
        except Exception:  # a header the policy refuses is left out
            continue
    body = text or (html_to_text(html) if html else "")
    try:
        message.set_content(clean(body))
        return message.as_bytes()
    except Exception as exc:
        raise Malformed("The provider's parsed message cannot be rebuilt.") from exc


def parse_message(raw: bytes) -> ParsedMail:
    """Read one RFC 5322 message; odd headers are skipped, never fatal."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; this is belt and braces
        raise Malformed("The message cannot be parsed.") from exc
    if not isinstance(message, EmailMessage) or not message.keys():
        raise Malformed("The message has no headers.")
    sender = _addresses(message, "from")
    recipients = _addresses(message, "to", "cc")
    subject = _header(message, "subject")
    text = clean(_body_text(message))[:MAX_TEXT]
    ids = _message_ids(_header(message, "message-id"))
    return ParsedMail(
        message_id=ids[0] if ids else None,
        sender=sender[0] if sender else None,
        recipients=[a for a in dict.fromkeys(recipients) if a not in sender[:1]],
        subject=subject[:MAX_SUBJECT] if subject else None,
        text=text,
        own_words=own_words(text),
        occurred_at=_date(message),
        in_reply_to=next(iter(_message_ids(_header(message, "in-reply-to"))), None),
        references=_message_ids(_header(message, "references")),
        auto_reply=is_auto_reply(message, subject),
        raw=raw,
    )


def own_words(text: str) -> str:
    """The writer's own words: quoted replies and signatures removed (the classifier's rules)."""
    return message_language.extract_own_words(text)


def is_auto_reply(message: Any, subject: str | None) -> bool:
    """RFC 3834 and the de-facto headers of autoresponders, then a localised subject."""
    auto_submitted = _header(message, "auto-submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return True
    if _header(message, "x-autoreply") or _header(message, "x-autorespond"):
        return True
    if _header(message, "precedence").lower() in _AUTO_PRECEDENCE:
        return True
    suppress = _header(message, "x-auto-response-suppress").lower()
    if any(word in suppress for word in ("all", "oof", "autoreply")):
        return True
    if not subject:
        return False
    # The classifier's phrases, in every supported language, but only as the subject's
    # opening: "Re: Interview, I'm on leave next week" is a person writing.
    opening = subject[_REPLY_PREFIX.match(subject).end() :]  # type: ignore[union-attr]
    phrase = message_language.auto_reply_subject(opening)
    return phrase is not None and opening.lower().startswith(phrase.lower())


def _header(message: Any, name: str) -> str:
    try:
        value = message.get(name)
        return clean(str(value)).strip() if value is not None else ""
    except Exception:  # a header the policy cannot parse is ignored
        return ""


def _addresses(message: Any, *names: str) -> list[str]:
    found: list[str] = []
    for name in names:
        try:
            values = message.get_all(name) or []
        except Exception:
            continue
        for value in values:
            try:
                addresses = getattr(value, "addresses", None)
                if addresses is not None:
                    specs = [a.addr_spec for a in addresses if isinstance(a, Address) and a.domain]
                else:
                    specs = [a for _, a in getaddresses([str(value)]) if "@" in a]
            except Exception:
                continue
            found.extend(spec.lower() for spec in specs if _plain(spec))
    return found


def _plain(address: str) -> bool:
    return clean(address) == address and " " not in address and len(address) <= 320


_MSG_ID = re.compile(r"<([\x21-\x3b\x3d\x3f-\x7e]{1,900})>")


def _message_ids(value: str) -> list[str]:
    ids = _MSG_ID.findall(value)
    if not ids and value.strip() and " " not in value.strip():
        ids = [value.strip().strip("<>")]
    return [i for i in ids if i]


def _date(message: Any) -> datetime | None:
    try:
        header = message.get("date")
        value = getattr(header, "datetime", None)
    except Exception:
        return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:  # "-0000": the zone is unknown; RFC 5322 reads it as UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _body_text(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        part = None
    if part is None:
        return ""
    content = _content(part)
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content


def _content(part: Any) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except Exception:  # unknown charset, broken transfer encoding
        pass
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return ""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


class _TextExtractor(HTMLParser):
    """Visible text of an HTML mail; quoted replies (blockquote, gmail_quote) left out."""

    _BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "hr"}
    _SKIP = {"style", "script", "head", "title", "blockquote"}
    _VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # open elements: does each hide its content?

    @property
    def hidden(self) -> bool:
        return any(hides for _, hides in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k in ("class", "id")).lower()
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag in self._VOID:
            return
        quoted = any(
            marker in classes
            for marker in ("gmail_quote", "gmail_signature", "divrplyfwdmsg", "moz-cite-prefix")
        )
        self.stack.append((tag, tag in self._SKIP or quoted))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._VOID:
            return
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                continue
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    try:
        extractor.feed(html[: MAX_TEXT * 4])
        extractor.close()
    except Exception:  # html.parser is lenient; keep whatever was read
        pass
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def external_id_for(message_id: str | None, raw: bytes) -> str:
    """The event external_id of a message: `email:<Message-ID>` (hashed when too long)."""
    if message_id and len(message_id) <= 190:
        return "email:" + message_id
    source = message_id.encode() if message_id else raw
    return "email:sha256:" + hashlib.sha256(source).hexdigest()[:48]
