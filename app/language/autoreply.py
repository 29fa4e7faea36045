"""Automatic replies and absence notices recognised by their subject, in every language.

A subject such as "Automatic reply:", "Abwesenheitsnotiz", "Respuesta automática",
"Réponse automatique" or "Resposta automática" marks the whole message as an absence notice,
whatever language its body is in (mail servers write the subject in the account's language).

`OTHER_LANGUAGES` adds the subjects mail servers write in languages the classifier does not
read (Italian, Dutch, Polish, Swedish, Danish, Norwegian, Finnish): such a notice is still
automatic (not a reply), though nothing else is read from it.
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
# Word-bounded: these are matched against subjects in the supported languages too.
OTHER_LANGUAGES: dict[str, tuple[str, ...]] = {
    "it": (
        r"risposta automatica",
        r"fuori (?:ufficio|sede)",
        r"(?:messaggio|avviso|notifica) di assenza",
        r"assente dall'ufficio",
        r"^ ?(?:assente|assenza)\b",
    ),
    "nl": (
        r"automatisch antwoord",
        r"automatische (?:reactie|beantwoording)",
        r"afwezigheids(?:melding|bericht|notitie)",
        r"buiten (?:kantoor|het kantoor)",
        r"niet (?:op kantoor|aanwezig)",
        r"^ ?(?:afwezig|afwezigheid)\b",
    ),
    "pl": (
        r"automatyczna odpowied(?:ź|z)",
        r"odpowied(?:ź|z) automatyczna",
        r"poza biurem",
        r"nieobecno(?:ść|sc) w biurze",
        r"^ ?(?:nieobecno(?:ść|sc)|nieobecny|nieobecna)\b",
    ),
    "sv": (
        r"automatiskt svar",
        r"fr(?:å|a)nvaro(?:meddelande|besked)",
        r"inte p(?:å|a) kontoret",
        r"^ ?(?:fr(?:å|a)nvarande|fr(?:å|a)nvaro)\b",
    ),
    "da": (
        r"automatisk svar",
        r"autosvar",
        r"frav(?:æ|ae)rsbesked",
        r"ikke p(?:å|a) kontoret",
        r"^ ?(?:frav(?:æ|ae)rende|frav(?:æ|ae)r)\b",
    ),
    "no": (r"frav(?:æ|ae)rsmelding", r"automatisk melding"),
    "fi": (r"automaattinen vastaus", r"poissa toimistolta", r"lomaviesti"),
}
_OTHER = tuple(rf"(?<!\w)(?:{p})(?!\w)" for patterns in OTHER_LANGUAGES.values() for p in patterns)
_SUBJECT = re.compile("|".join(f"(?:{p})" for p in (*SUBJECT_PATTERNS, *_OTHER)), re.IGNORECASE)


def auto_reply_subject(subject: str) -> str | None:
    """Return the phrase of `subject` that marks an automatic reply, if any."""
    match = _SUBJECT.search(subject[:1000])
    return match.group() if match else None
