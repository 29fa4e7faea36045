"""Automatic replies and absence notices recognised by their subject, in every language.

A subject such as "Automatic reply:", "Abwesenheitsnotiz", "Respuesta automática",
"Réponse automatique" or "Resposta automática" marks the whole message as an absence notice,
whatever language its body is in (mail servers write the subject in the account's language).
"""

import re

SUBJECT_PATTERNS = (
    # a bare "Absence", "Absent", "Ausente", "Abwesend" subject
    r"^ ?(?:absence|absent|absente|ausente|ausencia|abwesend|ausência|ausente)\b",
    # en
    r"out of (?:the )?office",
    r"automatic reply",
    r"auto-?reply",
    r"autoreply",
    r"auto-?response",
    r"\booo\b",
    r"on leave",
    r"away from (?:the )?office",
    r"(?:on )?(?:holiday|vacation) notice",
    # de
    r"abwesenheits?(?:notiz|nachricht|meldung)",
    r"automatische antwort",
    r"automatische r(?:ü|ue)ckantwort",
    r"nicht im b(?:ü|ue)ro",
    r"au(?:ß|ss)er haus",
    r"urlaubs?(?:notiz|abwesenheit)",
    # es
    r"respuesta autom(?:á|a)tica",
    r"fuera de la oficina",
    r"ausente de la oficina",
    r"(?:mensaje|aviso) de ausencia",
    r"ausencia temporal",
    # fr
    r"r(?:é|e)ponse automatique",
    r"absent(?:e)? du bureau",
    r"message d'absence",
    r"(?:avis|notification) d'absence",
    r"en cong(?:é|e)s?\b",
    # pt
    r"resposta autom(?:á|a)tica",
    r"fora do escrit(?:ó|o)rio",
    r"aus(?:ê|e)ncia tempor(?:á|a)ria",
    r"mensagem de aus(?:ê|e)ncia",
    r"aviso de aus(?:ê|e)ncia",
    r"(?:de|em) f(?:é|e)rias",
)
_SUBJECT = re.compile("|".join(f"(?:{p})" for p in SUBJECT_PATTERNS), re.IGNORECASE)


def auto_reply_subject(subject: str) -> str | None:
    """Return the phrase of `subject` that marks an automatic reply, if any."""
    match = _SUBJECT.search(subject[:1000])
    return match.group() if match else None
