"""What recruiters read for each signal code and band (UI, reports)."""

SIGNAL_LABELS = {
    "missed_meeting": "Missed meeting",
    "no_callback": "No callback",
    "slow_reply": "Slow reply",
    "ghosting": "Ghosting",
    "unfulfilled_request": "Unfulfilled request",
    "repeated_apologies": "Repeated apologies",
    "words_not_actions": "Words, not actions",
    "reschedules": "Reschedules",
    "cooling": "Cooling",
    "prompt_replies": "Prompt replies",
    "thank_you_note": "Thank-you note",
    "proactive_follow_up": "Proactive follow-up",
}

BAND_LABELS = {
    "engaged": "Engaged",
    "cooling": "Cooling",
    "not_that_into_you": "Not that into you",
    "unknown": "No score yet",
    "declined": "Declined",
}


def signal_label(code: str) -> str:
    return SIGNAL_LABELS.get(code, code.replace("_", " ").capitalize())
