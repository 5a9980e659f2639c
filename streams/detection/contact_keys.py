"""What one real-world contact is: ``contact_key``.

The same call reported by ten outlets (or twice by one outlet, or as ICEWS's "Host a visit" and
"Make a visit" rows of one meeting) must count once. A contact is identified by

    sorted country pair | event day | channel

where channel is ``remote`` (mode ``phone``) or ``in-person`` (``visit``, ``third-party``,
``multilateral``). Why not the exact mode: outlets and the extractor disagree on whether a meeting
was a ``visit`` or at a ``third-party`` venue far more often than one pair holds two separate
in-person meetings on the same day; a call and a meeting on the same day, though, are two contacts.
Why not the actors: their extraction varies between outlets (one names the minister, another only
"the two sides"), which would split one contact into several.

Event day: the contact's ``date`` when it is a full day (precision ``day``). Otherwise the day the
article was published (``published_at``), flagged ``date_inferred`` -- news reports contacts within a
day or two, and dropping undated contacts would lose most vaguely dated but real ones. Contacts with
neither are not counted (``None``).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from streams.records import Contact, pair_key

CHANNELS = {"phone": "remote", "visit": "in-person", "third-party": "in-person",
            "multilateral": "in-person"}


def as_contact(c: Contact | dict[str, Any]) -> Contact:
    """A Contact from a Contact or a dict (unknown fields, e.g. ICEWS's cameo_text, are ignored)."""
    return c if isinstance(c, Contact) else Contact.from_dict(c)


def iso_day(value: str | None) -> str | None:
    """``YYYY-MM-DD`` from a date or date-time string, or None when it does not start with a
    valid full date."""
    if not value or not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def contact_day(c: Contact | dict[str, Any], published_at: str | None = None) -> tuple[str, bool] | None:
    """(event day, inferred) of a contact: its own full date, else the publication day
    (``published_at`` argument or the contact's own field) with inferred=True, else None."""
    c = as_contact(c)
    if c.date_precision in ("day", None) or (c.date and c.date_precision == "none"):
        d = iso_day(c.date)
        if d:
            return d, False
    d = iso_day(published_at or c.published_at)
    if d:
        return d, True
    return None


def counted(c: Contact | dict[str, Any], min_confidence: float) -> bool:
    """Is a contact (or a copy's source record, which carries its contact's fields) counted under
    the threshold ``min_confidence`` (DIPLOWATCH_MIN_CONFIDENCE)? One without a confidence is."""
    conf = c.confidence if isinstance(c, Contact) else c.get("confidence")
    return conf is None or min_confidence <= 0 or float(conf) >= min_confidence


def contact_key(c: Contact | dict[str, Any], published_at: str | None = None) -> str | None:
    """``"AAA-BBB|YYYY-MM-DD|channel"`` (see the module doc), or None when the contact has no
    event day and no publication day, or not exactly two distinct countries."""
    c = as_contact(c)
    if len(c.countries) != 2 or c.countries[0] == c.countries[1]:
        return None
    day = contact_day(c, published_at)
    if day is None:
        return None
    return f"{pair_key(c.countries)}|{day[0]}|{CHANNELS.get(c.mode, c.mode)}"


def split_contact_key(key: str) -> tuple[str, str, str]:
    """(pair key, day, channel) of a contact key."""
    pair, day, channel = key.split("|")
    return pair, day, channel
