"""German phrase tables (same shape as `en.py`; see `app/language/lexicons/__init__.py`).

German puts the verb second or last and uses the present tense for promises ("Den Test
schicke ich morgen"), so a commitment is a first-person action verb *with* a time or a
"bald"/"in Kürze" in the same sentence (`PROMISE_NEEDS_TIME`).
"""

LANGUAGE = "de"

ENTSCHULDIG = r"(?:entschuldig\w*|entschuldiegung|entschuldigt)"
INTERESSE = r"(?:interessiert|interesse)"
WEEKDAY = (
    r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
    r"|mo\.|di\.|mi\.|do\.|fr\.|sa\.|so\.)"
)
WEEKDAY_FULL = r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag)"
MONTH = (
    r"(?:januar|jänner|februar|feber|märz|maerz|april|mai|juni|juli|august|september|oktober"
    r"|november|dezember|jan\.?|feb\.?|mär\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept?\.?|okt\.?"
    r"|nov\.?|dez\.?)"
)
WEEKDAYS: dict[str, int] = {
    "montag": 0, "mo": 0, "dienstag": 1, "di": 1, "mittwoch": 2, "mi": 2, "donnerstag": 3,
    "do": 3, "freitag": 4, "fr": 4, "samstag": 5, "sonnabend": 5, "sa": 5, "sonntag": 6, "so": 6,
}  # fmt: skip
NUMBERS: dict[str, int] = {
    "einem": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "ein paar": 3,
    "einigen": 3, "wenigen": 2,
}  # fmt: skip
ICH = r"(?:ich|i)"

# A stated absence as a bare date range ("Ich bin vom 16. bis 27. November nicht da"): `end`
# is the last day away.
RANGE_SEP = r" ?(?:-|–|—|bis(?: zum| einschließlich| inklusive| inkl\.| und mit)?|und) ?"
OOO_RANGE = (
    rf"(?:vom |von |zwischen dem |zwischen )?\d{{1,2}}\.(?: ?{MONTH}| ?\d{{1,2}}\.(?:\d{{4}}|\d{{2}})?)?"
    rf"{RANGE_SEP}(?P<end>\d{{1,2}}\. ?{MONTH}(?: \d{{4}})?|\d{{1,2}}\.\d{{1,2}}\.(?:\d{{4}}|\d{{2}})?)"
)
AWAY = (
    r"(?:nicht da|nicht im büro|nicht erreichbar|nicht verfügbar|nicht am arbeitsplatz|im urlaub"
    r"|in urlaub|urlaub|abwesend|weg|unterwegs|verreist|auf reisen|auf dienstreise"
    r"|auf geschäftsreise|krankgeschrieben|in elternzeit|außer haus|offline)"
)

RULES: dict[str, dict[str, str]] = {
    "apology": {
        "entschuldigung": rf"(?:bitte |nochmals |vielmals )?{ENTSCHULDIG}",
        "tut_leid": r"(?:es )?tut mir (?:\w+ )?leid|tut uns leid|sorry|sry|sorri",
        "verzeihung": r"verzeih(?:en sie|ung|t mir|e mir|en|ung bitte)|pardon",
        "um_entschuldigung": r"bitte (?:\w+ )?um (?:entschuldigung|verzeihung|nachsicht|verständnis"
        r" für (?:die|meine) (?:verspätung|verzögerung|späte))",
        "mein_fehler": r"mein fehler|asche auf mein haupt|mea culpa|bedaure (?:\w+ )?(?:sehr|die"
        r"|meine|zutiefst)",
    },
    "excuse": {
        "krank": r"(?:war|bin|lag|wurde|ist|bin \w+|war \w+) (?:\w+ ){0,3}(?:krank|erkältet|flach"
        r"|im krankenhaus|im spital|krankgeschrieben|beim arzt|außer gefecht)|krankheitsbedingt"
        r"|(?:mit|wegen) (?:einer )?(?:grippe|corona|covid|fieber|migräne|erkältung|magen-darm)"
        r"|im krankenhaus|im spital|ins krankenhaus|krank geworden|krankheit",
        "familie": r"(?:sohn|tochter|kind|kinder|kleine|frau|mann|mutter|vater|partnerin|partner"
        r"|oma|opa|eltern) (?:war|ist|waren|sind|wurde|lag|hatte) (?:\w+ )?(?:krank|im krankenhaus"
        r"|erkrankt)|familiär\w*|trauerfall|todesfall|beerdigung|notfall",
        "reise": r"(?:dienstreise|geschäftsreise|auf reisen|unterwegs|beruflich (?:in|nach|unterwegs)"
        r"|im ausland|auf (?:einer |der )?(?:schulung|konferenz|messe|tagung|fortbildung|hochzeit"
        r"|reise)|im urlaub war|war (?:\w+ )?im urlaub|verreist|auf montage)",
        "stress": r"(?:land unter|viel um die ohren|bis über beide ohren|stress|gestresst|stressig"
        r"|hektisch|viel zu tun|viel los|eingespannt|eingebunden|ausgelastet|überlastet"
        r"|beschäftigt|kaum zeit|keine zeit|zeitlich (?:eng|knapp)|verrückte woche"
        r"|wahnsinnige woche|chaotische woche|turbulente woche|anstrengende woche|stressige woche"
        r"|volle woche|heiße phase|im endspurt)",
        "kein_zugriff": r"(?:kein|keinen|kaum|eingeschränkten|wenig|schlechten?) (?:zugriff|empfang"
        r"|netz|internet|wlan|wifi|verbindung)|(?:laptop|rechner|computer|handy|telefon|pc)"
        r" (?:\w+ )?(?:hat den geist aufgegeben|ist kaputt|war kaputt|ging kaputt|streikt"
        r"|gestreikt|abgestürzt|gestohlen)|technische(?:n)? probleme",
        "untergegangen": r"(?:im spam|im spamordner|untergegangen|übersehen|nicht gesehen|erst jetzt"
        r" gesehen|erst heute gesehen)",
        "umzug": r"umzug|umgezogen|renovierung",
        "termin": r"(?:deadline|abgabe|release|go-live|projektabschluss|prüfung|prüfungen"
        r"|klausur|quartalsabschluss|jahresabschluss)",
    },
    "assurance": {
        "interessiert": rf"(?:weiterhin|nach wie vor|immer noch|noch immer|sehr|wirklich|noch"
        rf"|großes|starkes|echtes|hohes|absolut|definitiv) (?:\w+ ){{0,4}}{INTERESSE}",
        "interessiert_mich": r"interessiert mich (?:\w+ )?(?:weiterhin|nach wie vor|sehr|immer noch"
        r"|brennend|wirklich)",
        "reizt": r"reizt mich (?:\w+ )?(?:weiterhin|nach wie vor|sehr|immer noch|wirklich)",
        "ungebrochen": r"interesse (?:\w+ ){0,4}(?:ungebrochen|unverändert|besteht (?:\w+ )?weiterhin"
        r"|ist weiterhin|ist (?:\w+ )?groß|bleibt)",
        "erste_wahl": r"erste wahl|(?:mein |klarer )?favorit|wunschstelle|traumjob|wunscharbeitgeber",
        "dabei": r"(?:weiterhin|immer noch|nach wie vor|noch) (?:voll |gerne )?(?:dabei|an bord)",
        "freue_mich": r"freue mich (?:\w+ )?(?:sehr )?(?:auf|über) (?:die |den |das )?(?:nächsten?"
        r" schritte?|weitere|zusammenarbeit|gespräch|team|rückmeldung|chance)|(?:gerne|gern) teil"
        r" (?:des|ihres|eures) teams|würde mich (?:\w+ )?freuen",
        "motiviert": r"(?:sehr |hoch ?|total )?motiviert|begeistert|voller vorfreude",
        "nicht_zurueck": r"ziehe (?:\w+ ){0,3}nicht zurück|nicht abgesprungen",
    },
    "thanks": {
        "danke": r"(?:vielen |herzlichen |tausend |lieben |besten |recht )?(?:lieben )?"
        r"(?:dank(?:e|en)?|dankeschön)(?: schön| sehr| dir| ihnen| euch| vielmals)?",
        "bedanken": r"(?:mich )?(?:\w+ )?(?:herzlich |nochmals )?(?:zu )?bedanken|bedanke mich",
        "merci": r"merci(?: vielmals)?|thx|thanks",
        "dankbar": r"dankbar|weiß (?:\w+ )?zu schätzen",
    },
    "decline": {
        "zurueckziehen": r"ziehe (?:\w+ ){0,3}(?:bewerbung|kandidatur|zusage) (?:\w+ )?zurück"
        r"|(?:bewerbung|kandidatur) (?:\w+ )?zurück(?:zu)?ziehen",
        "aus_prozess": r"(?:nehmen sie|nimm|streichen sie) mich (?:\w+ )?(?:aus|von) (?:dem|der|ihrer)"
        r" \w+|steige (?:\w+ )?aus|aus dem (?:prozess|verfahren|auswahlverfahren|rennen) aus"
        r"|(?:prozess|verfahren|bewerbungsprozess) (?:\w+ )?(?:beenden|abbrechen)",
        "anderes_angebot": r"(?:anderes|ein anderes|anderen|andere) (?:angebot|stelle|job|position"
        r"|jobangebot)(?: \w+){0,3} (?:angenommen|zugesagt|unterschrieben|entschieden)"
        r"|(?:angebot|stelle|job) (?:bei|von) (?:\w+ )?(?:anderen|anderem) \w+ (?:angenommen"
        r"|zugesagt)|woanders (?:zugesagt|unterschrieben|angefangen)|(?:für|mit) (?:eine|einer)"
        r" (?:anderen?|andere) (?:stelle|position|firma|unternehmen|angebot) entschieden"
        r"|anderweitig (?:entschieden|zugesagt|orientiert)",
        "kein_interesse": r"kein (?:\w+ )?interesse mehr|nicht mehr (?:\w+ )?interessiert"
        r"|kein interesse|nicht mehr auf (?:der )?(?:suche|jobsuche)",
        "bleiben": r"(?:bei|an) meine[mr]? (?:jetzigen|aktuellen|derzeitigen|bisherigen)"
        r" (?:arbeitgeber|job|stelle|team|firma|unternehmen|position)(?: \w+){0,2} bleib\w*"
        r"|bleibe (?:\w+ )?(?:bei|an|in) meine[mr]?",
        "absagen": r"(?:muss|möchte|werde|will|müsste) (?:\w+ ){0,4}absagen|sage (?:\w+ ){0,3}ab\b"
        r"|absage erteilen|(?:angebot|stelle|position) (?:\w+ )?ablehnen|lehne (?:\w+ ){0,4}ab\b"
        r"|gegen (?:die|das|eine) (?:stelle|angebot|position|wechsel) entschieden"
        r"|anders entschieden",
        "nicht_weiter": r"(?:nicht weiter verfolgen|nicht weiterverfolgen|nicht mehr zur verfügung"
        r"|nicht weiter zur verfügung|nicht weitermachen|nicht fortsetzen)",
        "passt_nicht": r"(?:angebot|stelle|position|gehalt|rolle) passt (?:für mich )?(?:\w+ )?nicht"
        r"|nicht das richtige für mich",
    },
    "scheduling": {
        "passt": rf"(?:{WEEKDAY_FULL}|morgen|heute|übermorgen|uhrzeit|termin|zeit|\d{{1,2}}(?::\d\d)?"
        r" uhr|\d{1,2}\. \w+|der \d{1,2}\.(?: \w+)?|vormittag|nachmittag|früh|abend|woche)"
        r" (?:\w+ ){0,3}(?:passt|passen|geht|ginge|klappt|klappt's|würde gehen|wäre möglich"
        r"|wäre gut|wäre ideal|wäre super|funktioniert)",
        "passt_mir": r"(?:passt|passen|ginge|geht|klappt) (?:es )?(?:mir|bei mir|uns|ihnen|dir)",
        "verschieben": r"verschieben|verlegen|umlegen|neuen termin|anderen termin|neu ansetzen",
        "zeit": r"(?:hätte|habe|hab) (?:ich )?(?:(?!in |während |dieser |der )\w+ ){0,3}zeit|zeitlich flexibel|bin flexibel"
        r"|kann (?:ich )?(?:\w+ ){0,2}(?:jederzeit|ganztags)",
        "verfuegbar": r"(?:nicht )?verfügbar|erreichbar am|verfügbarkeit",
        "wie_waere": r"wie wäre (?:es mit )?|wie sieht es (?:\w+ )?aus|wäre (?:\w+ )?(?:ideal|möglich)"
        r"|ginge (?:die|der|das|am|es) \w+",
        "bestaetige": r"bestätige (?:ich )?(?:\w+ )?(?:termin|uhrzeit|gespräch)|termin (?:\w+ )?bestätig\w*"
        r"|bis (?:dann|morgen|donnerstag|montag|dienstag|mittwoch|freitag)!",
        "koennen_wir": r"(?:können|könnten|sollen|wollen) wir (?:\w+ ){0,4}(?:gehen|machen|telefonieren"
        r"|sprechen|treffen|verschieben|ausmachen|vereinbaren|legen)",
        "kann_nicht": rf"(?:am )?{WEEKDAY_FULL} kann ich (?:\w+ )?nicht",
        "um_uhr": rf"(?:{WEEKDAY_FULL}|morgen|heute) (?:\w+ )?um \d{{1,2}}(?::\d\d)?(?: uhr)?",
        "vorschlag": r"(?:schlage|würde) (?:\w+ )?vor|zeitfenster|slots?|kalendereinladung|einladung"
        r" (?:\w+ )?(?:geschickt|senden|schicken)|videocall|teams-call|zoom",
        "gespraech_vorher": r"gespräch (?:\w+ )?vorher|vielleicht (?:am )?" + WEEKDAY_FULL,
    },
    "out_of_office": {
        "automatisch": r"automatische antwort|automatisch (?:erstellt|generiert|versandt|versendet"
        r"|erzeugt)|abwesenheitsnotiz|abwesenheitsmeldung",
        "abwesend": r"(?:bin|befinde mich) (?:\w+ ){0,6}(?:abwesend|nicht im büro|außer haus"
        r"|nicht am arbeitsplatz)|nicht im büro",
        "zurueck": r"wieder erreichbar|wieder im (?:büro|haus)|nach meiner rückkehr"
        r"|(?:e-mail|nachricht|mail) wird nicht (?:automatisch )?weitergeleitet"
        r"|in dringenden fällen wenden sie sich|wenden sie sich bitte an",
        "nicht_erreichbar": r"(?:zurzeit|derzeit|momentan|aktuell) nicht erreichbar",
        # a person stating leave as a date range: "Ich bin vom 16. bis 27.11. im Urlaub"
        "away_range": rf"{AWAY}(?: [\w'-]+){{0,3}}? (?:{OOO_RANGE})",
        "range_away": rf"(?:{OOO_RANGE}) (?:[\w'-]+ ){{0,4}}?{AWAY}",
    },
}

BLOCKERS: dict[str, tuple[str, ...]] = {
    "apology": (
        rf"(?:müssen|brauchen) sich (?:\w+ )?nicht (?:zu )?{ENTSCHULDIG}",
        rf"sie (?:\w+ )?{ENTSCHULDIG} (?:sich|die)",
        r"tut mir leid (?:zu hören|für sie|für dich)",
        r"(?:das )?tut mir leid,? das zu hören",
    ),
    "thanks": (
        r"danke,? (?:aber|nein)",
        r"im voraus",
        r"vielen dank\.?$",
    ),
    "assurance": (
        r"(?:nicht|kein|nicht mehr) (?:\w+ )?(?:mehr )?(?:interessiert|interesse)",
        r"sind sie (?:\w+ )?interessiert",
        r"interessiert (?:zu wissen|mich,? (?:wie|ob|was|welche))",
    ),
    "decline": (r"(?:nicht|keineswegs) (?:\w+ )?zurück",),
    "scheduling": (r"\d{1,2} uhr (?:\w+ )?(?:zu|fertig|ein)",),
    "excuse": (),
    "commitment": (),
    "out_of_office": (),
}

NEGATION = r"\b(?:nicht|kein|keine|keinen|nie|niemals|ohne|kaum)\b"
NEGATABLE = frozenset({"apology", "assurance", "decline", "commitment"})
CLAUSE_BREAK = r"(?:[.,;:!?()\n–-]|\baber\b|\bsondern\b|\bjedoch\b|\bdoch\b)"
EXCLUDE_BEFORE: dict[str, str] = {
    "excuse": r"\b(?:sie|ihr|ihre|ihnen|hoffe|hoffentlich|falls|wenn)\b",
    "apology": r"\b(?:sie müssen|kein grund)\b",
    "assurance": r"\b(?:ob|falls|wenn)\b",
}

# Commitment: a first-person action with a time (or "bald") in the same sentence.
_ACTIONS = (
    r"(?:schick(?:e)?|sende|melde|reiche|liefere|gebe|rufe|verspreche|schaue|prüfe|kümmere"
    r"|erledige|übermittle|maile|lade|fülle|unterschreibe|kläre|bringe|mache|schreibe"
    r"|beantworte|leite|reich|schreib|meld|ruf|lasse|entscheide|überlege|teile|gebe)"
)
PROMISE = (
    rf"(?:ich|wir) (?:werde|werden|will|wollen)|(?:ich|wir) {_ACTIONS}|{_ACTIONS} (?:ich|wir)"
    r"|(?:bekommen|erhalten|haben) sie|folgt|folgen|kommt|kommen (?:die|der|das)"
    r"|werde ich|verspreche"
)
PROMISE_NEEDS_TIME = True
PROMISE_SOFT = (
    r"(?:bald|in kürze|zeitnah|baldmöglichst|so schnell wie möglich|asap|umgehend|gleich)"
)
PROMISE_BLOCKERS = (
    r"\b(?:könnten|können|würden) sie\b",
    r"\bhatte (?:\w+ )?(?:ja )?versprochen\b",
    r"\bschaffe (?:\w+ ){0,3}nicht\b",
)

DATE_WITH_MONTH = rf"(?:{WEEKDAY},? (?:den )?)?\d{{1,2}}\. ?{MONTH}(?: \d{{4}})?"
ORDINAL_DAY = rf"(?:zum|am|den|dem) (?P<d>\d{{1,2}})\.(?! ?(?:\d|{MONTH}))"
NEXT_WEEKDAY = rf"(?:nächsten?|kommenden?) (?P<wd>{WEEKDAY_FULL})"
BARE_WEEKDAY = rf"(?:am |bis |diesen |bis zum )?(?P<wd>{WEEKDAY_FULL})"
DAY_AFTER_TOMORROW = r"übermorgen"
TOMORROW = r"(?<!guten )(?<!heute )morgen"
TONIGHT = r"heute (?:abend|nacht)"
TODAY = r"heute|feierabend|im laufe des tages|bis dienstschluss"
END_OF_WEEK = r"ende (?:der|dieser) woche|diese woche|bis zum wochenende|vor dem wochenende"
NEXT_WEEK = r"(?:nächste|kommende|nächster|kommender|anfang nächster|ende nächster) woche"
END_OF_MONTH = r"ende (?:des|dieses) monats|monatsende"
IN_DAYS = r"in (?P<n>\d+|zwei|drei|vier|fünf|ein paar|einigen|wenigen) (?:arbeits|werk)?tagen"
IN_HOURS = r"in (?P<n>\d+|zwei|drei|ein paar|einigen) stunden"
TIME_OF_DAY = (
    r"(?:bis|um|gegen|vor|spätestens) (?:(?P<noon>mittag)"
    r"|(?P<h>\d{1,2})(?:[:.](?P<m>\d\d))? uhr)"
)
OOO_RETURN = r"(?:ab dem|ab|erst am|wieder am|zurück am|zurück ab|wieder ab)"
OOO_UNTIL = r"bis(?: einschließlich| einschl\.| inklusive| inkl\.| und mit)?(?: zum| zur| am)?"
OOO_INCLUSIVE = r"einschließlich|einschl|inklusive|inkl|und mit"

QUOTE_HEADERS = (
    r"^[ \t]*(?:> ?)*am [^\n]{0,160}\bschrieb\b[^\n]{0,160}:[ \t]*$",
    r"^[ \t]*-{2,} ?ursprüngliche nachricht ?-{2,}",
    r"^[ \t]*-{2,} ?weitergeleitete nachricht ?-{2,}",
    r"^[ \t]*von:[^\n]*\n(?:[^\n]*\n){0,2}[ \t]*(?:gesendet|datum|an|betreff):",
)
SIGNATURE_DELIMITERS = (
    r"^[ \t]*von meinem (?:iphone|ipad|smartphone|handy|samsung)[^\n]{0,40}gesendet",
    r"^[ \t]*gesendet von (?:meinem|outlook|mail)",
    r"^[ \t]*diese e-?mail (?:kann|enthält) vertrauliche",
)
VALEDICTIONS = (
    r"(?:mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|freundliche grüsse"
    r"|viele grüße|viele grüsse|beste grüße|beste grüsse|liebe grüße|liebe grüsse|herzliche grüße"
    r"|grüße|grüsse|gruß|gruss|lg|vg|mfg|bis bald|schöne grüße|schönen gruß|danke und grüße)"
)
