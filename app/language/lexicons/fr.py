"""French phrase tables (same shape as `en.py`; see `app/language/lexicons/__init__.py`).

France, Belgium, Switzerland and Québec; tu / vous; chat spelling ("dsl", "jsuis"). Promises
are mostly in the present ("je vous envoie … demain"), so a commitment is a first-person
action *with* a time or a "sous peu" in the same sentence (`PROMISE_NEEDS_TIME`).
"""

LANGUAGE = "fr"

WEEKDAY = (
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun\.?|mar\.?|mer\.?|jeu\.?|ven\.?)"
)
WEEKDAY_FULL = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
MONTH = (
    r"(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre"
    r"|novembre|décembre|decembre|janv\.?|févr?\.?|avr\.?|juil\.?|sept?\.?|oct\.?|nov\.?"
    r"|déc\.?|dec\.?)"
)
WEEKDAYS: dict[str, int] = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6,
}  # fmt: skip
NUMBERS: dict[str, int] = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "quelques": 3,
}  # fmt: skip
INTERESSE = r"(?:intéressée?s?|interessée?s?|intéresse|intérêt)"

# A stated absence as a bare date range ("Je suis absent du 16 au 27 novembre"): `end` is the
# last day away.
RANGE_SEP = r" ?(?:-|–|—|au|jusqu'au|et le|et) ?"
NUMERIC_DAY = r"\d{1,2}[./]\d{1,2}(?:[./](?:\d{4}|\d{2}))?"
OOO_RANGE = (
    rf"(?:du |entre le |à partir du )?(?:1er|\d{{1,2}})(?: {MONTH})?{RANGE_SEP}"
    rf"(?P<end>(?:1er|\d{{1,2}}) {MONTH}(?: \d{{4}})?)"
    rf"|(?:du |entre le )?{NUMERIC_DAY}{RANGE_SEP}(?P<end2>{NUMERIC_DAY})"
)
AWAY = (
    r"(?:absente?s?|en congés?|en vacances|en déplacement|hors du bureau|indisponibles?"
    r"|en arrêt maladie|en voyage|en formation|pas là|pas disponibles?|en rtt|à l'étranger"
    r"|en congé (?:maternité|paternité|parental))"
)
AWAY_SUBJECT = (
    r"(?:je suis|je serai|j'serai|suis|serai|nous serons|nous sommes|je vais être|on sera"
    r"|je pars)"
)
TIME_OFF = r"(?:je m'absente|je prends (?:quelques jours|des congés|mes congés|congé))"

RULES: dict[str, dict[str, str]] = {
    "apology": {
        "desole": r"(?:vraiment |sincèrement |tellement |très )?(?:désolée?s?|desolée?s?|navrée?s?|dsl)",
        "excuses": r"(?:toutes )?(?:mes |mille |nos )?excuses|excusez-moi|excuse-moi|je m'excuse"
        r"|veuillez m'excuser|pardonnez-moi|pardon",
        "confus": r"(?:je suis |vraiment )?confuse?|je m'en excuse|mes plates excuses",
        "regrette": r"je regrette (?:\w+ )?(?:de|le|mon|ce)|mea culpa|toutes mes confuses",
    },
    "excuse": {
        "malade": r"(?:j'étais|j'ai été|je suis|étais|été|suis tombée?) (?:\w+ ){0,2}(?:malade|souffrante?"
        r"|hospitalisée?|à l'hôpital|alitée?|cloué au lit|en arrêt)|(?:la |une )?(?:grippe|fièvre"
        r"|covid|gastro|migraine)|à l'hôpital|arrêt maladie|chez le médecin|aux urgences",
        "famille": r"(?:fils|fille|enfant|enfants|femme|mari|mère|père|conjointe?|petit|petite)"
        r" (?:\w+ )?(?:était|est|étaient|a été) (?:\w+ )?(?:malade|hospitalisée?|à l'hôpital)"
        r"|décès|deuil|enterrement|obsèques|urgence familiale|raisons familiales|souci familial",
        "voyage": r"(?:en déplacement|en voyage|en mission|en formation|en séminaire|à une (?:conférence"
        r"|formation|réunion|salon)|à un (?:salon|séminaire|mariage|congrès)|en vacances j'étais"
        r"|j'étais en vacances|en montagne|à l'étranger|en congé j'étais)",
        "travail": r"(?:débordée?s?|sous l'eau|surchargée?s?|submergée?s?|overbookée?s?|charrette"
        r"|c'est la course|la course|rush|semaine (?:de fou|chargée|compliquée|intense|infernale"
        r"|folle)|beaucoup de travail|énormément de travail|pas eu le temps|très pris|très prise"
        r"|pas une minute|la tête dans le guidon)",
        "acces": r"sans (?:réseau|internet|connexion|accès|wifi|wi-fi)|pas de (?:réseau|connexion|internet"
        r"|wifi)|(?:ordinateur|ordi|portable|téléphone|pc)(?: portable)? (?:\w+ )?(?:m'a lâché|a lâché"
        r"|est en panne|a planté|ne marche plus|est cassé)|problèmes? techniques?",
        "spam": r"(?:dans|en) (?:mes |les )?(?:spams?|indésirables|courriers indésirables)",
        "demenagement": r"déménagement|déménagé|déménage",
        "echeance": r"clôture|bouclage|mise en prod|livraison|examens?|partiels",
        "pas_joignable": r"(?:pas|peu) joignable",
    },
    "assurance": {
        "interesse": rf"(?:toujours|très|vraiment|encore|extrêmement|particulièrement|fortement"
        rf"|réellement|beaucoup|vivement) (?:\w+ ){{0,3}}{INTERESSE}",
        "m_interesse": r"m'(?:intéresse|enthousiasme|attire|motive|plaît|plait) (?:\w+ )?(?:toujours"
        r"|beaucoup|énormément|vraiment|autant|encore|particulièrement)",
        "motive": r"(?:toujours|très|vraiment|encore|aussi) (?:\w+ )?(?:motivée?|partante?|enthousiaste"
        r"|engagée?|impliquée?)|toujours partante?|toujours dans la course",
        "hate": r"(?:j'ai |ai )?hâte|j'aimerais (?:\w+ )?(?:rejoindre|intégrer|faire partie|travailler)"
        r"|ravie? de (?:poursuivre|continuer|rejoindre)|prochaines étapes",
        "premier_choix": r"premier choix|poste de rêve|job de rêve|mon choix numéro un",
        "ne_retire_pas": r"ne (?:\w+ )?retire pas|pas retiré",
        "interet_intact": r"(?:mon )?intérêt (?:\w+ ){0,3}(?:intact|reste|demeure|toujours)",
    },
    "thanks": {
        "merci": r"(?:un grand |grand |mille )?merci(?: beaucoup| infiniment| bien| encore| mille fois)?",
        "remercie": r"(?:je )?(?:vous |te )?remerci\w*|remerciements",
        "reconnaissant": r"reconnaissante?|gratitude",
    },
    "decline": {
        "autre_offre": r"(?:accepté|accepter|signé|retenu|choisi) (?:\w+ ){0,3}(?:une autre|un autre|une"
        r" proposition|une offre|l'offre d'une|autre) (?:\w+ )?(?:offre|proposition|poste|entreprise"
        r"|opportunité)?|une autre offre|proposition d'une autre entreprise",
        "retirer": r"retir(?:er|e|é|ée) (?:\w+ )?(?:ma candidature|mon dossier|ma demande)|me retire"
        r"|me retirer|retirer mon dossier",
        "ne_pas_poursuivre": r"(?:ne pas|ne plus|pas) (?:\w+ )?(?:poursuivre|continuer|donner suite)"
        r"|ne (?:\w+ )?donnerai pas suite|ne (?:\w+ )?poursuivrai pas|donner suite",
        "plus_interesse": r"(?:ne suis plus|plus) (?:\w+ )?(?:intéressée?|en recherche|à l'écoute|disponible)"
        r"|pas intéressée?",
        "rester": r"rester (?:chez|dans|avec) (?:mon|ma) (?:employeur|entreprise|poste|équipe|société)"
        r"|contre-proposition|contre-offre|je reste (?:chez|dans|à) mon",
        "decliner": r"(?:décliner|décline|refuser|refuse) (?:\w+ )?(?:l'offre|votre offre|la proposition"
        r"|le poste|votre proposition|l'invitation)|la décliner|décliner",
        "renonce": r"je (?:renonce|me désiste)|(?:trouvé|accepté|pris) un autre poste|je préfère rester"
        r"|ne souhaite (?:plus|pas) (?:\w+ )?(?:poursuivre|continuer|donner suite)",
        "annule": r"j'annule (?:l'entretien|le rendez-vous|ma candidature)",
    },
    "scheduling": {
        "convient": rf"(?:{WEEKDAY_FULL}|demain|aujourd'hui|\d{{1,2}} ?h|horaire|date|créneau|heure"
        r"|matin|après-midi|soir|semaine) (?:\w+ ){0,4}(?:me convient|me va|m'arrange|vous irait"
        r"|vous conviendrait|vous convient|serait idéal|serait parfait|ce serait possible|possible"
        r"|ça me va|cela me va)",
        "me_va": r"(?:me|vous|te|nous) (?:convient|conviendrait|va|irait|arrange|arrangerait)",
        "dispo": r"dispos?\b|disponibilités?|disponible",
        "decaler": r"décaler|reporter|déplacer|repousser|avancer (?:le|l'|notre)|reprogrammer"
        r"|passer à (?:demain|lundi|mardi|mercredi|jeudi|vendredi)",
        "confirme": r"(?:je )?(?:vous |te )?confirme (?:\w+ )?(?:le rendez-vous|l'entretien|l'heure"
        r"|le créneau|la date|notre)|à (?:jeudi|lundi|mardi|mercredi|vendredi|demain)\s*!",
        "a_heure": rf"(?:{WEEKDAY_FULL}|demain) (?:\w+ )?(?:à|vers|entre) \d{{1,2}} ?h",
        "flexible": r"flexible|créneaux?|agenda|calendrier|visio|teams|zoom",
        "pourrions": r"(?:pourrions|pouvons|pourrait|peut)(?:-nous|-on| nous| on)? (?:\w+ ){0,2}"
        r"(?:décaler|parler|échanger|fixer|caler|prévoir|voir|passer)",
    },
    "out_of_office": {
        "automatique": r"réponse automatique|message automatique|répondeur automatique|message"
        r" d'absence|ceci est un message automatique",
        "absent": r"(?:je suis|suis) (?:\w+ ){0,3}(?:absente?|en arrêt maladie|en congés?"
        r" (?:et|jusqu)|en vacances (?:et|jusqu)|en déplacement et|pas disponible actuellement"
        r"|hors du bureau)|absente? du bureau",
        "retour": r"à mon retour|dès mon retour|de retour (?:au bureau )?le|ne sera pas transféré"
        r"|ne sera pas lu|reprendrai mes (?:courriels|mails|e-mails)|consulte mes (?:mails|courriels)"
        r" de façon sporadique|en cas d'urgence",
        # a person stating leave as a date range: "Je serai en congé du 16 au 27 novembre"
        "away_range": rf"(?:{AWAY_SUBJECT} (?:\w+ ){{0,2}}?{AWAY}|^ ?{AWAY}|{TIME_OFF})"
        rf"(?: [\w'-]+){{0,3}}? (?:{OOO_RANGE})",
        "range_away": rf"(?:{OOO_RANGE}),? (?:[\w'-]+ ){{0,2}}?{AWAY_SUBJECT} (?:\w+ ){{0,2}}?{AWAY}",
    },
}

BLOCKERS: dict[str, tuple[str, ...]] = {
    "apology": (
        r"(?:désolée?|navrée?) (?:de|d')(?:l'apprendre|apprendre|entendre)",
        r"(?:pas|aucun) besoin de (?:vous |t')?excuser",
        r"ne (?:vous |t')?excusez pas",
    ),
    "thanks": (r"merci d'avance", r"merci par avance", r"non merci", r"merci d'en avertir"),
    "assurance": (
        r"(?:plus|pas) (?:\w+ )?intéressée?",
        r"(?:êtes|es)-(?:vous|tu) (?:\w+ )?intéressée?",
        r"intéressée? (?:de savoir|par la question)",
    ),
    "decline": (
        r"ne (?:\w+ )?retire pas",
        r"n'ai accepté aucune",
        r"aucune autre offre",
    ),
    "scheduling": (
        r"(?:si|tellement|aussi) flexible",
        r"n'étais (?:\w+ )?(?:pas )?disponible",
        r"ça me convient\.?$",
    ),
    "excuse": (),
    "commitment": (),
    "out_of_office": (),
}

NEGATION = r"\b(?:ne|n'|pas|jamais|aucun|aucune|sans)\b"
NEGATABLE = frozenset({"apology", "assurance", "decline", "commitment"})
CLAUSE_BREAK = r"(?:[.,;:!?()\n–-]|\bmais\b|\bpourtant\b|\bcependant\b|\bau contraire\b)"
EXCLUDE_BEFORE: dict[str, str] = {
    "excuse": r"\b(?:vous|tu|espère|si)\b",
    "assurance": r"\b(?:si)\b",
}

_ACTIONS = (
    r"(?:envoie|envoies|envoyer|transmets|transmettrai|enverrai|ferai|rappelle|rappellerai|appelle"
    r"|appellerai|retourne|renvoie|rends|rendrai|donne|donnerai|dis|dirai|confirmerai"
    r"|reviens|reviendrai|recontacte|contacterai|complète|compléterai|signe|signerai|prépare"
    r"|préparerai|répondrai|réponds|fais|partage|partagerai|remplis|remplirai|m'engage"
    r"|promets|vais|aurez|auras|recevrez|recevras)"
)
PROMISE = rf"(?:je|j'|on|nous) (?:(?:vous|te|lui|leur|les|le|la) |t')?(?:l'|les )?{_ACTIONS}|(?:vous|tu) (?:aurez|auras|recevrez|recevras)"
PROMISE_NEEDS_TIME = True
PROMISE_SOFT = r"(?:sous peu|bientôt|rapidement|dès que possible|au plus vite|dans les plus brefs délais|dès que (?:ça|cela) se calme|asap|tout de suite)"
PROMISE_BLOCKERS = (
    r"\b(?:pourriez|pourrais|pouvez|peux)[- ](?:vous|tu)\b",
    r"\bavais promis\b",
    r"\bje ne suis pas en mesure\b",
    r"\bje vous remercie\b",
)

DATE_WITH_MONTH = rf"(?:{WEEKDAY},? )?(?:le )?(?:1er|\d{{1,2}}) {MONTH}(?: \d{{4}})?"
ORDINAL_DAY = rf"(?:le|du|au|pour le|jusqu'au|{WEEKDAY_FULL}) (?P<d>\d{{1,2}})(?! ?(?:[/.]\d|{MONTH}|h\b| h\b|:|heures?))"
NEXT_WEEKDAY = rf"(?P<wd>{WEEKDAY_FULL}) prochain"
BARE_WEEKDAY = rf"(?:d'ici |avant |ce |jusqu'à |pour )?(?P<wd>{WEEKDAY_FULL})"
DAY_AFTER_TOMORROW = r"après-demain|après demain"
TOMORROW = r"(?<!après-)(?<!après )demain"
TONIGHT = r"ce soir|cette nuit"
TODAY = r"aujourd'hui|dans la journée|d'ici la fin de (?:la )?journée|en fin de journée|ce midi"
END_OF_WEEK = r"(?:d'ici |avant )?(?:la )?fin de (?:la |cette )?semaine|cette semaine"
NEXT_WEEK = r"(?:la )?semaine prochaine|(?:la )?semaine d'après"
END_OF_MONTH = r"(?:d'ici |avant )?(?:la )?fin du mois"
IN_DAYS = (
    r"(?:dans|d'ici|sous) (?P<n>\d+|deux|trois|quatre|cinq|quelques) jours(?: ouvrés| ouvrables)?"
)
IN_HOURS = r"(?:dans|d'ici|sous) (?P<n>\d+|deux|trois|quelques) heures"
TIME_OF_DAY = (
    r"(?:avant|à|vers|d'ici|pour) (?:(?P<noon>midi)"
    r"|(?P<h>\d{1,2}) ?h(?: ?(?P<m>\d\d))?)"
)
OOO_RETURN = r"(?:de retour(?: au bureau)?(?: que)?(?: le| à partir du)?|reprendrai(?: mes \w+)?(?: le)?|à partir du|dès le|revenue?(?: le)?|rentre(?: le)?|retour prévu le)"
OOO_UNTIL = r"(?:jusqu'au|jusqu'à|jusqu au)(?: inclus)?"
OOO_INCLUSIVE = r"inclus|inclusivement|compris"

QUOTE_HEADERS = (
    r"^[ \t]*(?:> ?)*le [^\n]{0,160}\ba écrit[ \t]*:",
    r"^[ \t]*-{2,} ?message d'origine ?-{2,}",
    r"^[ \t]*-{2,} ?(?:message transféré|message transfere) ?-{2,}",
    r"^[ \t]*de ?:[^\n]*\n(?:[^\n]*\n){0,2}[ \t]*(?:envoyé|date|à|objet) ?:",
)
SIGNATURE_DELIMITERS = (
    r"^[ \t]*envoyé (?:de|depuis) mon\b",
    r"^[ \t]*ce (?:message|courriel|mail) (?:peut contenir|contient|est confidentiel)",
)
VALEDICTIONS = (
    r"(?:bien cordialement|cordialement|bien à vous|bien à toi|salutations|meilleures salutations"
    r"|sincères salutations|bonne journée|bonne soirée|à bientôt|merci|merci beaucoup|amitiés"
    r"|bises|belle journée|au plaisir|cdlt|bav)"
)
