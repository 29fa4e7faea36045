"""Text normalisation shared by every step: bounded whitespace, capped length."""

import re

MAX_CHARS = 20_000
MAX_SUBJECT_CHARS = 1_000

_HSPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r" ?\n(?: ?\n)+ ?")
_LINE_BREAK = re.compile(r" ?\n ?")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00ab": '"', "\u00bb": '"'})


def normalise(text: str) -> str:
    r"""Unify quotes and line ends and collapse every whitespace run to " ", "\n" or "\n\n".

    Bounded whitespace runs keep every pattern's `\s`-style repetition short, so matching
    stays linear in the length of the text whatever the input (a body of 100k newlines).
    """
    text = text.translate(_QUOTES).replace("\r\n", "\n").replace("\r", "\n")
    text = _HSPACE.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return _LINE_BREAK.sub("\n", text)
