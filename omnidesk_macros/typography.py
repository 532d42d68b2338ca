"""Russian typography applied when a letter is rendered: what must not be split across lines stays together.

    после «д.», «кв.», «ул.», «г.», «тел.», «пр.», «№»      non-breaking space (д. 12, г. Самара, № 354)
    «с», «по» before a number                              non-breaking space (с 7 по 20 число)
    a number and its unit                                  non-breaking space (2026 г., 25 руб., 10 %)
    inside a phone number                                  non-breaking hyphens (207‑48‑80), and the
                                                           code kept with it (+7 (846) 336‑14‑02)

The texts in templates_src/ stay plain; :func:`typeset` is applied once, to every text run the DOCX writer
emits (and is there for an HTML writer). It returns text with U+00A0 and U+2011; the DOCX writer turns
U+2011 into Word's own ``<w:noBreakHyphen/>``.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NB_HYPHEN = "\u2011"

# «г.» binds to a following capital (г. Самара), not to any word: «2026 г. сообщаем» must still wrap.
_ABBREVIATION = re.compile(r"(?<![\w.])(?i:д|кв|ул|тел|пр|стр|корп|п|пп|ст)\. +(?=[\w«(+])|(?<![\w.])г\. +(?=[А-ЯЁ])")
_NUMBER_SIGN = re.compile(r"№ +(?=\S)")
_PREPOSITION = re.compile(r"(?<![\w.-])([сС]|по|до) +(?=\d)")
_UNIT = re.compile(r"(?<=\d) +(?=(?:г|гг|руб|коп|тыс|млн|мм|см|км|кг|м³|м|л|шт|мин|ч)(?![\w])|[%₽])")
_PHONE = re.compile(r"(?<![\w-])\d{2,3}(?:-\d{2}){2}(?![\w-])")
_PHONE_CODE = re.compile(r"(\+7|8) *(\(\d{3,5}\)) +(?=\d)")


def typeset(text: str) -> str:
    """``text`` with non-breaking spaces and hyphens where Russian typography keeps words together."""
    text = _ABBREVIATION.sub(lambda m: m.group(0).rstrip(" ") + NBSP, text)
    text = _NUMBER_SIGN.sub("№" + NBSP, text)
    text = _PREPOSITION.sub(lambda m: m.group(1) + NBSP, text)
    text = _UNIT.sub(NBSP, text)
    text = _PHONE_CODE.sub(lambda m: f"{m.group(1)}{NBSP}{m.group(2)}{NBSP}", text)
    return _PHONE.sub(lambda m: m.group(0).replace("-", NB_HYPHEN), text)
