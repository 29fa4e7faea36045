"""The candidate's own words: quoted replies, forwarded parts and signatures removed.

Bounded by construction: the text is normalised (whitespace runs of at most a blank line)
and capped first, every quote-header pattern is anchored at a line start and reads at most a
few hundred characters, and each language's header lines ("On … wrote:", "Am … schrieb …:",
"El … escribió:", "Le … a écrit :", "Em … escreveu:", Outlook "From:/Von:/De:" blocks) are
tried for every supported language, because a German candidate may reply above an English
quote. (`mail-parser-reply` knows the same headers but its patterns are quadratic on long
lines, so it is not used on untrusted text.)
"""

import re

from app.language.lexicons import LEXICONS, Lexicon
from app.language.text import MAX_CHARS, normalise


def _headers_of_all_languages() -> re.Pattern[str]:
    patterns = "|".join(f"(?:{lex.quote_headers.pattern})" for lex in LEXICONS.values())
    return re.compile(patterns, re.IGNORECASE | re.MULTILINE)


_HEADERS = _headers_of_all_languages()
_SIGNATURES = re.compile(
    "|".join(f"(?:{lex.signature_delimiters.pattern})" for lex in LEXICONS.values()),
    re.IGNORECASE | re.MULTILINE,
)


def extract_own_words(body: str, lex: Lexicon | None = None) -> str:
    """Return the candidate's own words: no quoted replies, forwarded parts or signature."""
    return strip_valediction(strip_quoted(body), lex or LEXICONS["en"])


def strip_quoted(body: str) -> str:
    """Normalise and cap the body, then drop quoted replies, forwards and signature blocks."""
    text = normalise(body)[:MAX_CHARS]
    if not text.strip():
        return ""
    header = _HEADERS.search(text)
    if header is not None:
        before = text[: header.start()]
        text = before if before.strip() else text[header.end() :]
    lines = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
    text = "\n".join(lines)
    delimiter = _SIGNATURES.search(text)
    if delimiter is not None:
        text = text[: delimiter.start()]
    return text.strip()


def strip_valediction(text: str, lex: Lexicon) -> str:
    """Drop a closing ("Best,") and the short name block after it at the end of the text."""
    lines = text.split("\n")
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return ""
    last = content[-1]
    if last != content[0] and lex.valediction_named.match(lines[last]):
        return "\n".join(lines[:last]).strip()
    for position in reversed(content[1:]):
        tail = [lines[i] for i in content if i > position]
        if len(tail) > 6 or any(len(line) > 80 or len(line.split()) > 8 for line in tail):
            break
        if lex.valediction_line.match(lines[position]):
            return "\n".join(lines[:position]).strip()
    return "\n".join(lines).strip()
