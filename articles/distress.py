"""Words in a reader's message that may mean they are in danger: suicide, wanting to die, self-harm.

The one list, in English and Spanish. A message that matches is answered with the crisis lines
first and flagged for editors (articles/feedback.py); nothing else happens automatically.

The list errs towards flagging. Any mention of suicide counts, also in a question about the page
("Is the suicide prevention line free?"): a false alarm costs an editor a glance and shows a reader
the crisis lines they may want anyway; a missed message from someone in danger costs far more.
Everyday phrases that only sound alike ("a dead link", "I'm dying to know", "cut the sessions
short", "this killed my afternoon") do not count. tests/test_feedback_safety.py lists both kinds.

Matching is on a simplified copy of the text: lower case, accents and apostrophes removed, runs of
spaces and punctuation made one space, so "Don't want to LIVE", "dont want to live" and
"no quiero vivir" / "autolesión" / "autolesion" are each one phrase.
"""

from __future__ import annotations

import re
import unicodedata

# Each entry is a regular expression over the simplified text (see ``simplified``), matched on
# word boundaries. Keep them specific: a bare "die" or "cut" would flag too much to be useful.
ENGLISH = (
    r"suicid\w*",  # suicide, suicidal
    r"kill(s|ed|ing)? my ?self",
    r"(end|ending|ended|take|taking|took) my (own )?life",
    r"end(ing)? it all",
    r"(want|wanted|wanting|wanna|going|ready|plan|planning) (to )?die",
    r"wish (i|id) (was|were|had) (dead|died|never been born)",
    r"(better|be) off dead",
    r"better off without me",
    r"(dont|do not|no longer|dont even) want to (live|be alive|be here|exist|wake up)",
    r"(no|not any|isnt any) (reason|point) (in |to )?(living|live|go on|going on)",
    r"not worth living",
    r"(cant|can not|cannot) go on",
    r"self ?harm\w*",
    r"(hurt|hurting|harm|harming|cut|cutting|burn|burning) my ?self",
    r"overdos\w*",
    r"hang(ing)? my ?self",
)
SPANISH = (
    r"suicid\w*",  # suicidio, suicida, suicidarme
    r"quitar(me|se)? (la|mi) (propia )?vida",
    r"matarme",
    r"me (quiero|voy a) matar",
    r"(quiero|quisiera|deseo) morir(me)?",
    r"ganas de morir(me)?",
    r"no quiero (vivir|seguir viviendo|despertar)",
    r"(acabar|terminar) con (mi vida|todo)",
    r"no (vale|merece) la pena vivir",
    r"mejor muert[oa]",
    r"hacerme dano",
    r"autolesi\w*",
    r"(lastimarme|cortarme)",
    r"sobredosis",
)

_PATTERN = re.compile(r"\b(?:" + "|".join(ENGLISH + SPANISH) + r")\b")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4]")
_SEPARATORS = re.compile(r"[\W_]+")


def simplified(text: str) -> str:
    """Lower case, no accents, no apostrophes, one space between words."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _APOSTROPHES.sub("", plain.casefold())
    return " " + _SEPARATORS.sub(" ", plain).strip() + " "


def signals_danger(text: str) -> bool:
    """True when the text has words that may mean the writer is in danger (see the module)."""
    return bool(text) and _PATTERN.search(simplified(text)) is not None
