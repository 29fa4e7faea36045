"""Portuguese phrase tables (same shape as `en.py`; see `app/language/lexicons/__init__.py`).

Brazil and Portugal alike (você / tu / o senhor, "trampo", "portátil", "de baixa"). Promises
are mostly in the present ("te mando amanhã"), so a commitment is a first-person action *with*
a time or an "em breve" in the same sentence (`PROMISE_NEEDS_TIME`).
"""

LANGUAGE = "pt"

WEEKDAY_FULL = (
    r"(?:segunda-feira|terça-feira|terca-feira|quarta-feira|quinta-feira|sexta-feira|segunda"
    r"|terça|terca|quarta|quinta|sexta|sábado|sabado|domingo)"
)
WEEKDAY = rf"(?:{WEEKDAY_FULL}|seg\.?|ter\.?|qua\.?|qui\.?|sex\.?|sáb\.?|dom\.?)"
MONTH = (
    r"(?:janeiro|fevereiro|março|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro"
    r"|dezembro|jan\.?|fev\.?|mar\.?|abr\.?|mai\.?|jun\.?|jul\.?|ago\.?|set\.?|out\.?|nov\.?"
    r"|dez\.?)"
)
WEEKDAYS: dict[str, int] = {
    "segunda-feira": 0, "segunda": 0, "terça-feira": 1, "terca-feira": 1, "terça": 1, "terca": 1,
    "quarta-feira": 2, "quarta": 2, "quinta-feira": 3, "quinta": 3, "sexta-feira": 4, "sexta": 4,
    "sábado": 5, "sabado": 5, "domingo": 6,
}  # fmt: skip
NUMBERS: dict[str, int] = {
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "tres": 3, "quatro": 4, "cinco": 5,
    "alguns": 3, "poucos": 2,
}  # fmt: skip
INTERESSE = r"(?:interessad[oa]s?|interessa|interessando|interesse)"

# A stated absence as a bare date range ("Estarei fora de 16 a 27 de novembro"): `end` is
# the last day away.
RANGE_SEP = r" ?(?:-|–|—|ao dia|ao|até o dia|até dia|até|a|e o dia|e) ?"
NUMERIC_DAY = r"\d{1,2}[./]\d{1,2}(?:[./](?:\d{4}|\d{2}))?"
OOO_RANGE = (
    rf"(?:de |do dia |desde |entre |entre os dias |dos dias |entre o dia )?\d{{1,2}}º?"
    rf"(?: de {MONTH})?{RANGE_SEP}(?P<end>\d{{1,2}}º? (?:de )?{MONTH}(?:,? (?:de )?\d{{4}})?)"
    rf"|(?:de |do dia |entre )?{NUMERIC_DAY}{RANGE_SEP}(?P<end2>{NUMERIC_DAY})"
)
AWAY = (
    r"(?:fora|ausente|de férias|de ferias|em férias|de viagem|viajando|de licença|de baixa"
    r"|fora do escritório|sem acesso ao e-?mail|indisponível|de folga|afastad[oa])"
)
AWAY_SUBJECT = (
    r"(?:estou|estarei|vou estar|estaremos|estamos|vou ficar|ficarei|encontro-me|me encontro"
    r"|vou)"
)
TIME_OFF = r"(?:tirei|vou tirar|tiro) (?:uns dias|férias|folga)"

RULES: dict[str, dict[str, str]] = {
    "apology": {
        "nem_sei": r"nem sei como (?:me desculpar|pedir desculpas?|pedir perdão)",
        "desculpa": r"(?:mil |sinceras |muitas )?desculp(?:a|e|as|em|e-me|a-me)|me desculpe|peço (?:\w+ )?desculpas?",
        "perdao": r"perdão|perdao|me perdoe|perdoa(?:-me)?",
        "sinto_muito": r"sinto muito|lamento (?:\w+ )?(?:muito|imenso|a demora|o atraso|não ter|ter)"
        r"|foi mal|mea culpa|sorry",
    },
    "excuse": {
        "doente": r"(?:estive|estava|fiquei|estou|fiquei muito) (?:\w+ ){0,2}(?:doente|mal|internad[oa]"
        r"|de cama|com gripe|com febre|com covid|no hospital|de baixa)|no hospital|gripe|febre|covid"
        r"|médico|medico|baixa médica|atestado",
        "familia": r"(?:filho|filha|criança|crianças|esposa|marido|mulher|mãe|pai|companheir[oa]|avó|avô)"
        r" (?:\w+ ){0,2}(?:doente|internad[oa]|no hospital)|falecimento|funeral|enterro|emergência"
        r" familiar|problema familiar|assunto familiar|luto",
        "viagem": r"(?:viajando|de viagem|em viagem|viagem de (?:trabalho|negócios)|num congresso|em um"
        r" congresso|numa (?:conferência|formação|feira)|num treinamento|em um treinamento"
        r"|numa formação|fora da cidade|estive de férias|na serra|no exterior)",
        "trabalho": r"(?:incêndios?|atolad[oa]s?|sobrecarregad[oa]s?|enrolad[oa]s?|ocupad[oa]s?"
        r"|corrid[oa]s?|muito trabalho|muita coisa|semana (?:de loucos|louca|complicada|intensa|puxada"
        r"|corrida)|sem parar|estressad[oa]|de baixa|a mil)",
        "acesso": r"sem (?:acesso|internet|conexão|sinal|rede|wifi)|fiquei incomunicável|incomunicável"
        r"|(?:portátil|notebook|computador|laptop|celular|telemóvel|telefone) (?:\w+ )?(?:avariou"
        r"|quebrou|estragou|pifou|morreu|deu problema|não liga)|problemas? técnicos?",
        "mudanca": r"mudança|me mudei|mudei-me|mudando de casa",
        "spam": r"(?:no|na) (?:pasta de )?(?:spam|lixo eletrônico)",
        "prazo": r"lançamento|entrega final|fechamento (?:do )?(?:mês|trimestre|ano)|provas|exames?",
    },
    "assurance": {
        "interessado": rf"(?:continuo|sigo|estou|muito|ainda|realmente|bastante|super|totalmente"
        rf"|bem) (?:\w+ ){{0,3}}{INTERESSE}",
        "me_interessa": r"(?:continua|segue) (?:\w+ )?me (?:interessando|motivando|animando)"
        r"|me (?:interessa|anima|motiva|empolga) (?:\w+ )?(?:muito|bastante|demais|a vaga|o cargo)",
        "motivado": r"(?:muito |super |bem )?(?:motivad[oa]|animad[oa]|empolgad[oa]|ansios[oa] pel[ao]s?"
        r" próxim[oa]s)|adoraria (?:fazer parte|entrar|trabalhar|integrar|seguir)",
        "primeira_opcao": r"primeira opção|minha (?:opção )?favorita|vaga dos sonhos|emprego dos sonhos",
        "nao_retiro": r"não (?:\w+ ){0,2}retirar|não vou desistir|sigo no processo|continuo no processo"
        r"|continuo (?:firme|dentro|na disputa)|pode contar comigo",
        "interesse_intacto": r"interesse (?:\w+ ){0,4}(?:continua|segue|permanece|é o mesmo|não mudou"
        r"|intacto)",
        "proximas_etapas": r"próximas etapas|próximos passos",
        "tenho_interesse": r"(?:ainda |continuo a |sigo |muito )?(?:tenho|mantenho) (?:\w+ )?interesse"
        r"|quero (?:muito )?(?:seguir|continuar|avançar|esta vaga|essa vaga)|não desisti"
        r"|estou (?:super |muito )?dentro|conte comigo|continuo (?:no páreo|na corrida)",
    },
    "thanks": {
        "obrigado": r"(?:muito |muitíssimo )?obrigad[oa]s?|obg|brigad[oa]",
        "agradeco": r"agrade(?:ç|c)o|agradecer|agradecid[oa]|grat[oa]|gratidão",
        "valeu": r"valeu|vlw",
    },
    "decline": {
        "outra_proposta": r"(?:aceitei|assinei|fechei|aceitar|fiquei com|vou com) (?:\w+ ){0,3}(?:outra|outro"
        r"|uma|um) (?:\w+ )?(?:proposta|oferta|vaga|emprego|trabalho|empresa)|proposta de outra empresa"
        r"|outra proposta|já assinei",
        "sair": r"(?:sair|saindo|retirar|retiro|desistir|desisto) (?:\w+ )?(?:do processo|da seleção|minha"
        r" candidatura|da vaga|da candidatura)|retirar minha candidatura",
        "nao_seguir": r"(?:não|prefiro não|decidi não) (?:\w+ ){0,2}(?:seguir|continuar|avançar|prosseguir)"
        r" (?:com|no)",
        "sem_interesse": r"não tenho mais interesse|não (?:estou|tenho) mais (?:\w+ )?(?:interessad[oa]"
        r"|procurando|buscando)|não estou interessad[oa]|perdi o interesse",
        "ficar": r"(?:ficar|continuar|permanecer) (?:na|no|com) (?:minha|meu) (?:empresa|emprego|trabalho"
        r"|cargo|equipe)(?: atual)?|contraproposta",
        "recusar": r"(?:recusar|declinar|recuso|declino) (?:\w+ )?(?:a |sua |esta |essa )?(?:proposta"
        r"|oferta|vaga|convite)?|vou recusar",
        "cancelar": r"(?:vou )?cancelar a entrevista",
        "desistir": r"(?:desisto|vou desistir|decidi desistir) (?:\w+ ){0,2}(?:vaga|processo|candidatura"
        r"|oportunidade)|não vou (?:continuar|seguir|prosseguir|avançar)|prefiro não (?:avançar"
        r"|continuar|seguir)|(?:encontrei|arranjei|consegui) outr[ao] (?:\w+ )?(?:vaga|emprego"
        r"|oportunidade|trabalho)|fechei com outra|vou ficar onde estou|decidi ficar"
        r"|não (?:faz|fará) (?:mais )?sentido para mim",
    },
    "scheduling": {
        "funciona": rf"(?:{WEEKDAY_FULL}|amanhã|hoje|horário|data|\d{{1,2}} ?h(?:\d\d)?|tarde|manhã"
        r"|semana) (?:\w+ ){0,4}(?:funciona|fica bom|fica ótimo|serve|seria o ideal|seria ideal"
        r"|seria ótimo|pode ser|eu consigo|consigo|posso|estaria disponível|me atende)",
        "fica_bom": r"fica (?:bom|ótimo|perfeito|melhor) (?:para|pra) (?:mim|você|vocês|ti)",
        "disponivel": r"disponív(?:el|eis)|disponibilidade",
        "remarcar": r"(?:remarcar|adiar|mudar|passar|transferir|reagendar|antecipar) (?:\w+ ){0,2}(?:a |o )?"
        r"(?:entrevista|reunião|conversa|call|ligação|chamada)|remarcar|reagendar",
        "que_tal": rf"que tal (?:na |no )?(?:{WEEKDAY_FULL}|amanhã|semana)|pode ser (?:na|no|às)"
        r"|podemos (?:falar|conversar|marcar|passar|fazer|nos falar)|dá pra fazer",
        "confirmo": r"confirmo (?:a |o )?(?:\w+ )?(?:reunião|entrevista|horário|conversa|call)"
        r"|até (?:quinta|segunda|terça|quarta|sexta|amanhã)!",
        "as_horas": rf"(?:{WEEKDAY_FULL}|amanhã|hoje) (?:\w+ ){{0,2}}(?:às|entre|a partir das|das) \d{{1,2}}",
        "flexibilidade": r"flexibilidade|flexível|agenda|teams|zoom|google meet|meet",
    },
    "out_of_office": {
        "automatica": r"resposta automática|mensagem automática|e-?mail automático",
        "fora": r"(?:estou|encontro-me|me encontro) (?:\w+ ){0,3}(?:fora do escritório|ausente|de baixa"
        r" médica|sem acesso ao e-?mail)|fora do escritório",
        "retorno": r"(?:te|lhe) respondo na volta|na volta te respondo|assim que retornar|quando retornar"
        r"|não será (?:re)?encaminhad[ao]|responderei (?:à sua mensagem|nessa altura)|no meu regresso"
        r"|quando voltar|terei todo o gosto em responder|no momento não estou disponível",
        # a person stating leave as a date range: "Estarei fora de 16 a 27 de novembro"
        "away_range": rf"(?:{AWAY_SUBJECT} (?:\w+ ){{0,2}}?{AWAY}|^ ?{AWAY}|{TIME_OFF})"
        rf"(?: [\w'-]+){{0,3}}? (?:{OOO_RANGE})",
        "range_away": rf"(?:{OOO_RANGE}),? (?:[\w'-]+ ){{0,2}}?{AWAY_SUBJECT} (?:\w+ ){{0,2}}?{AWAY}",
    },
}

BLOCKERS: dict[str, tuple[str, ...]] = {
    "apology": (
        r"sinto muito em saber|lamento saber|sinto muito pel[oa] (?:sua|seu)",
        r"não precisa (?:se |te )?desculpar",
        r"(?:desculpe|desculpa) o aviso",
    ),
    "thanks": (r"obrigad[oa] (?:desde já|antecipadamente)", r"não,? obrigad[oa]"),
    "assurance": (
        r"(?:não|nem) (?:\w+ )?(?:estou |tenho )?(?:mais )?(?:interessad[oa]|interesse)",
        r"(?:você|vc|tu) (?:\w+ )?(?:tem|está) (?:\w+ )?interess\w+\?",
        r"interesse na vaga\?",
    ),
    "decline": (r"não (?:\w+ ){0,2}retirar",),
    "scheduling": (
        r"(?:tão |muito )?flexível com",
        r"(?:estive|estava) (?:\w+ )?disponível",
    ),
    "excuse": (),
    "commitment": (),
    "out_of_office": (),
}

NEGATION = r"\b(?:não|nao|nunca|jamais|sem|nem)\b"
NEGATABLE = frozenset({"apology", "assurance", "decline", "commitment"})
CLAUSE_BREAK = r"(?:[.,;:!?()\n–-]|\bmas\b|\bporém\b|\bcontudo\b|\bpelo contrário\b)"
EXCLUDE_BEFORE: dict[str, str] = {
    "excuse": r"\b(?:você|vc|espero|tomara|se)\b",
    "assurance": r"\b(?:se)\b",
}

_ACTIONS = (
    r"(?:envio|envio-lhe|mando|passo|ligo|escrevo|digo|entrego|respondo|reviso|leio"
    r"|assino|devolvo|completo|termino|preparo|dou|retorno|enviarei|mandarei|passarei|ligarei"
    r"|escreverei|confirmarei|direi|avisarei|entregarei|farei|responderei|terá|terás|vai ter"
    r"|receberá|prometo|vou|estará pronto|estará pronta)"
)
PROMISE = (
    rf"(?:te |lhe |eu |vos )?{_ACTIONS}|(?:você|vc|o senhor|a senhora) (?:terá|vai ter|receberá)"
)
PROMISE_NEEDS_TIME = True
PROMISE_SOFT = r"(?:em breve|logo|o quanto antes|assim que (?:possível|puder)|já já|daqui a pouco)"
PROMISE_BLOCKERS = (
    r"\b(?:poderia|pode|podes) (?:me )?(?:enviar|mandar|passar)\b",
    r"\btinha prometido\b",
    r"\bvou (?:estar|cancelar|recusar|sair|desistir)\b",
)

DATE_WITH_MONTH = (
    rf"(?:{WEEKDAY},? )?(?:(?:no )?dia )?\d{{1,2}}º? (?:de )?{MONTH}(?:,? (?:de )?\d{{4}})?"
)
ORDINAL_DAY = rf"(?:dia|o dia|no dia|até o dia|até dia|{WEEKDAY_FULL},? dia|{WEEKDAY_FULL}) (?P<d>\d{{1,2}})(?! ?(?:[/.]\d|de {MONTH}|{MONTH}|h\b|:|horas?))"
NEXT_WEEKDAY = rf"(?:na |no )?(?:próxima|próximo) (?P<wd>{WEEKDAY_FULL})"
BARE_WEEKDAY = rf"(?:na |no |até |até a |até à |nesta |neste )?(?P<wd>{WEEKDAY_FULL})"
DAY_AFTER_TOMORROW = r"depois de amanhã"
TOMORROW = r"(?<!de )(?<!depois de )amanhã"
TONIGHT = r"hoje à noite|hoje a noite|esta noite|essa noite"
TODAY = r"hoje|ainda hoje|até o fim do dia|até ao fim do dia"
END_OF_WEEK = (
    r"(?:até )?(?:o |ao )?(?:fim|final) d[ae] (?:esta |essa )?semana|esta semana|essa semana"
)
NEXT_WEEK = r"(?:na )?(?:semana que vem|próxima semana)"
END_OF_MONTH = r"(?:até )?(?:o |ao )?(?:fim|final) do mês"
IN_DAYS = (
    r"(?:em|dentro de) (?P<n>\d+|dois|duas|três|tres|quatro|cinco|alguns|poucos) dias(?: úteis)?"
)
IN_HOURS = r"(?:em|dentro de) (?P<n>\d+|duas|três|algumas|poucas) horas"
TIME_OF_DAY = (
    r"(?:até às|até as|até|às|antes das|antes do) (?:(?P<noon>meio-dia|meio dia)"
    r"|(?P<h>\d{1,2}) ?h(?:(?P<m>\d\d))?)"
)
OOO_RETURN = r"(?:retorno(?: no dia| em| a| no)?|regresso(?: ao escritório)?(?: a| no dia| em)?|de volta(?: em| a| no dia)?|volto(?: dia| no dia| a| em)?|a partir de|a partir do dia)"
OOO_UNTIL = r"até(?: o dia| dia| ao dia| o| ao)?"
OOO_INCLUSIVE = r"inclusive|incluído|incluida|incluída"

QUOTE_HEADERS = (
    r"^[ \t]*(?:> ?)*em [^\n]{0,160}\bescreveu[ \t]*:",
    r"^[ \t]*-{2,} ?mensagem original ?-{2,}",
    r"^[ \t]*-{2,} ?mensagem encaminhada ?-{2,}",
    r"^[ \t]*de:[^\n]*\n(?:[^\n]*\n){0,2}[ \t]*(?:enviado|enviada|data|para|assunto)[^\n:]{0,10}:",
)
SIGNATURE_DELIMITERS = (
    r"^[ \t]*enviado do meu\b",
    r"^[ \t]*enviado a partir do\b",
    r"^[ \t]*esta mensagem (?:pode conter|contém|é confidencial)",
)
VALEDICTIONS = (
    r"(?:atenciosamente|abraço|abraços|abs|att|cordialmente|saudações|cumprimentos|melhores cumprimentos"
    r"|um abraço|beijos|bjs|obrigad[oa]|muito obrigad[oa]|até mais|grande abraço)"
)
