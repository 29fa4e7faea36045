"""Spanish phrase tables (same shape as `en.py`; see `app/language/lexicons/__init__.py`).

Spain and Latin America alike (tú / usted, "chamba", "laptop" / "portátil"). Promises use the
present tense as often as the future ("mañana te llamo"), so a commitment is a first-person
action *with* a time or a "pronto" in the same sentence (`PROMISE_NEEDS_TIME`).
"""

LANGUAGE = "es"

WEEKDAY = r"(?:lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|lun\.?|mar\.?|mié\.?|jue\.?|vie\.?)"
WEEKDAY_FULL = r"(?:lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo)"
MONTH = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
    r"|noviembre|diciembre|ene\.?|feb\.?|mar\.?|abr\.?|may\.?|jun\.?|jul\.?|ago\.?|sept?\.?"
    r"|oct\.?|nov\.?|dic\.?)"
)
WEEKDAYS: dict[str, int] = {
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4,
    "sábado": 5, "sabado": 5, "domingo": 6,
}  # fmt: skip
NUMBERS: dict[str, int] = {
    "un": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "unos": 3, "pocos": 2,
    "unas": 3, "pocas": 2,
}  # fmt: skip
INTERES = r"(?:interesad[oa]s?|interesa|interesando|interés|interes)"

# A stated absence as a bare date range ("Estoy fuera del 16 al 27 de noviembre"): `end` is
# the last day away.
RANGE_SEP = r" ?(?:-|–|—|al|hasta el|hasta|y el|y) ?"
NUMERIC_DAY = r"\d{1,2}[./]\d{1,2}(?:[./](?:\d{4}|\d{2}))?"
OOO_RANGE = (
    rf"(?:del |desde el |entre el |de )?\d{{1,2}}(?: de {MONTH})?{RANGE_SEP}"
    rf"(?P<end>\d{{1,2}} (?:de )?{MONTH}(?: (?:de|del) \d{{4}}| \d{{4}})?)"
    rf"|(?:del |desde el |entre el )?{NUMERIC_DAY}{RANGE_SEP}(?P<end2>{NUMERIC_DAY})"
)
AWAY = (
    r"(?:fuera|afuera|ausente|de vacaciones|de viaje|de baja|de permiso|de licencia|sin conexión"
    r"|sin acceso al correo|fuera de la oficina|de puente)"
)
AWAY_SUBJECT = (
    r"(?:estoy|estaré|estare|voy a estar|me encuentro|me encontraré|estaremos|estamos|me voy)"
)
TIME_OFF = r"(?:me tomo|me cojo|tengo|he pedido|pedí) (?:unos días|vacaciones|días libres)"

RULES: dict[str, dict[str, str]] = {
    "apology": {
        "no_se_como": r"no sé cómo (?:disculparme|pedir(?:te|le|les)? perdón|pedir(?:te|le)? disculpas)",
        "perdon": r"perd(?:ó|o)n(?:a|e|ad|en|ame|eme)?|perdona(?:me)?|disculp(?:a|e|ame|eme|as|en|ad"
        r"|arme|ándome|o|adme)|disculpas",
        "lo_siento": r"lo siento|siento (?:\w+ )?(?:mucho|muchísimo|haber|la demora|el retraso|no haber)"
        r"|lo lamento|lamento (?:\w+ )?(?:mucho|muchísimo|haber|no haber|la demora|el retraso)"
        r"|sorry",
        "culpa": r"(?:fue )?culpa mía|mea culpa|mil perdones",
    },
    "excuse": {
        "enfermo": r"(?:estuve|estaba|he estado|estoy|caí|me puse|me enfermé|estuve muy) (?:\w+ ){0,2}"
        r"(?:enferm[oa]|malo|mala|con gripe|con fiebre|con covid|ingresad[oa]|de baja|en el hospital)"
        r"|en el hospital|gripe|fiebre|covid|médico|medico|urgencias",
        "familia": r"(?:hijo|hija|niño|niña|niños|esposa|esposo|mujer|marido|madre|padre|pareja|abuela"
        r"|abuelo) (?:\w+ ){0,2}(?:enferm[oa]|en el hospital|ingresad[oa])|fallecimiento|funeral"
        r"|entierro|emergencia familiar|tema familiar|asunto familiar|urgencia",
        "viaje": r"(?:de viaje|viajando|viaje de (?:trabajo|negocios)|en un congreso|en una (?:conferencia"
        r"|formación|boda|feria)|tengo una formación|fuera de la ciudad|de vacaciones estuve"
        r"|estuve de vacaciones)",
        "trabajo": r"(?:incendios|a tope|hasta arriba|desbordad[oa]s?|saturad[oa]s?|liad[oa]s?"
        r"|agobiad[oa]s?|ocupad[oa]s?|muchísimo trabajo|mucho trabajo|mucha carga|semana (?:de locos"
        r"|complicada|muy intensa|intensa|caótica|loca)|sin parar|estresad[oa]|de baja)",
        "acceso": r"sin (?:acceso|internet|conexión|cobertura|señal|wifi)|no tuve (?:internet|acceso"
        r"|conexión|cobertura|señal)|se me (?:rompió|estropeó|murió|dañó) (?:el|la|mi) \w+"
        r"|problemas técnicos|(?:laptop|portátil|ordenador|computadora|móvil|celular) (?:\w+ )?"
        r"(?:se rompió|no funciona|dejó de funcionar|averiad[oa])",
        "mudanza": r"mudanza|me mudé|mudándome",
        "spam": r"(?:en|a) (?:la carpeta de )?(?:spam|correo no deseado)|no (?:lo )?había visto"
        r"|se me pasó|se me había pasado",
        "examen": r"exámenes|examen|entrega final|cierre de (?:mes|trimestre|año)|lanzamiento",
    },
    "assurance": {
        "interesado": rf"(?:sigo|sigue|continúo|estoy|muy|todavía|aún|realmente|sumamente|bastante"
        rf"|mucho|muchísimo|totalmente) (?:\w+ ){{0,3}}{INTERES}",
        "me_interesa": r"me (?:sigue )?(?:interesa|entusiasma|ilusiona|motiva|encanta) (?:\w+ )?"
        r"(?:mucho|muchísimo|bastante|de verdad|el puesto|la posición|la vacante|el proyecto)"
        r"|me sigue (?:\w+ )?(?:interesando|entusiasmando|ilusionando|motivando)",
        "ganas": r"(?:muchas|muchísimas|con) ganas|me encantaría (?:formar parte|unirme|trabajar|seguir"
        r"|avanzar)|ilusión|ilusionad[oa]|entusiasmad[oa]|motivad[oa]",
        "comprometido": r"(?:sigo|estoy) (?:\w+ )?comprometid[oa]|sigo en el proceso|sigo adelante"
        r"|sigo dentro|cuenten conmigo|cuentes conmigo|cuenta conmigo",
        "intacto": r"interés (?:\w+ ){0,4}(?:intacto|sigue|se mantiene|es el mismo|no ha cambiado)",
        "primera_opcion": r"primera opción|mi (?:opción )?favorita|puesto soñado|trabajo soñado",
        "no_retiro": r"no (?:\w+ )?retiro|no me (?:bajo|retiro)",
        "siguientes_pasos": r"(?:siguientes|próximos) pasos",
    },
    "thanks": {
        "gracias": r"(?:muchas |muchísimas |mil )?gracias",
        "agradezco": r"(?:le |te |les |os )?agrade(?:c|z)\w+|agradecid[oa]",
        "thx": r"thx|thanks",
    },
    "decline": {
        "otra_oferta": r"(?:acept(?:é|e|ado)|firm(?:é|e|ado)|quedo con|tomado|me (?:voy|quedo) con)"
        r" (?:\w+ ){0,3}(?:otra|otro|una|un) (?:\w+ )?(?:oferta|propuesta|puesto|trabajo|empleo"
        r"|posición)|(?:oferta|propuesta) de otra empresa|otra oferta",
        "retirar": r"retir(?:o|ar|arme|e|é|ado) (?:\w+ )?(?:mi )?(?:candidatura|postulación|solicitud"
        r"|aplicación)|me retiro|me retire del|retirarme del|me bajo del|bajarme del|me bajo",
        "no_continuar": r"(?:no|prefiero no|he decidido no) (?:\w+ ){0,2}(?:continuar|seguir(?: adelante)?"
        r"|avanzar|proseguir) con",
        "ya_no": r"ya no (?:estoy |me )?(?:\w+ )?(?:interesad[oa]|interesa|busco|estoy buscando"
        r"|estoy disponible)|no estoy interesad[oa]",
        "quedarme": r"quedarme (?:en|con) mi (?:empresa|trabajo|puesto|empleo|equipo)(?: actual)?"
        r"|me quedo (?:en|con) mi|contraoferta",
        "rechazar": r"(?:rechazar|declinar|rechazo|declino) (?:\w+ )?(?:la |su |tu |esta )?(?:oferta"
        r"|propuesta|invitación|puesto|posición)|tengo que (?:declinar|rechazar)",
        "desisto": r"(?:desisto|renuncio|descarto) (?:\w+ ){0,2}(?:proceso|puesto|candidatura|oferta"
        r"|oportunidad)|no voy a (?:continuar|seguir|avanzar)|(?:he encontrado|encontré|conseguí)"
        r" otro (?:\w+ )?(?:trabajo|empleo|puesto)|me quedo donde estoy|he firmado con otra"
        r"|firmé con otra|me voy a otra empresa|no sigo en el proceso|ya no quiero (?:continuar|seguir)",
        "no_encaja": r"no (?:me )?(?:encaja|convence|cuadra) (?:\w+ )?(?:la oferta|el puesto|la posición"
        r"|para mí)",
    },
    "scheduling": {
        "viene_bien": rf"(?:{WEEKDAY_FULL}|mañana|hoy|hora|horario|fecha|\d{{1,2}}(?::\d\d)?"
        r"|la tarde|la mañana|semana) (?:\w+ ){0,4}(?:me viene|me va|me queda|me cuadra|me sirve"
        r"|podría|puedo|estaría disponible|perfecto|bien)",
        "me_viene": r"me (?:viene|va|queda|cuadra|sirve) (?:\w+ )?(?:bien|perfecto|genial|mejor)",
        "disponible": r"disponib(?:le|les|ilidad)",
        "no_puedo": rf"(?:el )?{WEEKDAY_FULL} no puedo|no (?:\w+ )?puedo (?:el|ese|esa) (?:\w+ )?"
        r"(?:día|hora|lunes|martes|miércoles|jueves|viernes)",
        "mover": r"(?:pasar|mover|cambiar|aplazar|posponer|reprogramar|retrasar|adelantar) (?:\w+ ){0,2}"
        r"(?:la |el )?(?:entrevista|llamada|reunión|cita|videollamada)|reprogramar|aplazar|posponer",
        "que_tal": rf"qué tal (?:el |la )?(?:{WEEKDAY_FULL}|mañana|semana)|podría ser|podríamos|podemos"
        r" (?:hablar|vernos|quedar|hacer|llamarnos|reunirnos)",
        "nos_vemos": r"nos vemos|quedamos (?:el|a las|en)|confirmo (?:la |el )?(?:\w+ )?(?:cita|hora"
        r"|entrevista|reunión|llamada)",
        "a_las": rf"(?:{WEEKDAY_FULL}|mañana|hoy) (?:\w+ ){{0,2}}(?:a las|entre las|de|a partir de las)"
        r" \d{1,2}",
        "flexibilidad": r"flexibilidad|flexible|(?:hueco|huecos)|teams|zoom|videollamada|agenda",
    },
    "out_of_office": {
        "automatica": r"respuesta automática|mensaje automático|correo automático|respuesta automatica",
        "fuera": r"(?:me encuentro|estoy|estaré) (?:\w+ ){0,3}(?:fuera de la oficina|ausente|fuera del"
        r" \d|sin acceso al correo)|fuera de la oficina",
        "vuelta": r"(?:te|le) (?:contesto|respondo|responderé|contestaré) a (?:la|mi) (?:vuelta|regreso)"
        r"|a mi regreso|no será reenviado|no se reenviará|retomo el correo|reviso el correo de forma"
        r" esporádica|responderé a su mensaje|le atenderé",
        # a person stating leave as a date range: "Estoy de vacaciones del 16 al 27 de noviembre"
        "away_range": rf"(?:{AWAY_SUBJECT} (?:\w+ ){{0,2}}?{AWAY}|^ ?{AWAY}|{TIME_OFF})"
        rf"(?: [\w'-]+){{0,3}}? (?:{OOO_RANGE})",
        "range_away": rf"(?:{OOO_RANGE}),? (?:[\w'-]+ ){{0,2}}?{AWAY_SUBJECT} (?:\w+ ){{0,2}}?{AWAY}",
    },
}

BLOCKERS: dict[str, tuple[str, ...]] = {
    "apology": (
        r"siento oír|siento escuchar|lamento oír|lamento escuchar|siento mucho lo de",
        r"no (?:hace falta|tienes que|tiene que|es necesario) (?:que )?(?:te |se )?disculp\w*",
        r"(?:disculpa|perdona|perdone) (?:la|mi) (?:pregunta|curiosidad|molestia),? (?:pero|una)",
    ),
    "thanks": (r"gracias de antemano", r"gracias por adelantado", r"no,? gracias"),
    "assurance": (
        r"(?:no|ya no|nada) (?:\w+ )?(?:estoy )?(?:interesad[oa]|me interesa)",
        r"(?:estás|está|sigues|sigue) (?:\w+ )?interesad[oa]\?",
        r"me interesa(?:ría)? saber",
    ),
    "decline": (
        r"no (?:\w+ )?retiro",
        r"no he aceptado (?:\w+ ){0,2}otra oferta",
        r"ninguna otra oferta",
    ),
    "scheduling": (
        r"fecha de incorporación",
        r"(?:no )?(?:estuve|estaba|he estado|estuvo) (?:\w+ )?disponible",
        r"(?:tan |muy )?flexible con",
    ),
    "excuse": (),
    "commitment": (),
    "out_of_office": (),
}

NEGATION = r"\b(?:no|nunca|jamás|sin|tampoco|ni)\b"
NEGATABLE = frozenset({"apology", "assurance", "decline", "commitment"})
CLAUSE_BREAK = r"(?:[.,;:!?¡¿()\n–-]|\bpero\b|\bsino\b|\bsin embargo\b|\baunque\b)"
EXCLUDE_BEFORE: dict[str, str] = {
    "excuse": r"\b(?:usted|tú|espero|ojalá|si)\b",
    "assurance": r"\b(?:si)\b",
}

_ACTIONS = (
    r"(?:envío|envio|mando|paso|llamo|escribo|confirmo|digo|comento|entrego|adjunto|hago llegar"
    r"|hago|remito|respondo|contesto|reviso|miro|firmo|devuelvo|completo|termino|preparo|subo"
    r"|enviaré|mandaré|pasaré|llamaré|escribiré|confirmaré|diré|avisaré|entregaré|haré|responderé"
    r"|contestaré|revisaré|firmaré|tendrás|tendrá|tendréis|tendrán|recibirás|recibirá|te lo|se lo"
    r"|prometo|voy a|vamos a)"
)
PROMISE = rf"(?:le |te |les |os |se lo |te lo |yo )?{_ACTIONS}"
PROMISE_NEEDS_TIME = True
PROMISE_SOFT = (
    r"(?:pronto|en breve|cuanto antes|lo antes posible|en cuanto pueda|enseguida|ahora mismo|asap)"
)
PROMISE_BLOCKERS = (
    r"\b(?:podrías|podría|puedes|puede) (?:enviarme|mandarme|pasarme)\b",
    r"\bhabía prometido\b",
    r"\bte lo adjunto\b",
)

DATE_WITH_MONTH = (
    rf"(?:{WEEKDAY},? )?(?:el )?\d{{1,2}} (?:de )?{MONTH}(?: (?:de|del) \d{{4}}| \d{{4}})?"
)
ORDINAL_DAY = rf"(?:el|día|el día|para el día|del|{WEEKDAY_FULL}) (?P<d>\d{{1,2}})(?! ?(?:[/.]\d|de {MONTH}|{MONTH}|:| ?h\b| horas| de la))"
NEXT_WEEKDAY = rf"(?:el )?próximo (?P<wd>{WEEKDAY_FULL})"
BARE_WEEKDAY = rf"(?:el |este |antes del |para el |hasta el )?(?P<wd>{WEEKDAY_FULL})"
DAY_AFTER_TOMORROW = r"pasado mañana"
TOMORROW = r"(?<!pasado )(?<!la )(?<!esta )(?<!por )mañana"
TONIGHT = r"esta noche"
TODAY = r"hoy|a lo largo del día|antes de que acabe el día|al final del día"
END_OF_WEEK = r"(?:a |para )?(?:finales|final|fin) de (?:esta )?semana|esta semana"
NEXT_WEEK = r"(?:la )?(?:semana que viene|próxima semana|semana próxima)"
END_OF_MONTH = r"(?:a |para |antes de )?(?:finales|final|fin) de(?:l)? mes"
IN_DAYS = r"en (?P<n>\d+|un par de|dos|tres|cuatro|cinco|unos|pocos) días(?: hábiles| laborables)?"
IN_HOURS = r"en (?P<n>\d+|un par de|dos|tres|unas|pocas) horas"
TIME_OF_DAY = (
    r"(?:antes de las|a las|hasta las|para las|sobre las) (?:(?P<h>\d{1,2})(?::(?P<m>\d\d))?)"
    r"|(?:antes del|al) (?P<noon>mediodía)"
)
OOO_RETURN = r"(?:de regreso|de vuelta|regreso|vuelvo|volveré|retomo|a partir del|a partir de|estaré de regreso|estaré de vuelta|reincorporo)(?: el| al)?(?: correo)?(?: el)?"
OOO_UNTIL = r"hasta(?: el| el día)?"
OOO_INCLUSIVE = r"inclusive|incluido|incluida|ambos incluidos|ambos inclusive"

QUOTE_HEADERS = (
    r"^[ \t]*(?:> ?)*el [^\n]{0,160}\bescribió[ \t]*:[ \t]*$",
    r"^[ \t]*-{2,} ?mensaje original ?-{2,}",
    r"^[ \t]*-{2,} ?mensaje reenviado ?-{2,}",
    r"^[ \t]*de:[^\n]*\n(?:[^\n]*\n){0,2}[ \t]*(?:enviado|fecha|para|asunto)[^\n:]{0,10}:",
)
SIGNATURE_DELIMITERS = (
    r"^[ \t]*enviado desde mi\b",
    r"^[ \t]*este (?:mensaje|correo) (?:puede contener|contiene|es confidencial)",
)
VALEDICTIONS = (
    r"(?:un saludo|saludos|saludos cordiales|un cordial saludo|atentamente|cordialmente|un abrazo"
    r"|abrazos|besos|gracias|muchas gracias|quedo atent[oa]|quedo a la espera|slds|bs)"
)
