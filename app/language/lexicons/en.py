"""English phrase tables for the intent classifier (`app/language/classify.py`).

Plain data only, so another language is one more module of the same shape. Patterns are
regular expressions matched case-insensitively with word boundaries added around them; a
literal space stands for "some whitespace, at most one line break", so phrases wrapped by a
mail client still match. Never put a space inside a character class.

`RULES` maps an intent to named patterns (the name is what `explain` reports). `BLOCKERS`
are look-alikes: text they match is hidden from that intent ("sorry to hear"). Intents in
`NEGATABLE` are dropped when a negation cue stands shortly before the match in the same
clause ("not withdrawing"); `EXCLUDE_BEFORE` adds per-intent cues ("you're swamped").
"""

LANGUAGE = "en"

# Typo-tolerant word stems, shared by several rules.
SORRY = r"(?:sorry|sory|sorrry|soz)"
APOLOG = r"(?:ap+ol+o?gi(?:es|e|se|ze|sed|zed|sing|zing)|ap+ol+o?gy|apolgies|apologys)"
INTERESTED = r"(?:interested|intrested|intersted|interessted|interestd|inerested|intereted)"
DEFINITELY = r"(?:definitely|definately|definetly|definitly|defintely|definitelly)"
REALLY = r"(?:really|realy|reallly)"
AVAILABLE = r"(?:av(?:ai|a|ia)li?a?b(?:le|ility|ilty|ilities))"
THANK = r"(?:thank(?:s|you| you| u|x)|thanx|thx|thnx|tnx|thnks|thks)"
APPRECIATE = r"(?:ap+r[ei]ciat(?:e|ed|ing)|ap+r[ei]ciative)"
WEEKDAY = (
    r"(?:monday|mon|tuesday|tues|tue|wednesday|wed|weds|thursday|thurs|thur|thu|friday|fri"
    r"|saturday|sat|sunday|sun)"
)
WEEKDAY_FULL = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
INTENSIFIER = (
    rf"(?:very|{REALLY}|{DEFINITELY}|extremely|super|highly|genuinely|truly|still|so|quite"
    r"|absolutely|certainly|incredibly|most|very much|much|even more|more than ever|all the more"
    r"|keenly|particularly|especially|also|remain|remains|am|i'm|im|i am)"
)
ROLE = r"(?:role|position|job|opportunity|opening|offer|post|vacancy|team|company|process)"
ME = r"(?:i|i'm|im|i am|i've|ive|i have|i was|i've been|we|we've|we have|we were)"

WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "weds": 2, "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
MONTH = (
    r"(?:january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug"
    r"|september|sept|sep|october|oct|november|nov|december|dec)\.?"
)
# A stated absence as a bare date range ("I'm out 16-27 Nov", "away from 3 to 12 December",
# "Dec 14-18"): `end` (or the start's `month` with `endday`) is the last day away.
RANGE_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
RANGE_SEP = r" ?(?:-|–|—|to|until|till|til|through|thru|and) ?(?:the )?"
NUMERIC_DAY = r"\d{1,2}[./]\d{1,2}(?:[./](?:\d{4}|\d{2}))?"
OOO_RANGE = (
    rf"(?:from |between )?(?:the )?{RANGE_DAY}(?: (?:of )?{MONTH})?{RANGE_SEP}"
    rf"(?P<end>{RANGE_DAY} (?:of )?{MONTH}(?:,? \d{{4}})?)"
    rf"|(?:from |between )?(?P<month>{MONTH}) {RANGE_DAY}{RANGE_SEP}(?:{MONTH} )?"
    rf"(?P<endday>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?:from |between )?{NUMERIC_DAY}{RANGE_SEP}(?P<end2>{NUMERIC_DAY})"
)
AWAY = (
    r"(?:out|off|away|absent|unavailable|offline|ooo|out of (?:the )?office|out of town|abroad"
    r"|out of the country|travell?ing|on (?:holiday|holidays|vacation|leave|pto|annual leave"
    r"|parental leave|sick leave|sabbatical|honeymoon|a trip|a business trip))"
)
AWAY_SUBJECT = (
    r"(?:i'm|im|i am|i'll be|ill be|i will be|i shall be|i'm going to be|we're|we are|we'll be"
    r"|will be)(?: also| currently| then| mostly)?"
)
TIME_OFF = r"(?:taking|take|took|booked|have|got) (?:some |a few )?(?:time off|days off|leave|pto)"

NUMBERS: dict[str, int] = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a couple of": 2,
    "a couple": 2, "couple of": 2, "a few": 3, "few": 3,
}  # fmt: skip

RULES: dict[str, dict[str, str]] = {
    "apology": {
        "sorry": rf"(?:so|very|really|terribly|awfully|truly|super|i'm|im|i am)? ?{SORRY}",
        "apologies": rf"(?:my|many|sincere|sincerest|humble)? ?{APOLOG}",
        "my_bad": r"my bad",
        "forgive": r"(?:please )?(?:forgive|pardon|excuse) (?:me|the delay|my (?:delay|late|slow|"
        r"tardy)"
        r"|the (?:late|slow|tardy)|my silence|the silence)",
        "regret_delay": r"i regret (?:the|my) (?:delay|late|slow)",
        "mea_culpa": r"mea culpa",
        "cant_apologise": rf"(?:can't|cannot|can not) {APOLOG[:-1]}|apologi[sz]e) enough",
    },
    "excuse": {
        "fires": r"(?:fires? to (?:put out|fight)|putting out (?:a few |some )?fires|fire-?fighti"
        r"ng)",
        "travel": rf"(?:{ME}|been|was|were|am|currently|while|just) (?:\w+ )?(?:travell?ing|on th"
        r"e road"
        r"|on a (?:work |business )?trip|away on (?:business|holiday|vacation))",
        "travel_for": r"travell?ing (?:for work|for business|abroad|overseas|all week|this week"
        r"|last week|a lot)",
        "swamped": r"(?:swamped|snowed under|slammed|drowning in work|buried in work|overloaded"
        r"|under water at work|underwater at work)",
        "crazy_period": r"(?:crazy|hectic|busy|mad|wild|insane|chaotic|manic|rough|intense|full-on)"
        r" (?:week|weekend|few days|couple of days|couple of weeks|few weeks|month|time|period"
        r"|stretch|quarter)",
        "crazy": r"(?:been|was|is|are|were|it's|its|things are|work is|work's) (?:\w+ )?(?:crazy|"
        r"hectic"
        r"|manic|chaotic|insane|nuts|mental|a zoo|non-stop|nonstop|overwhelming)",
        "busy": r"(?:been|was|were|so|very|extremely|incredibly|crazy|super|really) busy"
        r"(?: (?:at|with) (?:work|my job|the day job|a deadline|a project|a release|family))?",
        "busy_at_work": r"busy (?:at|with) (?:work|my job|the day job)",
        "no_access": r"(?:no|without|limited|patchy|spotty|couldn't|could not|can't|cannot|didn't"
        r" have"
        r"|did not have|unable to|lost|had no|not had) (?:get )?(?:access(?:ed)?|check|get into"
        r"|log ?in(?:to)?|reach|connect to|signal|reception|wifi|wi-fi|internet)"
        r"(?: (?:to|into|on))?(?: my)?(?: (?:e-?mails?|inbox|laptop|computer|phone|account"
        r"|internet|wifi|wi-fi))?",
        "sick": r"(?:was|been|got|fell|am|were|out|off|feeling|came down|home|i'm|im) (?:\w+ )?"
        r"(?:sick|ill|unwell|under the weather|with (?:the )?(?:flu|covid|a cold|a fever|a virus"
        r"|a bug|food poisoning))",
        "illness": r"(?:caught|had|have|got) (?:the |a )?(?:flu|covid|cold|fever|stomach bug"
        r"|food poisoning|migraine|virus)",
        "emergency": r"(?:family|personal|medical|home) (?:emergency|matter|situation|issue)",
        "hospital": r"(?:in|at|to) (?:the )?hospital",
        "bereavement": r"(?:funeral|passed away|bereavement|death in the family)",
        "event_away": r"(?:i'm|i am|im|i was|been|currently|while) (?:at|attending) (?:a|an|the|m"
        r"y \w+'s)"
        r" (?:\w+ )?(?:wedding|conference|funeral|offsite|off-site|retreat|summit|trade show|cour"
        r"se)",
        "deadline": r"(?:tight|big|major|work|project) deadlines?",
        "course": r"on a (?:training )?course|(?:in|at|on) (?:a )?training(?: course| session)?",
        "device": r"(?:laptop|computer|pc|phone|mac|macbook) (?:\w+ )?(?:died|broke|crashed|stopped"
        r" working|gave up|packed up|was stolen)",
        "outage": r"(?:power|internet|network) (?:outage|cut|was down|went down|has been down)",
        "moving": r"(?:moving house|moving apartments?|in the middle of (?:a )?move|relocating la"
        r"st week)",
        "missed": r"(?:your (?:e-?mail|message|note) )?(?:went|got|ended up) (?:to|in|into) (?:my"
        r" )?"
        r"(?:spam|junk|promotions)",
        "kids": r"(?:kids?|children|daughter|son|baby|wife|husband|partner|mom|dad|mother|father)"
        r" (?:was|were|has been|have been|got|is) (?:\w+ )?(?:sick|ill|unwell|in hospital)",
    },
    "assurance": {
        "still_interested": rf"{INTENSIFIER} (?:\w+ )?{INTERESTED}",
        "interested_in_role": rf"{INTERESTED} in (?:the|this|your|that) (?:\w+ )?{ROLE}",
        "keen": rf"(?:{INTENSIFIER}|remain|stay|am|i'm) (?:\w+ )?(?:keen|eager|enthusiastic|excited"
        r"|committed|motivated|invested)",
        "excited_about": r"(?:excited|thrilled|enthusiastic|passionate) (?:about|by|for) (?:the|"
        r"this"
        rf"|your|joining|working|being|what|a) (?:\w+ )?(?:{ROLE}|team|company|idea|prospect|chance"
        r"|work|mission|product)?",
        "everything": r"(?:everything|exactly what|just what) i(?:'m| am)? (?:was )?(?:looking for"
        r"|want(?:ed)?|hoped for|need)",
        "dream": r"(?:dream|perfect|ideal) (?:job|role|position|fit|opportunity|company|team)",
        "strong_interest": r"(?:strong|keen|continued|genuine|sincere|great|real|ongoing) interes"
        r"t (?:in|for)"
        r"|(?:reaffirm|reiterate|restate|confirm) my (?:\w+ )?interest",
        "more_excited": r"(?:more|even more|the more) (?:excited|keen|interested|enthusiastic)",
        "my_interest": r"my (?:interest|enthusiasm) (?:in|for|is|remains|hasn't|has not)",
        "want_role": rf"(?:{REALLY}|very much|truly|genuinely|definitely) (?:want|hope to get) (?"
        r":this|the)"
        rf" {ROLE}",
        "love_to": r"(?:would|i'd|i would) (?:\w+ )?love to (?:join|move forward|proceed|continue"
        r"|be part|be considered|work with|take (?:this|it|things) (?:forward|further))",
        "eager_to": r"(?:eager|keen|excited|looking forward) to (?:move forward|proceed|continue"
        r"|take (?:this|it|the next step)|join|start|get started|hear the next steps"
        r"|the next (?:step|round|stage)s?)",
        "still_in": r"(?:i'm|i am|im) (?:\w+ ){0,2}still (?:in|on board|very much in)\b(?! (?:the"
        r"|a|my) )",
        "top_choice": r"(?:top|first|number one) choice",
        "still_in_process": r"still (?:in|on board with|part of) (?:the|this) (?:process|running)"
        r"|still in the running|still on board",
    },
    "thanks": {
        "thank": rf"(?:many|huge|big|a big|a huge|special|warm|once again)? ?{THANK}",
        "appreciate": rf"{APPRECIATE}",
        "grateful": r"(?:grateful|gratitude)",
        "cheers_for": r"cheers for",
        "ty": r"(?:ty|tysm|tyvm)(?=\s*(?:[!.]|$))",
    },
    "decline": {
        "withdraw": r"(?:withdraw|withdrawing|my withdrawal|pull out|pulling out|pull myself out|"
        r"take myself out"
        r"|taking myself out|remove myself|removing myself)(?: (?:my (?:application|candidacy|name)"
        r"|from (?:the|your|this|consideration|further) ?(?:\w+ )?(?:process|search|consideration"
        r"|running|role|position|pipeline|recruitment)?|of (?:the )?(?:running|process|considerat"
        r"ion)))?",
        "remove_me": r"(?:remove|take) me (?:from|out of|off) (?:the |your |any )?(?:\w+ )?"
        r"(?:consideration|process|running|list|pipeline|candidates)",
        "accepted_offer": r"(?:accepted|accept(?:ing)?|signed|taken|took|going with|decided to ta"
        r"ke)"
        r" (?:an|another|a|a different|the other|a competing|a counter|their)(?: \w+)? "
        r"(?:offer|counteroffer|counter-offer|position|role|job)(?: elsewhere)?",
        "no_longer": rf"no longer (?:\w+ )?(?:{INTERESTED}|pursuing|looking|available for|in the "
        r"market"
        r"|considering|on the market|seeking)",
        "not_interested": rf"not (?:\w+ )?{INTERESTED}(?:,|\.|!|$| anymore| any more| any longer|"
        r" at"
        r" (?:this|the moment|present)| right now| in (?:the|this|your|that|pursuing|moving|cont"
        r"inuing"
        rf"|proceeding|taking)| after all)",
        "pursue_other": r"decided (?:to (?:pursue|go with|accept|take|stay|go in|move in|focus on)"
        r" (?:another|a different|an|other|with my|my current|at my current|a new|an internal)"
        r"|not to (?:move forward|proceed|pursue|continue|go ahead|take this))",
        "not_proceed": r"(?:won't|will not|wouldn't|would not|can't|cannot|don't want to|do not w"
        r"ant to"
        r"|not going to|prefer not to|decided against) (?:be )?(?:moving|move|proceed(?:ing)?"
        r"|continu(?:e|ing)|go(?:ing)? ahead|pursu(?:e|ing)|tak(?:e|ing) (?:this|it|the process))"
        r" (?:forward|further|with (?:the|this|my|your) (?:application|process|role|position"
        r"|opportunity|interview))",
        "no_thanks": r"thanks,? but no,? thanks",
        "not_pursuing": r"(?:won't|will not|not) be (?:pursuing|proceeding with|moving forward with)"
        r" (?:this|the|your)",
        "turn_down": r"turn(?:ing)? (?:it|this|the offer|your offer|the role|this offer) down"
        r"|turn(?:ing)? down (?:the|your|this) (?:offer|role|position)",
        "drop_out": r"(?:dropping|drop|dropped|bowing|bow) out(?: of (?:the|this|your) (?:process|running))?",
        "signed_elsewhere": r"(?:signed|accepted (?:an offer )?|going|decided to go) elsewhere",
        "pass": rf"(?:i'll|i will|i'm going to|i have to|i'll have to|i must|going to|i'd like to"
        rf"|i'll need to|i need to|going to have to|will have to|i'd rather|i think i'll)"
        r" (?:respectfully |politely |have to |need to )?pass(?:(?=\s*(?:[.,;!]|$|for now|this t"
        r"ime))"
        rf"| on (?:this|the|your|that) (?:\w+ )?{ROLE})",
        "decline_offer": rf"(?:must|have to|will have to|going to|i'll|i will|i'd like to|need to"
        rf"|respectfully|regretfully|i've decided to|i have decided to) decline (?:the|this|your"
        rf"|any further) ?(?:\w+ )?(?:{ROLE}|interview|invitation|invite|next steps?|process)?",
        "happy_where": r"happy (?:where i am|in my current (?:role|job|position)|with my current "
        r"(?:role"
        r"|job|employer|company)|to stay (?:where i am|put))|stay(?:ing)? put",
        "not_looking": r"(?:i'm|i am|im) not (?:actively |really )?(?:looking|on the market|open to"
        r" (?:a move|new roles|opportunities|moving))",
        "stay_current": r"(?:staying|stay|remain|remaining) (?:with|at|in) my current (?:company"
        r"|employer|role|job|position|team)",
        "not_right_time": r"(?:not|isn't|is not) the right (?:time|move|fit|step) for me",
    },
    "scheduling": {
        "works_for_me": r"(?:works|work|suits) for me|let me know (?:when|what time|which day)"
        r"|calendar invite|(?:zoom|teams|google meet) (?:call|link|meeting)"
        r"|confirm(?:ed|ing)? (?:the|our) (?:call|interview|meeting|chat)",
        "see_you": rf"see you (?:on )?(?:{WEEKDAY_FULL}|tomorrow|then|next week|at)",
        "push_to": r"(?:push|move|shift) (?:it |this |things |us )?(?:to|back to|back a) (?:\w+)",
        "flexible": r"(?:very |pretty |quite |fully |totally )?flexible(?! (?:on|about|with) (?:the|my|your) (?:date|salary|start))",
        "we_talk": r"(?:can|could|shall) we (?:talk|speak|chat|meet)",
        "availability": rf"(?:my|your|the|any|some|full|updated)? ?{AVAILABLE}",
        "free_at": r"(?:i'm|im|i am|i'll be|i will be|i'd be|i would be|i should be|we're) (?:al"
        r"so )?"
        r"(?:free|around|open|wide open|flexible) (?:on|at|from|any|all|this|next|tomorrow|after"
        r"|before|between"
        rf"|anytime|in the|most|{WEEKDAY_FULL})",
        "what_times": r"(?:what|which) (?:\w+ )?(?:times?|days?|slots?|dates?) (?:work|works|suit"
        r"|suits"
        r"|are good|would work|might work|are best|is best|are convenient)",
        "works": rf"(?:{WEEKDAY_FULL}|tomorrow|today|mornings?|afternoons?|evenings?|noon|that time"
        r"|that slot|either (?:slot|time|day)|any of those|next week|\d{1,2}(?::\d\d)? ?(?:am|pm|"
        r"a\.m\.|p\.m\.)"
        r"|the \d{1,2}(?:st|nd|rd|th))(?:,? (?:morning|afternoon|evening|at|or|and|also|both"
        r"|\d{1,2}(?::\d\d)?(?:am|pm)?"
        rf"|am|pm|a\.m\.|p\.m\.|{WEEKDAY_FULL}|the|\d{{1,2}}(?:st|nd|rd|th)|after|before|onwards|"
        r"onward|lunch"
        r"|midday|noon|est|et|pt|pst|cet|gmt|bst|ist|your time|my time|next week|this week)){0,5}"
        r",? (?:works"
        r"|work|suits|suit|is fine|is good|is great|is perfect|would work|would be (?:great|perfe"
        r"ct|fine"
        r"|ideal|best|better)|could work|should work|is best|are best|are good|are fine)",
        "reschedule": r"(?:re-?schedul(?:e|ed|ing)|re-?arrange|push (?:our|the|my) (?:\w+ )?(?:ca"
        r"ll|interview"
        r"|meeting|chat)|move (?:our|the|my) (?:\w+ )?(?:call|interview|meeting|chat)"
        r"|postpone)",
        "book_time": r"(?:book|set up|schedule|arrange|find|grab|pick|propose|suggest|send(?: me)?"
        r"|confirm) (?:a|the|another|some|an|our|us a)? ?(?:\w+ )?(?:time|slot|call|chat|interview"
        r"|meeting|calendar invite|invite|calendly link|date|times)(?! (?:for|to) (?:me|you) (?:b"
        r"y|to))",
        "does_work": rf"(?:does|would|could|will|how about|what about) (?:{WEEKDAY_FULL}|tomorrow"
        r"|\d{1,2}(?::\d\d)? ?(?:am|pm)|the (?:morning|afternoon)|next week|this week"
        r"|(?:early|late|later|first thing)) ?(?:\w+ )?(?:\w+ )?(?:work|suit|be ok|be okay|be goo"
        r"d|at)",
        "how_about": rf"(?:how about|what about|maybe|perhaps|or) (?:{WEEKDAY_FULL}|tomorrow"
        r"|\d{1,2}(?::\d\d)? ?(?:am|pm)|next week|later this week|early next week)"
        r"(?: (?:morning|afternoon|evening|at \d{1,2}(?::\d\d)? ?(?:am|pm)?))?(?=\s*[?])",
        "i_can_do": rf"i (?:can|could) (?:do|make|manage|take a call|talk|chat|speak|meet)"
        rf" (?:it )?(?:on |at |any ?time |anytime |either )?(?:{WEEKDAY_FULL}|tomorrow|today"
        r"|\d{1,2}(?::\d\d)? ?(?:am|pm)|the (?:morning|afternoon|\d)|next week|this week|mornings"
        r"|afternoons|evenings|after|before|between)",
        "cant_make": r"(?:can't|cannot|can not|won't be able to|couldn't|could not|unable to) (?"
        r":make|do)"
        rf" (?:it )?(?:on |at )?(?:{WEEKDAY_FULL}|tomorrow|today|\d|the (?:call|interview|meeting"
        r"|\d)"
        r"|that time|that slot|our call)",
        "slots": r"(?:some|a few|few|these|those|my|free|open|available|the following|two|three|c"
        r"ouple of)"
        r" (?:time )?(?:slots|windows)",
        "lock_in": r"(?:lock|pencil|put|block) (?:it |us |that |this |time )?(?:in|out|on the ca"
        r"lendar|in the"
        rf" calendar|in your calendar|in my calendar)(?: for)? (?:{WEEKDAY_FULL}|tomorrow|\d|the|"
        r"an hour|time)",
        "time_zone": r"(?:in|my) (?:the )?(?:\w+ )?(?:time ?zone|timezone)",
        "can_we": r"(?:can|could|shall|should) we (?:do|have|set up|book|schedule|arrange|hop on"
        r"|jump on)"
        r" (?:a |the |our |another )?(?:\w+ )?(?:call|chat|meeting|interview)|(?:can|could|shall"
        r") we"
        rf" (?:meet|talk|speak|chat|do) (?:it )?(?:on |at |this |next )?(?:{WEEKDAY_FULL}|tomorro"
        r"w|today"
        r"|\d|later|earlier)",
    },
    "out_of_office": {
        "ooo_present": r"(?:i am|i'm|im|currently|presently) (?:currently |presently |now )?"
        r"(?:out of (?:the )?office|ooo|away from (?:the|my) (?:office|desk)|on (?:annual|parental"
        r"|maternity|paternity|medical|sick|study|holiday|vacation|sabbatical|bereavement|compass"
        r"ionate)"
        r" leave|on leave|away (?:on (?:holiday|vacation|leave|business)|until|till|til|through|t"
        r"hru))",
        "ooo_away": r"(?:i am|i'm|im|i will be|i'll be|i shall be|currently|presently) (?:current"
        r"ly |presently"
        r" |now )?(?:out of (?:the )?office|ooo|on (?:holiday|vacation|pto|sabbatical|leave)|away"
        r"|out)"
        r"(?: (?:\w+ )?(?:and|with) (?:\w+ )?(?:limited|no) (?:access|connectivity)| (?:until|til"
        r"l|til"
        r"|through|thru|returning|and will (?:return|be back)|between))",
        "ooo_until": r"out of (?:the )?office (?:until|till|til|through|thru|from|returning|and w"
        r"ill)",
        "leave_until": r"on (?:annual|parental|maternity|paternity|medical|study) leave (?:until|"
        r"till"
        r"|til|through|thru|from|and|with)",
        "auto_reply": r"(?:automatic reply|auto-?reply|automated (?:response|reply|message)"
        r"|autoreply|auto-?response|this is an automated)",
        "will_respond_on_return": r"(?:i will|i'll) (?:respond|reply|get back to you|answer|deal "
        r"with"
        r" (?:it|your|this)|read (?:it|your)|attend to) (?:to (?:your|it|this) (?:\w+ )?)?(?:\w+ )?"
        r"(?:upon|on|when i|as soon as i|after i|once i) (?:my )?(?:return|returning|get back|am "
        r"back"
        r"|back)",
        "limited_access": r"(?:with|have|having) (?:very )?(?:limited|no|intermittent) access to"
        r" (?:my )?(?:e-?mail|inbox)(?: until| till| through| during)",
        # a person stating leave as a date range: "I'm away 16-27 Nov", "Off 3 to 12 December"
        "away_range": rf"(?:{AWAY_SUBJECT} {AWAY}|^ ?{AWAY}|{TIME_OFF})(?: [\w'-]+){{0,3}}? (?:{OOO_RANGE})",
    },
}


BLOCKERS: dict[str, tuple[str, ...]] = {
    "apology": (
        rf"{SORRY} (?:to hear|for your loss|about your loss|to learn|to see you go|you had|you're"
        r"|you are|you were|to read|about your (?:\w+ )?(?:news|loss|father|mother|dad|mom|family"
        r"|illness|week))",
        rf"(?:no need|nothing|don't|do not|never) (?:\w+ )?(?:to )?"
        rf"(?:{APOLOG}|be {SORRY}|say {SORRY})",
        rf"(?:you|you're|you don't|you do not|you have|you) (?:\w+ )?(?:{APOLOG}|{SORRY})",
        rf"{SORRY}\?",
        rf"(?:i'd|i would|would|we'd|we would) (?:\w+ )?be {SORRY}",
        rf"not {SORRY}",
        rf"{APOLOG} (?:accepted|not necessary|unnecessary)",
        r"(?:excuse|pardon) me,? (?:but|could|can|would|do|is|are|what)",
    ),
    "thanks": (
        r"thanks,? but no,? thanks",
        r"no,? (?:thank you|thanks|thx)",
        rf"{THANK} in advance",
        r"thank(?:s| you)(?: very much| so much)? for nothing",
        rf"(?:would|will) (?:\w+ )?(?:be )?{APPRECIATE}",
        rf"{APPRECIATE} (?:if|it if|that you may|you may)",
        r"(?:i'd|i would|would) (?:\w+ )?(?:be )?grateful",
    ),
    "decline": (
        r"(?:not|n't|never) (?:\w+ )?(?:withdraw(?:ing)?|pulling out|pull out)",
        r"(?:withdraw|withdrawn|withdrawing|withdrew|pulled out|pulling out|pull out) (?:\w+ )?(?"
        r":from )?"
        r"(?:my |all |the )?(?:other|all other|another|two other|a few other|several other)",
        r"not (?:\w+ )?interested in (?:relocating|relocation|moving|contract|part-time|a contract"
        r"|management|remote|hybrid|commuting)",
    ),
    "assurance": (
        rf"(?:not|no longer|never|isn't|wasn't|less|n't) (?:\w+ )?(?:\w+ )?{INTERESTED}",
        rf"(?:are|were) you (?:\w+ )?(?:{INTERESTED}|keen|excited)",
        rf"if (?:you're|you are|i'm|i am|they're|they are) (?:\w+ )?(?:{INTERESTED}|keen)",
        rf"{INTERESTED} to (?:hear|know|learn|see|understand)",
        rf"(?:very|really|quite) {INTERESTED} in (?:relocating|relocation|remote|hybrid|the salary"
        r"|compensation|what)",
    ),
    "scheduling": (
        r"find (?:the )?time to",
        rf"{AVAILABLE} (?:to start|for (?:a )?(?:start|relocation|relocat\w*|travel))",
        r"(?:role|position|job|opening|opportunity|vacancy|offer|it|that|still) (?:\w+ )?(?:is |"
        r"was |still )*"
        rf"{AVAILABLE}(?! (?:on|at|for a|any|all|this|next|tomorrow))",
    ),
    "excuse": (
        r"(?:safe|happy) travels",
        r"sick of",
        r"sick (?:pay|leave policy|days policy)",
    ),
    "commitment": (),
    "out_of_office": (),
}

# Words that cancel a following match in the same clause (within a few words).
NEGATION = (
    r"\b(?:not|no|never|nothing|without|hardly|barely|neither|nor|cannot|can't|won't|don't"
    r"|doesn't|didn't|isn't|wasn't|aren't|weren't|shouldn't|wouldn't|couldn't|haven't|hasn't"
    r"|hadn't|unable|unlikely|n't)\b"
)
NEGATABLE = frozenset({"apology", "assurance", "decline", "commitment"})
# Clause boundaries: punctuation, "but", and set phrases that reset a negation.
CLAUSE_BREAK = (
    r"(?:[.,;:!?()\n]|\bbut\b|\bhowever\b|\bthough\b|\bno (?:worries|problem|rush|pressure)\b"
    r"|\bnot (?:a problem|an issue)\b|\bif not\b|\bor not\b)"
)
EXCLUDE_BEFORE: dict[str, str] = {
    "excuse": r"\b(?:you|you're|youre|your|you've|hope|hoping|if|hopefully|know how|he|she|they"
    r"|he's|she's|they're|hear|heard|interviewer|recruiter)\b",
    "apology": r"\b(?:you|you're|your)\b",
    "assurance": r"\b(?:if|whether|asked|asking|ask)\b",
    "thanks": r"\b(?:to say)\b",
}

# Commitment: a first-person promise of an action, optionally with a deadline nearby.
PROMISE_SUBJECT = (
    r"(?:i'll|ill|i will|i shall|i'm going to|im going to|i am going to|i'm gonna|i can|i could"
    r"|i should|i plan to|i intend to|i aim to|i expect to|i promise to|i'll make sure to"
    r"|i will make sure to|let me|and will|(?:i'm |i am |i'd be |i would be )?(?:more than )?(?:h"
    r"appy|glad) to|(?<!\w\s)(?<![\w'])will)"
)
PROMISE_YOU = (
    r"i promise(?: that)?(?: (?:it|they|the [\w-]+|my [\w-]+) will be)?|"
    r"(?:you'll|you will|you should|you can expect to|expect to) (?:have|get|receive|see|hear fro"
    r"m me)"
    r"(?: (?:it|them|this|that|these|my \w+|the \w+|an? \w+|everything|something|back|from me))?"
    r"|expect (?:it|them|this|that|these|the [\w-]+|my [\w-]+|an? [\w-]+)(?: [\w-]+){0,2}"
    r"(?= (?:by|on|tomorrow|today|before|within|in|next|this|later|early))"
)
PROMISE_ADVERBS = (
    r"(?:definitely|certainly|also|surely|then|just|quickly|gladly|happily|try to|try and|aim to"
    r"|make sure to|be sure to|be able to|manage to|hopefully|still|absolutely|promptly|now|def)"
)
PROMISE_VERB = (
    r"(?:send|resend|re-send|e-?mail|forward|share|submit|upload|return|sign|fill (?:it |this |th"
    r"em )?"
    r"(?:out|in)|complete|finish|finalize|finalise|get back|circle back|revert|reply|respond|foll"
    r"ow up"
    r"|follow-up|confirm|let you know|get (?:it|this|that|them|these|those|everything|my [\w-]+"
    r"|the [\w-]+|a [\w-]+)(?: [\w-]+){0,2} (?:to|over to|back to|across to) you|get (?:it|that|t"
    r"hem|this) (?:done|over"
    r"|back|sorted|signed|completed|finished|across)|have (?:it|this|that|them|these|everything"
    r"|my [\w-]+|the [\w-]+|an? [\w-]+)(?: [\w-]+)? (?:ready|done|finished|completed|signed|back|"
    r"over|to you"
    r"|for you|sent|with you|in your inbox)|call|ring|phone|touch base|look (?:over|into|at|throu"
    r"gh)"
    r"|review|check|go over|go through|read through|think (?:it )?over|decide|provide|pass (?:it )?(?:along|on)(?! (?:this|that|the|your) (?:[\w-]+ )?(?:role"
    r"|position|job|opportunity|offer))|drop (?:it|you|them)|ping|update you"
    r"|put together|prepare|sort (?:it|this|that) out|reach out|take a look|write back"
    r"|write to you|come back to you|be in touch|get in touch|get you|need to check)"
)
PROMISE_SOFT = r"(?:soon|shortly|asap|as soon as (?:i can|possible)|in a bit|in due course)"
# Things that look like a promise but are not one.
PROMISE_BLOCKERS = (
    r"(?:could|can|would|will|should) you\b",
    r"\bif you (?:could|can|would)\b",
    r"\b(?:let me know|you'll|you will) (?:\w+ )?(?:send|share|confirm|let|need|get|call|have|hear)"
    r" (?:me|us|when|if|whether)",
)

# Deadline expressions (see `app.language.dates` for the order they are tried in).
DATE_WITH_MONTH = (
    rf"(?:{WEEKDAY},? )?(?:the )?{MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?"
    rf"|(?:{WEEKDAY},? )?(?:the )?\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{MONTH}(?:,? \d{{4}})?"
)
ORDINAL_DAY = (
    rf"(?:{WEEKDAY_FULL},? (?:the )?|the )(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?! ?(?:{MONTH}|[/:.]\d|am\b|pm\b|of))"
)
NEXT_WEEKDAY = rf"next (?P<wd>{WEEKDAY})"
BARE_WEEKDAY = (
    rf"(?:this |on |by |until |till |coming |before )?(?P<wd>{WEEKDAY_FULL}|tues|thurs|weds)"
)
DAY_AFTER_TOMORROW = r"(?:the )?day after tomorrow"
TOMORROW = r"(?:tomorrow|tmrw|tmr|tomorow|tommorow|tommorrow)"
TONIGHT = r"(?:tonight|this evening|tonite|later tonight)"
TODAY = (
    r"(?:end of (?:the |my )?(?:day|business day|today)|by eod|eod|cob|close of business|close of"
    r" play"
    r"|today|later today|this afternoon|this morning|within the hour|in an hour|in a few hours)"
)
END_OF_WEEK = r"(?:(?:the )?end of (?:the |this )?week|eow|this week)"
NEXT_WEEK = r"(?:next week|the following week|early next week|later next week|end of next week)"
END_OF_MONTH = r"(?:the )?end of (?:the |this )?month"
IN_DAYS = (
    r"(?:in|within) (?:the next )?(?P<n>\d+|a couple of|a couple|couple of|a few|few|two|three"
    r"|four|five) (?:business |working )?days"
)
IN_HOURS = r"(?:in|within) (?:the next )?(?P<n>\d+|24|48|a couple of|a few|two|three) hours"
TIME_OF_DAY = (
    r"(?:by|before|at|until|till) (?:(?P<noon>noon|midday|lunch(?:time)?)"
    r"|(?P<h>\d{1,2})(?=:\d\d| ?(?:am|pm|a\.m\.|p\.m\.))(?::(?P<m>\d\d))? ?"
    r"(?P<ap>am|pm|a\.m\.|p\.m\.)?)"
)

# Return-date cues of an absence notice: "back on X" (X is the first day back), "until X"
# (back on X) and "through X" / "X inclusive" (back on the next working day after X).
OOO_RETURN = (
    r"(?:returning(?: to the office)?(?: on)?|return(?: to the office)? on"
    r"|back(?: in the office| at work| at my desk)?(?: on)?|will return|will be back"
    r"|and return(?:ing)?(?: on)?|pick up (?:e-?mails?|my e-?mails?|messages) again(?: on)?)"
)
OOO_UNTIL = r"(?:until|till|til|up to and including|up to|through|thru)"
OOO_INCLUSIVE = r"(?:through|thru|inclusive|included|and including)"

# Reply-splitting fallbacks for what the mail parser misses.
QUOTE_HEADERS = (
    r"^[ \t]*on\b.{0,200}\bwrote:\s*$",
    r"^[ \t]*-{2,}\s*original message\s*-{2,}",
    r"^[ \t]*-{2,}\s*forwarded message\s*-{2,}",
    r"^[ \t]*begin forwarded message:",
    r"^[ \t]*_{10,}\s*$",
    r"^[ \t]*from:.*\n(?:.*\n){0,2}\s*(?:sent|date|to|subject):",
    r"^[ \t]*(?:sent|date):.*\n\s*(?:from|to):",
    r"^[ \t]*le .{0,80} a écrit\s*:",
)
SIGNATURE_DELIMITERS = (
    r"^--\s*$",
    r"^__\s*$",
    r"^[ \t]*sent from my\b",
    r"^[ \t]*sent (?:from|via) (?:outlook|gmail|yahoo|mail for|samsung|my)",
    r"^[ \t]*get outlook for\b",
    r"^[ \t]*sent on the go\b",
)
# A closing line ("Best,") followed only by a short name/title block ends the message.
VALEDICTIONS = (
    r"(?:best|best regards|best wishes|kind regards|kindest regards|warm regards|warmest regards"
    r"|regards|many thanks|thanks|thank you|thanks again|thank you again|thx|cheers|sincerely"
    r"|yours sincerely|yours truly|yours|all the best|warmly|take care|talk soon|speak soon"
    r"|respectfully|with thanks|with gratitude|gratefully|best wishes|ta)"
)
