"""Opening hours as data, read from the text sites type ("Mon–Fri 8:00–16:00, Sat 9:00–12:00").

The kiosk writes hours in each visitor's language and one 12-hour style in English, so the
API sends them structured, ``[{"days": [1, 2, 3, 4, 5], "opens": "08:00", "closes": "16:00"}]``
(0 = Sunday), when the text follows that common pattern, and ``null`` otherwise ("By
appointment"), when the kiosk shows the text as written.
"""

import re

_DAYS = {
    "sun": 0, "sunday": 0, "mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2, "wed": 3, "wednesday": 3,
    "thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "fri": 5, "friday": 5, "sat": 6, "saturday": 6,
}
_WEEK = [1, 2, 3, 4, 5, 6, 0]
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_PERIOD = re.compile(r"^(am|pm|a\.m\.|p\.m\.)$")
MAX_RULES = 14


def _minutes(text):
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    period = (match.group(3) or "").lower().replace(".", "")
    if minutes > 59:
        return None
    if period:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if period == "pm" else 0)
    elif hours > 24 or (hours == 24 and minutes > 0):
        return None
    return hours * 60 + minutes


def _day(token):
    return _DAYS.get(token.rstrip("."))


def parse_hours(text):
    """The rules ``text`` states, as dicts of days and "HH:MM" times; None when it is not of the common form."""
    if not text or len(text) > 200:
        return None
    spaced = re.sub(r"\s*[–—-]\s*", " – ", text.lower())
    spaced = re.sub(r"\b(and|also)\b|&", " ", spaced)
    tokens = [t for t in re.split(r"[,;\s]+", spaced) if t]
    rules, days, used = [], [], False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        day = _day(token)
        if day is not None:
            if used:
                days, used = [], False
            if i + 1 < len(tokens) and tokens[i + 1] == "–":
                last = _day(tokens[i + 2]) if i + 2 < len(tokens) else None
                if last is None or _WEEK.index(last) < _WEEK.index(day):
                    return None
                days.extend(_WEEK[_WEEK.index(day):_WEEK.index(last) + 1])
                i += 3
            else:
                days.append(day)
                i += 1
            continue
        start, j = token, i + 1
        if j < len(tokens) and _PERIOD.match(tokens[j]):
            start += tokens[j]
            j += 1
        if j >= len(tokens) or tokens[j] != "–" or j + 1 >= len(tokens):
            return None
        end = tokens[j + 1]
        j += 2
        if j < len(tokens) and _PERIOD.match(tokens[j]):
            end += tokens[j]
            j += 1
        opens, closes = _minutes(start), _minutes(end)
        if opens is None or closes is None or not days:
            return None
        # "9–5pm": a period written once applies to both ends when that makes the range forward.
        if end.endswith("pm") and not re.search(r"(am|pm)$", start) and opens < 720 and opens + 720 < closes:
            opens += 720
        if closes <= opens:
            return None
        rules.append({"days": list(dict.fromkeys(days)), "opens": "%02d:%02d" % divmod(opens, 60), "closes": "%02d:%02d" % divmod(closes, 60)})
        if len(rules) > MAX_RULES:
            return None
        used = True
        i = j
    return rules or None
