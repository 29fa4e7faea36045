"""Synthetic organisations: recruiters, candidates and realistic contact histories.

Used by the demo loader (`make run`) and by the benchmarks (`bench/`). Everything is a pure
function of the seed: the same arguments give the same recruiters, candidates and events.

Each candidate gets a behaviour *persona* that drives how fast they answer and how their
story goes; a history is a run of *cycles* (outreach → reply, a call, a meeting, a request
for documents, a status update with a promised date, …) paced to fill the time window, plus
a closing *tail* for personas whose story ends a particular way (ghosting, withdrawing, a
run of no-shows and apologies). All times fall in working-hours-ish slots of the
candidate's own time zone, with weekends skipped.

    persona ──▶ budget of events ──▶ cycles (paced over start..end) ──▶ tail ──▶ events

Names, e-mail addresses (`example.com`/`example.org`) and phone numbers (555-01xx) are
fictional and clearly synthetic.
"""

import contextlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from app.core.business_time import WorkingCalendar

ORG_TIMEZONE = "America/New_York"
COMPANY = "Northwind Talent"
OTHER_TIMEZONES = (
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Australia/Sydney",
)
PERSONAS: dict[str, float] = {
    "engaged": 0.22,
    "steady": 0.22,
    "slow": 0.10,
    "cooling": 0.08,
    "ghoster": 0.10,
    "no_show": 0.08,
    "out_of_office": 0.07,
    "rescheduler": 0.06,
    "withdrawn": 0.07,
}

_FIRST_NAMES = (
    "Avery", "Blake", "Casey", "Dakota", "Emerson", "Finley", "Harper", "Hayden", "Jamie",
    "Jordan", "Kendall", "Logan", "Morgan", "Parker", "Quinn", "Reese", "Riley", "Rowan",
    "Sage", "Skyler", "Taylor", "Alexis", "Bailey", "Cameron", "Devon", "Elliot", "Frankie",
    "Gray", "Jesse", "Kai", "Lane", "Marlowe", "Noel", "Oakley", "Peyton", "Remy", "Shay",
    "Tatum", "Wren", "Ainsley", "Briar", "Carmen", "Darian", "Ellis", "Greer", "Harlow",
    "Indigo", "Jules", "Kiran", "Lennon", "Milan", "Nico", "Oren", "Perry", "Robin", "Sasha",
)  # fmt: skip
_LAST_NAMES = (
    "Ashdown", "Birchfield", "Calloway", "Dunmore", "Everhart", "Fairbanks", "Glenwood",
    "Hartwell", "Ironside", "Kingsley", "Larkspur", "Merriweather", "Northcott", "Oakhurst",
    "Pemberton", "Quarrington", "Redfern", "Stonebridge", "Thistlewood", "Underhill",
    "Vantongeren", "Westbrook", "Yarborough", "Ashcombe", "Blackwood", "Copperfield",
    "Dalgleish", "Elderbury", "Foxworth", "Greenhalgh", "Holloway", "Juniper", "Kettering",
    "Lockwood", "Marchetti", "Nightingale", "Ollivander", "Penhaligon", "Rookwood", "Silverton",
    "Tennyson", "Waverley", "Whitcombe", "Ravensworth", "Summerlee", "Thornbury",
)  # fmt: skip
_RECRUITER_NAMES = (
    "Dana Whitfield", "Marcus Okafor", "Priya Raman", "Elena Sorensen", "Tom Achterberg",
    "Grace Liang", "Samir Haddad", "Olivia Brandt", "Diego Marín", "Hannah Kowalski",
    "Felix Duarte", "Nadia Petrova",
)  # fmt: skip
_JOBS = (
    "Backend Engineer", "Frontend Engineer", "Data Analyst", "Product Designer",
    "Product Manager", "PR Manager", "Account Executive", "Customer Success Manager",
    "DevOps Engineer", "Data Scientist", "Marketing Manager", "Financial Analyst",
    "QA Engineer", "Technical Writer", "HR Business Partner", "Operations Coordinator",
)  # fmt: skip
_STAGES = (
    ("applied", 3.0), ("phone screen", 4.0), ("technical interview", 3.0), ("onsite", 2.0),
    ("final interview", 1.5), ("reference check", 0.8), ("offer", 0.5),
)  # fmt: skip
_OTHER_STATUSES = (("on_hold", 0.5), ("hired", 0.25), ("rejected", 0.25))

# --- message templates -------------------------------------------------------------------
_OUTREACH = (
    "Thanks for applying for the {job} role. Would you have 30 minutes this week for an intro "
    "call?",
    "Following our chat, the hiring manager would like to move you forward for the {job} "
    "position. Could you share a couple of times that work next week?",
    "Quick question about the {job} role: what is your notice period, and are you open to a "
    "hybrid set-up?",
    "I have some feedback from the team and a few questions about your salary expectations. "
    "When could we talk?",
    "The team enjoyed your profile. Are you available for a technical conversation with our "
    "lead engineer?",
    "I wanted to share the next steps for the {job} process. Can you confirm you are still "
    "available to continue?",
    "Could you tell me a bit more about your most recent project? It would help me brief the "
    "hiring manager.",
    "We have a new opening on the same team that may suit you even better. Shall I tell you "
    "more about it?",
)
_FOLLOW_UPS = (
    "Just following up on my note below. Let me know when you have a moment.",
    "Bumping this up your inbox in case it got buried. Any thoughts?",
    "Checking in again on my previous message about the {job} role.",
    "Hi again, I'd love to keep things moving. Could you get back to me when you can?",
)
_SLOTS = (
    "Tuesday at 10am", "Wednesday afternoon", "Thursday morning", "Friday at 2pm",
    "Monday after 11", "tomorrow at 3pm", "any time on Thursday",
)  # fmt: skip
_QUICK_REPLIES = (
    "Thanks for reaching out! {slot} works for me.",
    "Hi {rfirst}, great to hear from you. {slot} works well.",
    "Sounds good, {slot} works. Looking forward to it.",
    "Thank you! Happy to chat, {slot} works.",
    "Yes, that's fine. My notice period is four weeks and hybrid suits me.",
    "Sure - the most recent project was a migration of our billing platform; happy to go "
    "into detail on a call.",
    "Yes, please send over the details.",
    "Thanks {rfirst}, that all makes sense. {slot} would be perfect.",
)
_PLAIN_REPLIES = (
    "Hi {rfirst}, {slot} is fine.",
    "Ok, {slot} works.",
    "Hello, yes I can talk {slot}.",
    "Got it. Notice period is one month.",
    "Yes, still available to continue. {slot} works.",
    "Sounds fine to me.",
)
_SLOW_REPLIES = (
    "Hi {rfirst}, only just seeing this. {slot} works.",
    "Hello, yes that's fine. {slot} works.",
    "Sorry for the slow reply. {slot} works for me.",
    "Hi, {slot} would work.",
)
_CONFIRMS = (
    "Confirmed, talk {day}.",
    "Great, see you {day} at {clock}.",
    "Perfect, I have it in my calendar for {day}.",
    "Thanks, {day} at {clock} works.",
)
_THANK_YOUS = (
    "Thank you for your time today. I enjoyed learning about the team and I am excited about "
    "the role.",
    "Thanks so much for the conversation this afternoon - it was great to meet everyone.",
    "Many thanks for today's interview. It confirmed how much I would like to join the team.",
    "Thank you for organising the interview today, I really appreciated the detailed answers.",
)
_CHECK_INS = (
    "Hello {rfirst}, checking in to ask whether the timeline remains the same. I remain very "
    "interested in the position.",
    "Hi {rfirst}, just wanted to check in on next steps. I'm still very keen on the {job} role.",
    "Hi {rfirst}, I hope your week is going well. Is there any update on the decision?",
    "Hi {rfirst}, I put together a short write-up of how I'd approach the first 90 days, in "
    "case it's useful for the team.",
)
_APOLOGIES = (
    "I am so sorry", "My sincere apologies", "Apologies for missing our call",
    "I'm really sorry about that", "Sorry again",
)  # fmt: skip
_EXCUSES = (
    "fires needed putting out at work",
    "I was travelling and could not access email",
    "it has been a crazy week",
    "I was sick with the flu",
    "we had a family emergency",
    "I've been swamped with a deadline",
)
_ASSURANCES = (
    "I am still very interested in the role.",
    "I remain very keen on the opportunity.",
    "This role is exactly what I'm looking for.",
    "I'm still very much interested in moving forward.",
)
_COMMITMENTS = (
    "I'll send it by {weekday}.",
    "I will get it to you tomorrow.",
    "I'll send everything by the end of the week.",
    "I will send the documents by {weekday}.",
)
_REQUESTS = (
    ("two references", "Could you send two references? We need them to move to the next round."),
    ("your portfolio", "Could you share your portfolio or a few work samples before the panel?"),
    ("your availability", "Please send me your availability for next week so I can schedule "
     "the interviews."),
    ("a signed NDA", "Please sign and return the attached NDA before the technical exercise."),
    ("the take-home exercise", "Here is the take-home exercise; please send it back when done."),
    ("a copy of your ID", "For the background check, please upload a copy of your ID."),
)  # fmt: skip
_DELIVERIES = (
    "Here are my two references, attached.",
    "Please find the requested documents attached.",
    "Attached - let me know if you need anything else.",
    "Done, I've uploaded it to the portal.",
    "Here you go. Thanks for the patience!",
)
_PROMISES = (
    "Thanks {first}, the team is reviewing everything and we will get back to you by {weekday}.",
    "Quick update: the hiring manager is travelling, so we will have feedback for you by "
    "{weekday}.",
    "Thank you for your patience. We expect to decide by {weekday} and I'll be in touch then.",
)
_UPDATES = (
    "Good news: the team would like to invite you to the next round. Are you free {slot}?",
    "Thanks for waiting. The panel was positive; could we set up a call to talk next steps?",
    "Update from the team: they'd like one more conversation. What times suit you?",
)
_NOTES = (
    "Your application has moved to the {stage} stage.",
    "Just a note that your interview feedback has been shared with the hiring manager.",
    "FYI, our offices are closed next Friday; I'll be back in touch after that.",
)
_DECLINES = (
    "Hi {rfirst}, thank you for all your help. I have accepted another offer, so I'd like to "
    "withdraw my application.",
    "Hello {rfirst}, after a lot of thought I have decided to accept an offer elsewhere. Please "
    "remove me from the process - thanks for everything.",
    "Hi {rfirst}, I wanted to let you know I'm withdrawing from the process; I've accepted "
    "another role.",
)
_CLOSE_OUTS = (
    "Thanks for letting me know, {first}, and congratulations! Best of luck in the new role.",
    "Understood - thank you for the update and all the best.",
)
_RESCHEDULE_NOTES = (
    "Something came up at work - could we move our interview to {day}?",
    "I need to reschedule, would {day} at {clock} work instead?",
)
_CANCEL_NOTES = (
    "I'm afraid I have to cancel tomorrow's interview; I'll be in touch with new times.",
    "I can't make the interview after all - can we find another slot?",
)
_SIGNATURES = (
    "\n\n--\n{name}\nSent from my iPhone",
    "\n\nBest,\n{name}",
    "\n\nKind regards,\n{name}\n{phone}",
    "\n\nCheers,\n{first}",
    "",
    "",
)


@dataclass
class GeneratedOrg:
    """A synthetic organisation as API bodies: recruiters, candidates and events."""

    recruiters: list[dict[str, Any]]
    candidates: list[dict[str, Any]]
    events: list[dict[str, Any]]
    personas: dict[str, str] = field(default_factory=dict)


@dataclass
class GeneratedCandidate:
    """One candidate's body, persona and events (in time order)."""

    body: dict[str, Any]
    persona: str
    events: list[dict[str, Any]]


def generate_org(
    *,
    seed: int,
    candidates: int,
    recruiters: int = 5,
    start: datetime,
    end: datetime,
    events_per_candidate: float = 12.0,
    prefix: str = "",
) -> GeneratedOrg:
    """Generate a whole organisation, deterministically for a seed."""
    recruiter_bodies = generate_recruiters(seed=seed, recruiters=recruiters, prefix=prefix)
    org = GeneratedOrg(recruiters=recruiter_bodies, candidates=[], events=[])
    for generated in iter_candidates(
        seed=seed,
        candidates=candidates,
        recruiters=recruiter_bodies,
        start=start,
        end=end,
        events_per_candidate=events_per_candidate,
        prefix=prefix,
    ):
        org.candidates.append(generated.body)
        org.events.extend(generated.events)
        org.personas[generated.body["external_id"]] = generated.persona
    return org


def generate_recruiters(*, seed: int, recruiters: int, prefix: str = "") -> list[dict[str, Any]]:
    """Return `recruiters` named recruiters with e-mail addresses (RecruiterUpsert bodies)."""
    rng = random.Random(f"recruiters/{seed}")
    names = list(_RECRUITER_NAMES)
    rng.shuffle(names)
    bodies: list[dict[str, Any]] = []
    for n in range(1, recruiters + 1):
        name = names[(n - 1) % len(names)]
        if n > len(names):
            name = f"{name} {n // len(names) + 1}"
        local = ".".join(part.lower() for part in name.split()).replace("í", "i")
        bodies.append(
            {
                "external_id": f"{prefix}rec-{n}",
                "name": name,
                "email": f"{local}@example.com",
                "timezone": ORG_TIMEZONE,
            }
        )
    return bodies


def iter_candidates(
    *,
    seed: int,
    candidates: int,
    recruiters: Sequence[dict[str, Any]],
    start: datetime,
    end: datetime,
    events_per_candidate: float = 12.0,
    prefix: str = "",
) -> Iterator[GeneratedCandidate]:
    """Yield candidates one at a time (for streaming large organisations)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        raise ValueError("end must be after start")
    if not recruiters:
        raise ValueError("at least one recruiter is needed")
    org_rng = random.Random(f"org/{seed}")
    personas = _allocate_personas(org_rng, candidates)
    budgets = _allocate_budgets(org_rng, candidates, events_per_candidate)
    for n in range(1, candidates + 1):
        rng = random.Random(f"candidate/{seed}/{n}")
        persona = personas[n - 1]
        recruiter = recruiters[rng.randrange(len(recruiters))]
        body = _candidate_body(rng, n=n, persona=persona, recruiter=recruiter, prefix=prefix)
        story = _Story(
            rng=rng,
            n=n,
            candidate=body,
            recruiter=recruiter,
            persona=persona,
            start=start,
            end=end,
            budget=budgets[n - 1],
            prefix=prefix,
        )
        yield GeneratedCandidate(body=body, persona=persona, events=story.build())


def _allocate_personas(rng: random.Random, count: int) -> list[str]:
    """Personas in the configured proportions (largest remainder), shuffled."""
    exact = {name: weight * count for name, weight in PERSONAS.items()}
    counts = {name: int(value) for name, value in exact.items()}
    left = count - sum(counts.values())
    for name in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[:left]:
        counts[name] += 1
    out = [name for name, k in counts.items() for _ in range(k)]
    rng.shuffle(out)
    return out


def _allocate_budgets(rng: random.Random, count: int, mean: float) -> list[int]:
    """Per-candidate event budgets that vary but add up to round(count * mean)."""
    total = round(count * mean)
    floor = min(3, max(1, int(mean)))
    weights = [rng.uniform(0.4, 1.6) for _ in range(count)]
    scale = max(0, total - floor * count) / (sum(weights) or 1)
    raw = [w * scale for w in weights]
    budgets = [floor + int(r) for r in raw]
    left = total - sum(budgets)
    order = sorted(range(count), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    for i in order[: max(0, left)]:
        budgets[i] += 1
    return budgets


def _weighted(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    names = [name for name, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(names, weights=weights)[0]


def _candidate_body(
    rng: random.Random, *, n: int, persona: str, recruiter: dict[str, Any], prefix: str
) -> dict[str, Any]:
    first = rng.choice(_FIRST_NAMES)
    last = rng.choice(_LAST_NAMES)
    timezone = ORG_TIMEZONE if rng.random() < 0.7 else rng.choice(OTHER_TIMEZONES)
    status = "active"
    if persona == "withdrawn" and rng.random() < 0.4:
        status = "withdrawn"
    elif rng.random() < 0.06:
        status = _weighted(rng, _OTHER_STATUSES)
    body: dict[str, Any] = {
        "external_id": f"{prefix}cand-{n}",
        "name": f"{first} {last}",
        "email": f"{first}.{last}.{n}@example.org".lower(),
        "timezone": timezone,
        "recruiter_external_id": recruiter["external_id"],
        "job": rng.choice(_JOBS),
        "stage": _weighted(rng, _STAGES),
        "status": status,
    }
    if rng.random() < 0.7:
        body["phone"] = f"+1 555 01{rng.randrange(100):02d}"
    return body


# --- working time (the product's own calendar: Mon-Fri 09-17 in the candidate's zone) -----
@cache
def _calendar(tz: tzinfo | None) -> WorkingCalendar:
    assert isinstance(tz, ZoneInfo), "demo instants carry the candidate's IANA zone"
    return WorkingCalendar(tz=tz)


def _is_workday(at: datetime) -> bool:
    return _calendar(at.tzinfo).is_working_day(at.date())


def _next_open(at: datetime) -> datetime:
    """The first working instant at or after `at` (in `at`'s zone)."""
    return _calendar(at.tzinfo).next_working_start(at).astimezone(at.tzinfo)


def _add_business_hours(at: datetime, hours: float) -> datetime:
    """Advance by working hours from the first working instant at or after `at`."""
    calendar = _calendar(at.tzinfo)
    later = calendar.add_business_seconds(calendar.next_working_start(at), hours * 3600)
    return later.astimezone(at.tzinfo)


def _add_business_days(at: datetime, days: int) -> datetime:
    day = at
    while days > 0:
        day += timedelta(days=1)
        if _is_workday(day):
            days -= 1
    return day


def _at_clock(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _day_text(at: datetime) -> str:
    return f"{at:%A}, {at:%B} {at.day}"


def _clock_text(at: datetime) -> str:
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour}{suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d}{suffix}"


class _Finished(Exception):
    """The candidate's budget or time window is used up."""


# --- one candidate's story ---------------------------------------------------------------
_CYCLE_WEIGHTS: dict[str, dict[str, float]] = {
    "engaged": {"email": 3, "call": 2, "meeting": 2, "request": 1.5, "promise": 1, "check_in": 1},
    "steady": {"email": 4, "call": 2, "meeting": 2, "request": 1, "promise": 1, "check_in": 0.3},
    "slow": {"email": 4, "call": 2, "meeting": 1.5, "request": 1, "promise": 0.5},
    "cooling": {"email": 4, "call": 2, "meeting": 2, "request": 1, "promise": 1},
    "ghoster": {"email": 4, "call": 2, "meeting": 1.5, "request": 1, "promise": 0.5},
    "no_show": {"email": 2, "call": 2, "meeting": 3, "request": 2, "promise": 0.5},
    "out_of_office": {"email": 4, "call": 2, "meeting": 2, "request": 1, "promise": 1},
    "rescheduler": {"email": 2, "call": 1.5, "meeting": 4, "request": 1, "promise": 0.5},
    "withdrawn": {"email": 4, "call": 2, "meeting": 2, "request": 1, "promise": 1},
}
# Events and calendar days kept back for the closing part of a persona's story.
_TAILS: dict[str, tuple[int, int]] = {"ghoster": (4, 16), "no_show": (8, 20), "withdrawn": (2, 6)}
_MEAN_CYCLE_EVENTS = 3.0
# Typical calendar days a cycle itself takes (replies, follow-ups, meetings a few days out).
_CYCLE_DAYS = {"engaged": 2.5, "slow": 5.0, "cooling": 4.0, "no_show": 4.5}


class _Story:
    """Builds one candidate's events, cycle after cycle, within a budget and a window."""

    def __init__(
        self,
        *,
        rng: random.Random,
        n: int,
        candidate: dict[str, Any],
        recruiter: dict[str, Any],
        persona: str,
        start: datetime,
        end: datetime,
        budget: int,
        prefix: str,
    ) -> None:
        self.rng = rng
        self.n = n
        self.candidate = candidate
        self.recruiter = recruiter
        self.persona = persona
        self.tz = ZoneInfo(candidate["timezone"])
        self.end = end.astimezone(self.tz)
        window = self.end - start.astimezone(self.tz)
        self.start = start.astimezone(self.tz) + window * rng.uniform(0.0, 0.25)
        self.budget = budget
        self.prefix = prefix
        self.events: list[dict[str, Any]] = []
        self.now = _next_open(self.start)
        self.limit = budget
        self.first = candidate["name"].split()[0]
        self.rfirst = recruiter["name"].split()[0]
        self.ooo_done = False

    # -- emitting -------------------------------------------------------------------------
    def emit(self, at: datetime, direction: str, channel: str, kind: str, **fields: Any) -> str:
        """Add one event (dropping it, and ending the story, past the budget or window)."""
        if len(self.events) >= self.limit or at > self.end:
            raise _Finished
        at = max(at, self.now).replace(second=0, microsecond=0)
        if at > self.end:
            raise _Finished
        external_id = f"{self.prefix}ev-{self.n}-{len(self.events) + 1}"
        event: dict[str, Any] = {
            "external_id": external_id,
            "candidate_external_id": self.candidate["external_id"],
            "direction": direction,
            "channel": channel,
            "type": kind,
            "occurred_at": _iso(at),
        }
        if direction == "outbound":
            event["recruiter_external_id"] = self.recruiter["external_id"]
        for name, value in fields.items():
            if value is None:
                continue
            event[name] = _iso(value) if isinstance(value, datetime) else value
        self.events.append(event)
        self.now = at + timedelta(minutes=1)
        return external_id

    def fmt(self, template: str, **extra: Any) -> str:
        values: dict[str, Any] = {
            "first": self.first,
            "rfirst": self.rfirst,
            "job": self.candidate["job"],
            "stage": self.candidate["stage"],
            "slot": self.rng.choice(_SLOTS),
        }
        values.update(extra)
        return template.format(**values)

    def outbound_text(self, template: str, **extra: Any) -> str:
        greeting = self.rng.choice(("Hi {first},", "Hello {first},", "Hi {first} -", "{first},"))
        sign = self.rng.choice(("Best,", "Thanks,", "Kind regards,", "Cheers,"))
        return (
            f"{self.fmt(greeting)}\n\n{self.fmt(template, **extra)}\n\n"
            f"{sign}\n{self.recruiter['name']}\nTalent Acquisition, {COMPANY}"
        )

    def inbound_text(self, text: str, *, quoting: str | None = None, at: datetime) -> str:
        """A candidate's message, sometimes with a signature and the quoted message."""
        body = text
        signature = self.rng.choice(_SIGNATURES)
        if signature:
            body += signature.format(
                name=self.candidate["name"],
                first=self.first,
                phone=self.candidate.get("phone", ""),
            )
        if quoting and self.rng.random() < 0.35:
            quoted = "\n".join(f"> {line}" for line in quoting.splitlines())
            header = (
                f"On {at:%a}, {at:%b} {at.day}, {at.year} at {_clock_text(at)}, "
                f"{self.recruiter['name']} <{self.recruiter['email']}> wrote:"
            )
            body += f"\n\n{header}\n{quoted}"
        return body

    # -- timing ---------------------------------------------------------------------------
    @property
    def phase(self) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        return min(1.0, max(0.0, (self.now - self.start).total_seconds() / span))

    def work_time(self, after: datetime, *, min_hours: float = 0.0) -> datetime:
        """A plausible working-hours instant some time after `after`."""
        opened = _next_open(after)
        if opened != after and min_hours == 0:
            # Outside working hours: any time of the next working day, not 09:00 sharp.
            return opened + timedelta(minutes=self.rng.randint(0, 450))
        at = _add_business_hours(after, min_hours)
        return _add_business_hours(at, self.rng.uniform(0.0, 0.75))

    def after_gap(self, days: float) -> datetime:
        """The start of the next cycle, `days` on, on a working day at a working hour."""
        at = self.now + timedelta(days=days)
        if not _is_workday(at):
            # Spread weekend landings over the following week instead of piling up on Monday.
            at = _add_business_days(at, self.rng.randint(1, 5))
        return self.work_time(at.replace(hour=0))

    def reply_hours(self) -> float:
        """How long this candidate takes to answer now, in business hours."""
        persona, u = self.persona, self.rng.uniform
        if persona == "engaged":
            return u(0.2, 3.0)
        if persona == "slow":
            return u(12.0, 40.0) if self.rng.random() < 0.7 else u(4.0, 10.0)
        if persona == "cooling":
            if self.phase < 0.4:
                return u(0.3, 3.0)
            return u(4.0, 12.0) if self.phase < 0.65 else u(18.0, 45.0)
        if persona == "no_show":
            return u(5.0, 30.0)
        if persona in ("steady", "out_of_office"):
            return u(1.0, 9.0)
        return u(2.0, 12.0)

    def replies(self) -> bool:
        """Whether this attempt gets an answer at all (else the recruiter follows up)."""
        miss = {
            "engaged": 0.02, "steady": 0.06, "slow": 0.25, "ghoster": 0.1, "no_show": 0.25,
            "cooling": 0.05 + 0.35 * self.phase,
        }.get(self.persona, 0.08)  # fmt: skip
        return self.rng.random() >= miss

    def reply_time(self, after: datetime) -> datetime:
        hours = self.reply_hours()
        at = _add_business_hours(after, hours)
        if self.persona == "engaged" and hours < 3 and self.rng.random() < 0.15:
            # Some prompt candidates answer in the evening of the same day.
            evening = _at_clock(after, self.rng.randint(18, 21), self.rng.choice((5, 20, 40)))
            if evening > after:
                return evening
        return at + timedelta(minutes=self.rng.randint(0, 40))

    # -- the story ------------------------------------------------------------------------
    def build(self) -> list[dict[str, Any]]:
        tail_events, tail_days = _TAILS.get(self.persona, (0, 0))
        tail_events = min(tail_events, self.budget)
        main_end = self.end - timedelta(days=tail_days)
        self.limit = self.budget - tail_events
        with contextlib.suppress(_Finished):
            self.main_phase(main_end)
        self.limit = self.budget
        if tail_events:
            self.now = max(self.now, _next_open(main_end))
            with contextlib.suppress(_Finished):
                getattr(self, f"tail_{self.persona}")()
        return self.events

    def main_phase(self, main_end: datetime) -> None:
        weights = _CYCLE_WEIGHTS[self.persona]
        kinds = list(weights)
        while len(self.events) < self.limit and self.now < main_end:
            room_days = (main_end - self.now).total_seconds() / 86400
            cycles_left = max(1.0, (self.limit - len(self.events)) / _MEAN_CYCLE_EVENTS)
            cycle_days = _CYCLE_DAYS.get(self.persona, 3.0)
            spare = max(0.0, room_days / cycles_left - cycle_days)
            gap = min(spare * self.rng.uniform(0.1, 1.3), max(0.0, room_days - cycle_days))
            if not self.events:
                gap = self.rng.uniform(0.0, 2.0)  # first contact soon after applying
            self.now = self.after_gap(gap)
            if self.now >= main_end:
                return
            if (
                self.persona == "out_of_office"
                and not self.ooo_done
                and self.phase > 0.3
                and self.limit - len(self.events) >= 3
            ):
                self.ooo_done = True
                self.cycle_out_of_office()
                continue
            room = self.limit - len(self.events)
            if room == 1:
                self.cycle_note()
                continue
            kind = self.rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
            getattr(self, f"cycle_{kind}")()

    # -- cycles ---------------------------------------------------------------------------
    def cycle_note(self) -> None:
        self.emit(
            self.now, "outbound", "ats", "message",
            body=self.outbound_text(self.rng.choice(_NOTES)), expects_reply=False,
        )  # fmt: skip

    def answer(self, attempt_id: str, attempt_at: datetime, text: str, *, quoting: str) -> str:
        """The candidate answers an attempt, after their usual delay."""
        at = self.reply_time(attempt_at)
        return self.emit(
            at, "inbound", "email", "message",
            in_reply_to=attempt_id, body=self.inbound_text(text, quoting=quoting, at=attempt_at),
        )  # fmt: skip

    def reply_text(self) -> str:
        if self.persona == "engaged":
            return self.fmt(self.rng.choice(_QUICK_REPLIES))
        if self.persona in ("slow", "cooling") and self.phase > 0.5:
            return self.fmt(self.rng.choice(_SLOW_REPLIES))
        if self.persona == "no_show" and self.rng.random() < 0.3:
            return f"{self.rng.choice(_APOLOGIES)}, {self.rng.choice(_EXCUSES)}. " + self.fmt(
                self.rng.choice(_PLAIN_REPLIES)
            )
        pool = _QUICK_REPLIES if self.rng.random() < 0.4 else _PLAIN_REPLIES
        return self.fmt(self.rng.choice(pool))

    def attempts_then_reply(self, first_text: str, *, subject: str | None = None) -> None:
        """An outbound message, follow-ups while unanswered, then (usually) a reply."""
        at = self.now
        text = self.outbound_text(first_text)
        attempt = self.emit(at, "outbound", "email", "message", subject=subject, body=text)
        for _ in range(3):
            if self.replies():
                break
            at = self.work_time(_add_business_days(at, self.rng.randint(2, 4)))
            text = self.outbound_text(self.rng.choice(_FOLLOW_UPS))
            attempt = self.emit(at, "outbound", "email", "message", in_reply_to=attempt, body=text)
        self.answer(attempt, at, self.reply_text(), quoting=text)

    def cycle_email(self) -> None:
        template = self.rng.choice(_OUTREACH)
        subject = self.rng.choice((f"{self.candidate['job']} role", "Next steps", None, None))
        self.attempts_then_reply(template, subject=subject)

    def cycle_call(self) -> None:
        connects = {"engaged": 0.7, "steady": 0.55}.get(self.persona, 0.4)
        at = self.now
        if self.rng.random() < connects:
            self.emit(
                at, "outbound", "phone", "call", outcome="connected",
                metadata={"duration_seconds": self.rng.randint(240, 2400)},
            )  # fmt: skip
            return
        outcome = self.rng.choice(("no_answer", "voicemail", "voicemail", "busy"))
        call = self.emit(at, "outbound", "phone", "call", outcome=outcome)
        if self.persona == "no_show" and self.rng.random() < 0.5:
            return  # no callback
        back_at = self.reply_time(at)
        if self.rng.random() < 0.6:
            self.emit(
                back_at, "inbound", "phone", "call", outcome="connected", in_reply_to=call,
                metadata={"duration_seconds": self.rng.randint(180, 1800)},
            )  # fmt: skip
        else:
            text = self.fmt("Sorry I missed your call - {slot} works if you want to try again.")
            if self.persona == "engaged":
                text = self.fmt("Just saw I missed your call. {slot} works for me!")
            self.emit(
                back_at, "inbound", "email", "message", in_reply_to=call,
                body=self.inbound_text(text, at=at),
            )  # fmt: skip

    def cycle_meeting(self) -> None:
        at = self.now
        when = _at_clock(
            _add_business_days(at, self.rng.randint(2, 5)),
            self.rng.choice((10, 11, 14, 15, 16)),
            self.rng.choice((0, 0, 30)),
        )
        subject = f"Interview: {self.candidate['job']} ({_day_text(when)}, {_clock_text(when)})"
        scheduled = self.emit(
            at, "outbound", self.rng.choice(("email", "ats")), "meeting",
            outcome="scheduled", scheduled_for=when, subject=subject,
        )  # fmt: skip
        self.confirm(scheduled, at, when, subject)
        if self.persona == "rescheduler" and self.rng.random() < 0.65:
            moved = self.candidate_reschedules(scheduled, when)
            if moved is None:
                return
            when = moved
        channel = self.rng.choice(("video", "video", "phone", "in_person"))
        no_show = {"no_show": 0.5, "rescheduler": 0.08, "ghoster": 0.05}.get(self.persona, 0.02)
        if self.rng.random() < no_show:
            self.emit(
                when + timedelta(minutes=self.rng.choice((10, 15, 20))),
                "outbound", channel, "meeting", outcome="no_show", in_reply_to=scheduled,
            )  # fmt: skip
            self.after_no_show(when)
            return
        self.emit(when, "outbound", channel, "meeting", outcome="attended", in_reply_to=scheduled)
        thanks = {"engaged": 0.7, "steady": 0.25, "cooling": 0.15}.get(self.persona, 0.05)
        if self.persona == "cooling" and self.phase > 0.5:
            thanks = 0.0
        if self.rng.random() < thanks:
            note_at = when + timedelta(hours=self.rng.uniform(1.5, 6.0))
            self.emit(
                note_at, "inbound", "email", "message",
                subject="Thank you", body=self.inbound_text(self.rng.choice(_THANK_YOUS), at=when),
            )  # fmt: skip

    def confirm(self, scheduled: str, at: datetime, when: datetime, subject: str) -> None:
        """The candidate confirms a meeting before it takes place."""
        text = self.fmt(self.rng.choice(_CONFIRMS), day=f"{when:%A}", clock=_clock_text(when))
        latest = when - timedelta(minutes=self.rng.randint(40, 100))
        self.emit(
            max(at + timedelta(minutes=5), min(self.reply_time(at), latest)),
            "inbound", "email", "message", in_reply_to=scheduled,
            body=self.inbound_text(text, quoting=subject, at=at),
        )  # fmt: skip

    def candidate_reschedules(self, scheduled: str, when: datetime) -> datetime | None:
        """The candidate moves (or cancels) the meeting; return the new time, if any."""
        at = self.work_time(self.now, min_hours=self.rng.uniform(0.5, 8.0))
        if self.now < when - timedelta(hours=2) < at:
            at = when - timedelta(hours=2)
        if self.rng.random() < 0.7:
            new_when = _at_clock(
                _add_business_days(when, self.rng.randint(1, 4)), self.rng.choice((10, 13, 15))
            )
            note = self.fmt(
                self.rng.choice(_RESCHEDULE_NOTES),
                day=f"{new_when:%A}",
                clock=_clock_text(new_when),
            )
            self.emit(
                at, "inbound", "email", "meeting", outcome="rescheduled",
                scheduled_for=new_when, in_reply_to=scheduled, body=note,
            )  # fmt: skip
            return new_when
        self.emit(
            at, "inbound", "email", "meeting", outcome="cancelled", in_reply_to=scheduled,
            body=self.rng.choice(_CANCEL_NOTES),
        )  # fmt: skip
        return None

    def after_no_show(self, when: datetime) -> None:
        """The recruiter chases a missed meeting; the candidate apologises (eventually)."""
        at = self.work_time(_add_business_days(when, self.rng.randint(1, 2)))
        text = self.outbound_text(
            self.rng.choice(
                (
                    "We missed you at the interview today. Is everything all right?",
                    "Looks as if you couldn't make the call - do you still want to continue?",
                )
            )
        )
        chase = self.emit(at, "outbound", "email", "message", body=text)
        apology = (
            f"{self.rng.choice(_APOLOGIES)}! {self.rng.choice(_EXCUSES).capitalize()}. "
            f"{self.rng.choice(_ASSURANCES)}"
        )
        self.answer(chase, at, apology, quoting=text)

    def cycle_request(self) -> None:
        at = self.now
        thing, ask = self.rng.choice(_REQUESTS)
        due = _at_clock(_add_business_days(at, self.rng.randint(2, 4)), 17)
        text = self.outbound_text(f"{ask} Ideally by {due:%A}.")
        request = self.emit(
            at, "outbound", "email", "request", due_at=due, subject=f"Request: {thing}", body=text
        )
        persona = self.persona
        if persona == "no_show" and self.rng.random() < 0.6:
            promise = self.fmt(self.rng.choice(_COMMITMENTS), weekday=f"{due:%A}")
            reply = f"{self.rng.choice(_APOLOGIES)}, {self.rng.choice(_EXCUSES)}. {promise}"
            self.answer(request, at, reply, quoting=text)
            return  # never delivered
        late = {"slow": 0.5, "cooling": 0.4 * self.phase, "no_show": 0.7}.get(persona, 0.08)
        if persona == "engaged":
            late = 0.0
        if self.rng.random() < late:
            deliver_at = self.work_time(_add_business_days(due, self.rng.randint(1, 3)))
        else:
            deliver_at = min(self.reply_time(at), due - timedelta(minutes=30))
        if persona == "engaged" and self.rng.random() < 0.3:
            commitment = self.fmt(self.rng.choice(_COMMITMENTS), weekday=f"{due:%A}")
            self.answer(request, at, f"Thanks, will do. {commitment}", quoting=text)
        self.emit(
            deliver_at, "inbound", "email", "message", fulfills=request, in_reply_to=request,
            body=self.inbound_text(self.rng.choice(_DELIVERIES), quoting=text, at=at),
        )  # fmt: skip

    def cycle_promise(self) -> None:
        """The recruiting side promises an update by a date, and keeps it (or not)."""
        at = self.now
        by = _at_clock(_add_business_days(at, self.rng.randint(2, 5)), 17)
        self.emit(
            at, "outbound", "email", "message", expects_reply=False, promised_by=by,
            body=self.outbound_text(self.rng.choice(_PROMISES), weekday=f"{by:%A}"),
        )  # fmt: skip
        kept = self.rng.random() < 0.8
        if kept:
            update_at = self.work_time(at, min_hours=self.rng.uniform(4.0, 14.0))
            update_at = min(update_at, by - timedelta(hours=1))
        else:
            update_at = self.work_time(_add_business_days(by, self.rng.randint(1, 4)))
            if self.persona in ("engaged", "steady") and self.rng.random() < 0.6:
                nudge_at = self.work_time(_add_business_days(by, 1))
                if nudge_at < update_at:
                    self.emit(
                        nudge_at, "inbound", "email", "message",
                        body=self.inbound_text(self.fmt(self.rng.choice(_CHECK_INS)), at=by),
                    )  # fmt: skip
        self.now = max(self.now, update_at)
        self.attempts_then_reply(self.rng.choice(_UPDATES))

    def cycle_check_in(self) -> None:
        """The candidate gets in touch unprompted; the recruiter answers."""
        at = self.now
        self.emit(
            at, "inbound", "email", "message",
            body=self.inbound_text(self.fmt(self.rng.choice(_CHECK_INS)), at=at),
        )  # fmt: skip
        reply_at = self.work_time(at, min_hours=self.rng.uniform(1.0, 10.0))
        self.emit(
            reply_at, "outbound", "email", "message", expects_reply=False,
            body=self.outbound_text("Thanks for checking in! Nothing new yet; I'll update you "
                                    "as soon as I hear back."),
        )  # fmt: skip

    def cycle_out_of_office(self) -> None:
        """An auto-reply announcing an absence, then a prompt answer after the return."""
        at = self.now
        text = self.outbound_text(self.rng.choice(_OUTREACH))
        attempt = self.emit(at, "outbound", "email", "message", body=text)
        back = _at_clock(_add_business_days(at, self.rng.randint(4, 9)), 9)
        ooo = self.rng.choice(
            (
                "I am out of the office until {day} with limited access to email. I will "
                "respond when I return.",
                "Thank you for your message. I'm currently out of the office until {day} and "
                "will reply on my return.",
            )
        ).format(day=_day_text(back))
        self.emit(
            at + timedelta(seconds=40), "inbound", "email", "message",
            in_reply_to=attempt, auto_reply=True, subject="Automatic reply: Out of office",
            body=ooo,
        )  # fmt: skip
        reply_at = _add_business_hours(back, self.rng.uniform(0.5, 4.0))
        self.emit(
            reply_at, "inbound", "email", "message", in_reply_to=attempt,
            body=self.inbound_text(
                "Back today - " + self.fmt(self.rng.choice(_QUICK_REPLIES)), quoting=text, at=at
            ),
        )  # fmt: skip

    # -- tails ----------------------------------------------------------------------------
    def tail_ghoster(self) -> None:
        """Stops answering: three or four attempts over a week or two, then silence."""
        at = self.work_time(self.now)
        text = self.outbound_text(self.rng.choice(_OUTREACH))
        first = self.emit(at, "outbound", "email", "message", body=text)
        at = self.work_time(_add_business_days(at, self.rng.randint(2, 3)))
        self.emit(
            at, "outbound", "email", "message", in_reply_to=first,
            body=self.outbound_text(self.rng.choice(_FOLLOW_UPS)),
        )  # fmt: skip
        at = self.work_time(_add_business_days(at, 2))
        self.emit(
            at, "outbound", "phone", "call", outcome=self.rng.choice(("voicemail", "no_answer"))
        )
        at = self.work_time(_add_business_days(at, self.rng.randint(2, 3)))
        self.emit(
            at, "outbound", "email", "message", in_reply_to=first,
            body=self.outbound_text(
                "I haven't heard back, so I'll assume the timing isn't right. If anything "
                "changes, my door is open."
            ),
        )  # fmt: skip

    def tail_no_show(self) -> None:
        """Misses a meeting, apologises with excuses and assurances, never delivers."""
        at = self.work_time(self.now)
        when = _at_clock(_add_business_days(at, 2), self.rng.choice((10, 14)))
        subject = f"Phone interview {when:%A} {_clock_text(when)}"
        scheduled = self.emit(
            at, "outbound", "email", "meeting", outcome="scheduled", scheduled_for=when,
            subject=subject,
        )  # fmt: skip
        self.confirm(scheduled, at, when, subject)
        self.emit(when, "outbound", "phone", "call", outcome="voicemail")
        self.emit(
            when + timedelta(minutes=20), "outbound", "phone", "meeting", outcome="no_show",
            in_reply_to=scheduled,
        )  # fmt: skip
        chase_at = self.work_time(_add_business_days(when, 2))
        chase = self.outbound_text(
            "Looks as if you've changed your mind about the {job} role - I wish you all the best."
        )
        chase_id = self.emit(chase_at, "outbound", "email", "message", body=chase)
        sorry_at = self.work_time(chase_at, min_hours=self.rng.uniform(0.5, 3.0))
        apology = (
            f"{self.rng.choice(_APOLOGIES)}! {self.rng.choice(_EXCUSES).capitalize()}. "
            f"{self.rng.choice(_ASSURANCES)}"
        )
        self.emit(
            sorry_at, "inbound", "email", "message", in_reply_to=chase_id,
            body=self.inbound_text(apology, quoting=chase, at=chase_at),
        )  # fmt: skip
        ask_at = self.work_time(sorry_at, min_hours=1.0)
        due = _at_clock(_add_business_days(ask_at, 1), 17)
        request = self.emit(
            ask_at, "outbound", "email", "request", due_at=due,
            body=self.outbound_text(
                "Please send me your availability for next week and two references so I can "
                "schedule the interviews."
            ),
        )  # fmt: skip
        follow_at = self.work_time(_add_business_days(due, 2))
        follow = self.emit(
            follow_at, "outbound", "email", "message", in_reply_to=request,
            body=self.outbound_text("Following up on your availability and references."),
        )  # fmt: skip
        again_at = self.work_time(_add_business_days(follow_at, 2))
        self.emit(
            again_at, "inbound", "email", "message", in_reply_to=follow,
            body=self.inbound_text(
                "Apologies again, it has been a crazy week. I remain very keen on the "
                "opportunity and will get it to you soon.",
                at=follow_at,
            ),
        )  # fmt: skip

    def tail_withdrawn(self) -> None:
        """Declines: has accepted another offer; the recruiter closes the loop."""
        at = self.work_time(self.now)
        decline = self.emit(
            at, "inbound", "email", "message", subject="Withdrawing my application",
            body=self.inbound_text(self.fmt(self.rng.choice(_DECLINES)), at=at),
        )  # fmt: skip
        self.emit(
            self.work_time(at, min_hours=self.rng.uniform(0.5, 6.0)),
            "outbound", "email", "message", in_reply_to=decline, expects_reply=False,
            body=self.outbound_text(self.rng.choice(_CLOSE_OUTS)),
        )  # fmt: skip
