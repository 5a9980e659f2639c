"""Typed, validated, cached access to the knowledge base files in this package: the one loader.

The files are data (curated by hand, each row or block with its source); this module only
parses and checks them, all in one format (README.md): `#` comment lines, a header row naming the
columns, TAB-separated rows. Word lists (`cues/<lang>/<phenomenon>.txt`) are the one-column case
of it (header `form`). A missing file or a malformed row raises KnowledgeError naming the file and
the line; nothing falls back to a smaller knowledge base. Every loader is pure and cached: the files ship inside the package and
never change at run time. A bad row raises KnowledgeError naming the file and line, so a typo
in a date or a country code fails loudly at start-up instead of silently dropping a contact.

Conventions (see README.md beside this file):
- a term of office is the half-open interval [start, end): `end` is the first day the person
  no longer held the office (normally the successor's first day); empty = still in office;
- `#` lines are comments; a comment `#@source: TEXT` sets the source for the rows after it
  that leave their `source` column empty (one source for a block of rows).
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pycountry

OFFICE_HOLDERS_FILE = "office_holders.tsv"
TRIGGERS_FILE = "triggers.tsv"
TOPICS_FILE = "topics.tsv"
DATE_WORDS_FILE = "date_words.tsv"
BOILERPLATE_FILE = "boilerplate_markers.tsv"
CONFIDENCE_FILE = "confidence.tsv"
COUNTRY_ALIASES_FILE = "country_aliases.tsv"
OUTLETS_FILE = "outlets.tsv"
REGIONS_FILE = "regions.tsv"
TOPIC_STARTS_FILE = "topic_starts.tsv"
VERB_FORMS_FILE = "verb_forms.tsv"
STATES_FILE = "states.tsv"
LEFT_OUT_ALIASES_FILE = "left_out_aliases.tsv"

# The closed list of roles. Kept small on purpose: the extractor maps titles in text
# ("وزير الخارجية", "Secretary of State", "وزیر امور خارجه") to these.
ROLES: frozenset[str] = frozenset(
    {
        "head_of_state",  # president, monarch, emir, sultan; chair of a collective presidency
        "vice_president",  # (first) vice president
        "head_of_government",  # prime minister / premier / chancellor (where distinct from head of state)
        "deputy_head_of_government",  # deputy prime ministers who travel as envoys (Rogozin)
        "supreme_leader",  # Iran's Leader; Taliban leader: above the president
        "foreign_minister",  # incl. acting ministers and "minister responsible for foreign affairs"
        "deputy_foreign_minister",  # only those prominent enough to be named alone in the news
        "defence_minister",
        "finance_minister",  # treasury / finance / economy minister
        "crown_prince",
        "deputy_crown_prince",  # Saudi Arabia 2014-2017
        "national_security_advisor",  # US NSA, Iran SNSC secretary, Israel NSC head, UK NSA
        "special_envoy",  # presidential/government special envoys and representatives
        "intelligence_chief",  # head of the foreign/general intelligence service (CIA, Mossad, MIT, GIS ...)
        "military_chief",  # chief of the general staff / chairman of the joint chiefs
        "un_ambassador",  # permanent representative to the UN in New York
        "secretary_plo",  # secretary of the PLO Executive Committee
        "parliament_speaker",  # speaker of the (lower) house
    }
)

# Roles that several people hold at once in one country (a government has several envoys and
# deputy ministers); every other role has one holder at a time.
MULTI_HOLDER_ROLES: frozenset[str] = frozenset({"special_envoy", "deputy_foreign_minister",
                                               "deputy_head_of_government"})

LANGS: frozenset[str] = frozenset({"ar", "fa", "en"})
# city: a venue outside the capital (Geneva, Davos, Jeddah): it gives where a meeting was, never a
# party to it (a capital also stands for its government: "Washington said"; a city does not).
# group: a name for a few states together ("the two Koreas", "الكوريتين", "Baltic states"), one
# row per member: the name stands for each of them
ALIAS_KINDS: frozenset[str] = frozenset({"name", "demonym", "capital", "metonym", "government", "city", "group"})

# Codes the news needs that ISO 3166-1 does not list as current countries. pycountry's
# historic_countries covers SUN, DDR, YUG, CSK; Kosovo uses the user-assigned XKX
# (as the EU and the IMF do).
_EXTRA_CODES = frozenset({"XKX"})


class KnowledgeError(ValueError):
    """A row of a knowledge file is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class OfficeHolder:
    country: str
    role: str
    name_en: str
    name_ar: str
    name_fa: str
    aliases: tuple[str, ...]
    start: dt.date
    end: dt.date | None  # exclusive; None = in office
    source: str
    line: int  # line in office_holders.tsv, for error messages and debugging

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """Every name and alias, in file order, without blanks or repeats."""
        forms = (self.name_en, self.name_ar, self.name_fa, *self.aliases)
        return tuple(dict.fromkeys(f for f in forms if f))


@dataclass(frozen=True, slots=True)
class CountryAlias:
    country: str
    lang: str
    kind: str
    form: str
    source: str
    line: int


@dataclass(frozen=True, slots=True)
class Outlet:
    outlet: str  # lowercase domain or name, as in the article's `source` field
    country: str | None  # None for international outlets (Reuters, AFP, BBC ...)
    lang: str | None
    agency_names: tuple[str, ...]  # how the outlet names itself in article text
    national: bool  # a national news agency: its stories are about its own state's officials
    source: str
    line: int
    government: bool = False  # a government's own site: its releases speak for that state


def is_valid_country(code: str) -> bool:
    """ISO 3166-1 alpha-3 (current or historic, e.g. SUN), or one of the few extra codes."""
    if len(code) != 3 or not code.isascii() or not code.isupper():
        return False
    if code in _EXTRA_CODES:
        return True
    return (
        pycountry.countries.get(alpha_3=code) is not None
        or pycountry.historic_countries.get(alpha_3=code) is not None
    )


def alpha2_to_alpha3(code: str) -> str | None:
    """CLDR (Babel) keys territories by alpha-2; the project speaks alpha-3."""
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.alpha_3 if country is not None else None


def alpha3_to_alpha2(code: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code.upper())
    return country.alpha_2 if country is not None else None


# ---------------------------------------------------------------- parsing


# A folder whose files overlay the packaged ones (same relative name: ``topics.tsv``,
# ``cues/en/statement.txt``): read once, when a loader first runs (the loaders are cached for the
# life of the process). Declared in streams/settings.py SPECS as ``knowledge_dir``.
OVERLAY_ENV = "DIPLOWATCH_KNOWLEDGE_DIR"


def overlay_dir() -> "Path | None":
    """The overlay folder named by ``DIPLOWATCH_KNOWLEDGE_DIR``, or None when unset; a
    KnowledgeError when it is set but is not a folder (a typo must not fall back silently)."""
    value = os.environ.get(OVERLAY_ENV, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise KnowledgeError(f"{OVERLAY_ENV}={value}: not a folder")
    return path


def _source(filename: str) -> tuple[str, str]:
    """(text, name for messages) of a knowledge file: the overlay folder's file of the same
    relative name when there is one (it replaces the packaged file whole), else the packaged one."""
    folder = overlay_dir()
    if folder is not None:
        path = folder / filename
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8"), str(path)
            except (OSError, UnicodeDecodeError) as e:
                raise KnowledgeError(f"{path}: unreadable: {e}") from None
    return _package_text(filename), filename


def overlaid_files() -> tuple[str, ...]:
    """Relative names of the files the overlay folder replaces, for the start-up log; a
    KnowledgeError for a file there that matches no knowledge file (a misspelt name would
    otherwise change nothing without a word)."""
    folder = overlay_dir()
    if folder is None:
        return ()
    known = set(KNOWLEDGE_FILES)
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or path.name == "README.md":
            continue
        rel = path.relative_to(folder).as_posix()
        if rel not in known:
            raise KnowledgeError(f"{path}: not a knowledge file; the overlay replaces files of "
                                 f"the same relative name: {', '.join(sorted(known))}")
        found.append(rel)
    return tuple(found)


def _package_text(filename: str) -> str:
    """The text of a knowledge file (a path relative to this package); KnowledgeError naming the
    file when it is missing or not UTF-8."""
    try:
        return resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError(f"{filename}: missing (expected in streams/knowledge/)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise KnowledgeError(f"{filename}: unreadable: {e}") from None


def _read_rows(filename: str, columns: tuple[str, ...], text: str):
    """Yield (line_number, dict) per data row; block sources are filled in here."""
    header_seen = False
    block_source = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if stripped.startswith("#@source:"):
                block_source = stripped[len("#@source:"):].strip()
            continue
        fields = [f.strip() for f in line.split("\t")]
        if not header_seen:
            if tuple(fields) != columns:
                raise KnowledgeError(
                    f"{filename}:{number}: header must be {'<TAB>'.join(columns)!r}, got {line!r}"
                )
            header_seen = True
            continue
        if len(fields) > len(columns):
            raise KnowledgeError(
                f"{filename}:{number}: {len(fields)} fields, expected {len(columns)}: {line!r}"
            )
        # editors drop trailing tabs: missing trailing fields are empty
        fields += [""] * (len(columns) - len(fields))
        row = dict(zip(columns, fields))
        if "source" in row and not row["source"]:
            if not block_source:
                raise KnowledgeError(f"{filename}:{number}: no source (column or #@source: block)")
            row["source"] = block_source
        yield number, row
    if not header_seen:
        raise KnowledgeError(f"{filename}: no header row")


def _country(filename: str, number: int, code: str) -> str:
    if not is_valid_country(code):
        raise KnowledgeError(f"{filename}:{number}: not an ISO 3166-1 alpha-3 code: {code!r}")
    return code


def _date(filename: str, number: int, column: str, value: str) -> dt.date:
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise KnowledgeError(
            f"{filename}:{number}: {column} must be YYYY-MM-DD, got {value!r}"
        ) from None


def _split_aliases(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a.strip() for a in value.split("|") if a.strip()))


_HOLDER_COLUMNS = ("country", "role", "name_en", "name_ar", "name_fa", "aliases", "start", "end", "source")


@functools.cache
def load_office_holders() -> tuple[OfficeHolder, ...]:
    return parse_office_holders(*_source(OFFICE_HOLDERS_FILE))


def parse_office_holders(text: str, f: str = OFFICE_HOLDERS_FILE) -> tuple[OfficeHolder, ...]:
    holders = []
    for number, row in _read_rows(f, _HOLDER_COLUMNS, text):
        country = _country(f, number, row["country"])
        if row["role"] not in ROLES:
            raise KnowledgeError(
                f"{f}:{number}: unknown role {row['role']!r}; known: {', '.join(sorted(ROLES))}"
            )
        if not (row["name_en"] or row["name_ar"] or row["name_fa"]):
            raise KnowledgeError(f"{f}:{number}: a holder needs at least one name")
        start = _date(f, number, "start", row["start"])
        end = _date(f, number, "end", row["end"]) if row["end"] else None
        if end is not None and end <= start:
            raise KnowledgeError(f"{f}:{number}: end {end} is not after start {start}")
        holders.append(
            OfficeHolder(
                country=country,
                role=row["role"],
                name_en=row["name_en"],
                name_ar=row["name_ar"],
                name_fa=row["name_fa"],
                aliases=_split_aliases(row["aliases"]),
                start=start,
                end=end,
                source=row["source"],
                line=number,
            )
        )
    return tuple(holders)


_ALIAS_COLUMNS = ("country", "lang", "kind", "form", "source")


@functools.cache
def load_country_aliases() -> tuple[CountryAlias, ...]:
    return parse_country_aliases(*_source(COUNTRY_ALIASES_FILE))


def parse_country_aliases(text: str, f: str = COUNTRY_ALIASES_FILE) -> tuple[CountryAlias, ...]:
    out = []
    for number, row in _read_rows(f, _ALIAS_COLUMNS, text):
        country = _country(f, number, row["country"])
        if row["lang"] not in LANGS:
            raise KnowledgeError(f"{f}:{number}: lang must be one of {sorted(LANGS)}, got {row['lang']!r}")
        if row["kind"] not in ALIAS_KINDS:
            raise KnowledgeError(
                f"{f}:{number}: kind must be one of {sorted(ALIAS_KINDS)}, got {row['kind']!r}"
            )
        if not row["form"]:
            raise KnowledgeError(f"{f}:{number}: empty form")
        out.append(CountryAlias(country, row["lang"], row["kind"], row["form"], row["source"], number))
    return tuple(out)


# status of a state in states.tsv: a UN member, a UN observer state (Holy See, Palestine), or
# another state the news reports on as one (Kosovo, Taiwan)
STATE_STATUSES: frozenset[str] = frozenset({"member", "observer", "other"})


@dataclass(frozen=True, slots=True)
class State:
    """A state whose press forms country_aliases.tsv must cover (issue 13)."""
    country: str
    status: str
    source: str
    line: int


_STATE_COLUMNS = ("country", "status", "source")


@functools.cache
def load_states() -> tuple[State, ...]:
    return parse_states(*_source(STATES_FILE))


def parse_states(text: str, f: str = STATES_FILE) -> tuple[State, ...]:
    out, seen = [], set()
    for number, row in _read_rows(f, _STATE_COLUMNS, text):
        country = _country(f, number, row["country"])
        if row["status"] not in STATE_STATUSES:
            raise KnowledgeError(
                f"{f}:{number}: status must be one of {sorted(STATE_STATUSES)}, got {row['status']!r}")
        if country in seen:
            raise KnowledgeError(f"{f}:{number}: {country} listed twice")
        seen.add(country)
        out.append(State(country, row["status"], row["source"], number))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class LeftOutAlias:
    """A press form country_aliases.tsv leaves out on purpose, and why: it is also a common word or
    names another entity. ``form`` is empty when the press has no form of that kind for the state
    at all (it writes the name: "وزير خارجية أنتيغوا وبربودا")."""
    country: str
    lang: str
    kind: str
    form: str
    reason: str
    line: int


_LEFT_OUT_COLUMNS = ("country", "lang", "kind", "form", "reason")


@functools.cache
def load_left_out_aliases() -> tuple[LeftOutAlias, ...]:
    return parse_left_out_aliases(*_source(LEFT_OUT_ALIASES_FILE))


def parse_left_out_aliases(text: str, f: str = LEFT_OUT_ALIASES_FILE) -> tuple[LeftOutAlias, ...]:
    out = []
    for number, row in _read_rows(f, _LEFT_OUT_COLUMNS, text):
        country = _country(f, number, row["country"])
        if row["lang"] not in LANGS:
            raise KnowledgeError(f"{f}:{number}: lang must be one of {sorted(LANGS)}, got {row['lang']!r}")
        if row["kind"] not in ALIAS_KINDS:
            raise KnowledgeError(
                f"{f}:{number}: kind must be one of {sorted(ALIAS_KINDS)}, got {row['kind']!r}")
        if not row["reason"]:
            raise KnowledgeError(f"{f}:{number}: no reason")
        out.append(LeftOutAlias(country, row["lang"], row["kind"], row["form"], row["reason"], number))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Region:
    """A place name that is not a state but contains one's name ("Latin America", "New Guinea"):
    listed so that the longest match wins over the country inside it."""
    lang: str
    form: str
    source: str
    line: int


_REGION_COLUMNS = ("lang", "form", "source")


@functools.cache
def load_regions() -> tuple[Region, ...]:
    return parse_regions(*_source(REGIONS_FILE))


def parse_regions(text: str, f: str = REGIONS_FILE) -> tuple[Region, ...]:
    out = []
    for number, row in _read_rows(f, _REGION_COLUMNS, text):
        if row["lang"] not in LANGS:
            raise KnowledgeError(f"{f}:{number}: lang must be one of {sorted(LANGS)}, got {row['lang']!r}")
        if not row["form"]:
            raise KnowledgeError(f"{f}:{number}: empty form")
        out.append(Region(row["lang"], row["form"], row["source"], number))
    return tuple(out)


_OUTLET_COLUMNS = ("outlet", "country", "lang", "agency_names", "scope", "source")
OUTLET_SCOPES = frozenset({"", "national", "government"})


@functools.cache
def load_outlets() -> tuple[Outlet, ...]:
    return parse_outlets(*_source(OUTLETS_FILE))


def parse_outlets(text: str, f: str = OUTLETS_FILE) -> tuple[Outlet, ...]:
    out = []
    seen: dict[str, int] = {}
    for number, row in _read_rows(f, _OUTLET_COLUMNS, text):
        name = row["outlet"]
        if not name or name != name.lower():
            raise KnowledgeError(f"{f}:{number}: outlet must be non-empty lowercase, got {name!r}")
        if name in seen:
            raise KnowledgeError(f"{f}:{number}: outlet {name!r} already on line {seen[name]}")
        seen[name] = number
        country = _country(f, number, row["country"]) if row["country"] else None
        lang = row["lang"] or None
        if lang is not None and lang not in LANGS:
            raise KnowledgeError(f"{f}:{number}: lang must be one of {sorted(LANGS)} or empty, got {lang!r}")
        scope = _one_of(f, number, "scope", row["scope"], OUTLET_SCOPES)
        if scope and country is None:
            raise KnowledgeError(f"{f}:{number}: a {scope} outlet needs its country")
        out.append(Outlet(name, country, lang, _split_aliases(row["agency_names"]), scope == "national",
                          row["source"], number, scope == "government"))
    return tuple(out)


# ---------------------------------------------------------------- conveniences


def _as_date(day: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    return dt.date.fromisoformat(day[:10])


def holders_on(
    day: dt.date | dt.datetime | str,
    country: str | None = None,
    role: str | None = None,
) -> tuple[OfficeHolder, ...]:
    """Holders in office on `day`, optionally only one country and/or role.

    `holders_on("2023-10-11", "USA", "foreign_minister")` -> (Blinken,)."""
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    d = _as_date(day)
    return tuple(
        h
        for h in load_office_holders()
        if h.active_on(d)
        and (country is None or h.country == country)
        and (role is None or h.role == role)
    )


def holder_of(day: dt.date | dt.datetime | str, country: str, role: str) -> OfficeHolder | None:
    """The single holder of `role` in `country` on `day`, or None if vacant / unknown."""
    found = holders_on(day, country, role)
    return found[0] if found else None


@functools.cache
def _outlet_index() -> dict[str, Outlet]:
    return {o.outlet: o for o in load_outlets()}


def outlet_for(source: str | None) -> Outlet | None:
    """The outlet of an article's `source` field.

    Feeds write it as a domain ("farsnews.ir"), a subdomain ("arabic.khabaronline.ir"), a name
    ("Reuters") or with a note ("rouz.news (republishing mehrnews.com)"): the first token is
    tried, then its parent domains, then any other domain in the note (the republished origin).
    """
    if not source:
        return None
    index = _outlet_index()
    text = source.strip().lower()
    if text in index:
        return index[text]
    tokens = [t.strip("()[],;") for t in text.split()]
    for token in tokens:
        token = token.removeprefix("www.")
        parts = token.split(".")
        for i in range(len(parts) - 1 if len(parts) > 1 else 1):
            candidate = ".".join(parts[i:])
            if candidate in index:
                return index[candidate]
    return None


# ---------------------------------------------------------------- cue words, topics, dates, boilerplate

MATCHES: frozenset[str] = frozenset({"word", "prefix"})
# kinds of triggers.tsv (what each means: the file's header comment)
TRIGGER_KINDS: frozenset[str] = frozenset(
    {"call", "meet", "receive", "visit", "talk", "noncontact", "summit", "conference", "sidelines",
     "ours", "both", "stateword", "counterpart", "title", "joint", "separate", "related"}
)


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue word of triggers.tsv or of a phenomenon's word list (cues/<lang>/<name>.txt)."""
    lang: str
    kind: str
    value: str | None  # "-" in the file: none
    match: str         # word | prefix
    form: str
    line: int


_TRIGGER_COLUMNS = ("lang", "kind", "value", "match", "form")


def _lang(f: str, number: int, lang: str, extra: tuple[str, ...] = ()) -> str:
    if lang not in LANGS and lang not in extra:
        raise KnowledgeError(f"{f}:{number}: lang must be one of {sorted(LANGS) + list(extra)}, got {lang!r}")
    return lang


def _one_of(f: str, number: int, column: str, value: str, allowed: frozenset[str]) -> str:
    if value not in allowed:
        raise KnowledgeError(f"{f}:{number}: {column} must be one of {sorted(allowed)}, got {value!r}")
    return value


def _nonempty(f: str, number: int, column: str, value: str) -> str:
    if not value:
        raise KnowledgeError(f"{f}:{number}: empty {column}")
    return value


@functools.cache
def load_triggers() -> tuple[Cue, ...]:
    return parse_triggers(*_source(TRIGGERS_FILE))


def parse_triggers(text: str, f: str = TRIGGERS_FILE) -> tuple[Cue, ...]:
    out = []
    for number, row in _read_rows(f, _TRIGGER_COLUMNS, text):
        out.append(Cue(_lang(f, number, row["lang"]), _one_of(f, number, "kind", row["kind"], TRIGGER_KINDS),
                       None if row["value"] in ("", "-") else row["value"],
                       _one_of(f, number, "match", row["match"], MATCHES),
                       _nonempty(f, number, "form", row["form"]), number))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TopicWord:
    topic: str
    lang: str
    strength: str  # strong | weak
    match: str
    form: str
    line: int


_TOPIC_COLUMNS = ("topic", "lang", "strength", "match", "form")
STRENGTHS: frozenset[str] = frozenset({"strong", "weak"})


# a topic's name: what alerts, metrics labels and URLs carry ("*" is the all-topics key)
_TOPIC_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@functools.cache
def load_topics() -> tuple[TopicWord, ...]:
    """The topic keywords; a weak keyword of a topic that has no start day (topic_starts.tsv)
    could never count, so it is an error naming its line."""
    text, f = _source(TOPICS_FILE)
    words = parse_topics(text, f)
    starts = load_topic_starts()
    for w in words:
        if w.strength == "weak" and w.topic not in starts:
            raise KnowledgeError(f"{f}:{w.line}: weak keyword of topic {w.topic!r}, which has no start "
                                 f"day in {TOPIC_STARTS_FILE} (weak keywords count from that day on)")
    return words


def parse_topics(text: str, f: str = TOPICS_FILE) -> tuple[TopicWord, ...]:
    out = []
    for number, row in _read_rows(f, _TOPIC_COLUMNS, text):
        topic = _nonempty(f, number, "topic", row["topic"])
        if not _TOPIC_NAME.match(topic):
            raise KnowledgeError(f"{f}:{number}: a topic name is lowercase letters, digits and single "
                                 f"hyphens (e.g. iran-nuclear), got {topic!r}")
        out.append(TopicWord(topic, _lang(f, number, row["lang"]),
                             _one_of(f, number, "strength", row["strength"], STRENGTHS),
                             _one_of(f, number, "match", row["match"], MATCHES),
                             _nonempty(f, number, "form", row["form"]), number))
    return tuple(out)


_TOPIC_START_COLUMNS = ("topic", "weak_from", "source")


@functools.cache
def load_topic_starts() -> dict[str, str]:
    """topic -> the first day (YYYY-MM-DD) its weak keywords mean the topic."""
    return parse_topic_starts(*_source(TOPIC_STARTS_FILE))


def parse_topic_starts(text: str, f: str = TOPIC_STARTS_FILE) -> dict[str, str]:
    out: dict[str, str] = {}
    lines: dict[str, int] = {}
    for number, row in _read_rows(f, _TOPIC_START_COLUMNS, text):
        topic = _nonempty(f, number, "topic", row["topic"])
        if topic in out:
            raise KnowledgeError(f"{f}:{number}: topic {topic!r} already on line {lines[topic]}")
        out[topic] = _date(f, number, "weak_from", row["weak_from"]).isoformat()
        lines[topic] = number
    return out


@dataclass(frozen=True, slots=True)
class DateWord:
    lang: str
    kind: str
    value: int | str  # a number (month, weekday 0 = Monday, day offset, ordinal) or a word
    word: str
    line: int


_DATE_COLUMNS = ("lang", "kind", "value", "word")
# kinds whose value is a number; the others (modifier, not_event) carry a word
DATE_NUMBER_KINDS: frozenset[str] = frozenset({"month", "solar_month", "hijri_month", "weekday", "relative", "ordinal"})
DATE_KINDS: frozenset[str] = DATE_NUMBER_KINDS | {"modifier", "not_event"}


@functools.cache
def load_date_words() -> tuple[DateWord, ...]:
    return parse_date_words(*_source(DATE_WORDS_FILE))


def parse_date_words(text: str, f: str = DATE_WORDS_FILE) -> tuple[DateWord, ...]:
    out = []
    for number, row in _read_rows(f, _DATE_COLUMNS, text):
        kind = _one_of(f, number, "kind", row["kind"], DATE_KINDS)
        value: int | str = row["value"]
        if kind in DATE_NUMBER_KINDS:
            try:
                value = int(row["value"])
            except ValueError:
                raise KnowledgeError(f"{f}:{number}: value of a {kind} must be a number, got {row['value']!r}") from None
        out.append(DateWord(_lang(f, number, row["lang"]), kind, value, _nonempty(f, number, "word", row["word"]), number))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class BoilerplateMarker:
    lang: str     # ar | fa | en | * (every pattern applies to every article; lang documents origin)
    kind: str     # related | boilerplate | boilerplate_end
    pattern: str  # a regex in normalised spelling (streams.extraction.variants.variant_pattern)
    line: int


_MARKER_COLUMNS = ("lang", "kind", "pattern")
MARKER_KINDS: frozenset[str] = frozenset({"related", "boilerplate", "boilerplate_end"})


@functools.cache
def load_boilerplate_markers() -> tuple[BoilerplateMarker, ...]:
    return parse_boilerplate_markers(*_source(BOILERPLATE_FILE))


def parse_boilerplate_markers(text: str, f: str = BOILERPLATE_FILE) -> tuple[BoilerplateMarker, ...]:
    out = []
    for number, row in _read_rows(f, _MARKER_COLUMNS, text):
        out.append(BoilerplateMarker(_lang(f, number, row["lang"], ("*",)),
                                     _one_of(f, number, "kind", row["kind"], MARKER_KINDS),
                                     _nonempty(f, number, "pattern", row["pattern"]), number))
    return tuple(out)


# The cue word lists of the phenomena (streams/extraction/phenomena.py), one file per list and
# language: cues/<lang>/<list>.txt -> the cue kind the extractor sees. Every list exists in every
# language (an empty list says so in its comment).
CUE_LISTS: dict[str, str] = {
    "modality": "future",          # modality: planned, expected, conditional
    "expectation": "expect",       # modality: expected or proposed, reaching forwards only
    "appeal": "appeal",            # modality: an appeal for talks reaches its object only
    "future_time": "future_time",  # modality: a time ahead ("next week", "الأسبوع المقبل")
    "purpose": "purpose",          # modality: the purpose of a trip ("to meet", "للقاء")
    "prior": "prior",              # modality: "before his meeting", "قبل لقائه": a contact still ahead
    "departure": "departure",      # modality: leaving for a trip ("left for", "غادر")
    "trip_frame": "frame",         # modality: "departed ... for a visit": the visit just begun
    "object_visit": "objvisit",    # attachment: a trip verb whose object is the destination ("زار ... الرياض")
    "postnominal": "postnom",      # modality: "the visit, scheduled for ...": a planning participle after the noun
    "announcement": "announce",    # modality: a present form announcing a contact ("سفر می‌کند")
    "during": "during",            # modality: "during a visit" frames the event before it
    "past_tense": "past",          # modality: Persian past verbs a later future cue does not cross
    "bare_verb": "bare",           # modality: English bare contact verbs sharing an earlier future
    "event_modifier": "modifier",  # gathering scope: "political" in "political consultations between"
    "negation": "negation",        # negation: negated verbs, cancellations
    "following": "after",          # negation: "after the call, X was stopped" frames, is not cancelled
    "denial": "denial",            # negation: denials of a report
    "rejection": "reject",         # negation: refusals (not what is rejected during a meeting)
    "exclusion": "exclude",        # negation: "does not include" a country
    "origin": "origin",            # negation: where a traveller came from ("arriving from")
    "comment": "comment",          # speech act: a comment on someone else's contact ("عن زيارة")
    "speech_act": "speech",        # speech act: interviews, invitations
    "message": "message",          # speech act: written messages, cables, letters
    "goods": "goods",              # speech act: aid, weapons, money received (not visitors)
    "statement": "statement",      # speech act: welcoming, condemning a visit or talks
    "other_sense": "sense",        # speech act: a trigger word in another sense ("so-called")
    "organisation": "org",         # actor type: international organisations
    "non_state": "nonstate",       # actor type: former officials, business, private persons
    "clause": "clause",            # attachment: words opening a new clause
    "officials": "officials",      # attachment: "officials in Jordan": whose officials, not a venue
    "partner": "partner",          # attachment: words whose following list is the other side ("talked to")
    "border": "border",            # attachment: "the border with X" names a place, not a partner
}
# lists the extractor reads as words of the text rather than through the gazetteer's automaton
# (a past verb is often inside a longer trigger form, "دیدار کرد", which the automaton prefers)
TEXT_WORD_LISTS: frozenset[str] = frozenset({"past", "bare", "modifier", "partner", "border", "after", "frame", "postnom"})
_CUE_COLUMNS = ("form",)


@functools.cache
def load_cues() -> tuple[Cue, ...]:
    """Every cue of every list in every language (``CUE_LISTS``), in that order, then the verb
    forms derived from the contact verbs of triggers.tsv (verb_forms.tsv)."""
    out: list[Cue] = []
    for name, kind in CUE_LISTS.items():
        for lang in ("en", "ar", "fa"):
            text, f = _source(f"cues/{lang}/{name}.txt")
            out.extend(parse_cue_list(text, lang, kind, f))
    out.extend(derive_verb_forms(load_triggers(), parse_verb_forms(*_source(VERB_FORMS_FILE))))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class VerbParticle:
    """A particle of verb_forms.tsv: ``particle`` before an imperfect contact verb makes a cue."""
    lang: str
    particle: str
    glued: bool               # written without a space before the verb (Arabic future سـ)
    kind: str                 # the cue kind it gives (a value of CUE_LISTS)
    imperfect: str            # the prefix that marks a trigger form as an imperfect verb
    persons: tuple[str, ...]  # the imperfect person prefixes put in its place
    line: int


_VERB_FORM_COLUMNS = ("lang", "particle", "attach", "kind", "imperfect", "persons")
# the trigger kinds that are contact verbs (the others are titles, venues, words of reference)
CONTACT_VERB_KINDS: frozenset[str] = frozenset({"call", "meet", "receive", "visit", "talk"})


def parse_verb_forms(text: str, f: str = VERB_FORMS_FILE) -> tuple[VerbParticle, ...]:
    out = []
    kinds = frozenset(CUE_LISTS.values())
    for number, row in _read_rows(f, _VERB_FORM_COLUMNS, text):
        attach = _one_of(f, number, "attach", row["attach"], frozenset({"glued", "word"}))
        persons = tuple(row["persons"].split())
        if not persons or any(len(p) != 1 for p in persons):
            raise KnowledgeError(f"{f}:{number}: persons must be single letters separated by spaces, "
                                 f"got {row['persons']!r}")
        out.append(VerbParticle(_lang(f, number, row["lang"]), _nonempty(f, number, "particle", row["particle"]),
                                attach == "glued", _one_of(f, number, "kind", row["kind"], kinds),
                                _nonempty(f, number, "imperfect", row["imperfect"]), persons, number))
    return tuple(out)


def derive_verb_forms(triggers: tuple[Cue, ...], particles: tuple[VerbParticle, ...]) -> tuple[Cue, ...]:
    """The cues ``particles`` make of the imperfect contact verbs among ``triggers``: a trigger of a
    contact kind whose form begins with the particle's imperfect prefix, in every person. A cue's
    value is the verb's kind ("visit" for سيزور): the phenomena treat it as that contact word
    voided (phenomena.void_arguments)."""
    out: list[Cue] = []
    seen: set[tuple[str, str, str]] = set()
    for p in particles:
        for t in triggers:
            if (t.lang != p.lang or t.kind not in CONTACT_VERB_KINDS
                    or not t.form.startswith(p.imperfect)):
                continue
            for person in p.persons:
                form = p.particle + ("" if p.glued else " ") + person + t.form[len(p.imperfect):]
                if (p.kind, form, t.match) not in seen:
                    seen.add((p.kind, form, t.match))
                    out.append(Cue(p.lang, p.kind, t.kind, t.match, form, p.line))
    return tuple(out)


def parse_cue_list(text: str, lang: str, kind: str, f: str) -> tuple[Cue, ...]:
    """A word list: header ``form``, one cue a line; a trailing ``*`` lets more letters follow."""
    out = []
    for number, row in _read_rows(f, _CUE_COLUMNS, text):
        form = row["form"]
        prefix = form.endswith("*")
        form = form.rstrip("*").strip()
        if not form or "*" in form:
            raise KnowledgeError(f"{f}:{number}: a cue is a word or phrase with at most a trailing *, got {row['form']!r}")
        out.append(Cue(lang, kind, None, "prefix" if prefix else "word", form, number))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Weight:
    """A weight of the confidence model (confidence.tsv; the features are the extractor's)."""
    feature: str
    weight: float
    source: str
    line: int


_WEIGHT_COLUMNS = ("feature", "weight", "source")


@functools.cache
def load_confidence_weights() -> tuple[Weight, ...]:
    return parse_confidence_weights(*_source(CONFIDENCE_FILE))


def parse_confidence_weights(text: str, f: str = CONFIDENCE_FILE) -> tuple[Weight, ...]:
    out = []
    seen: dict[str, int] = {}
    for number, row in _read_rows(f, _WEIGHT_COLUMNS, text):
        name = _nonempty(f, number, "feature", row["feature"])
        if name in seen:
            raise KnowledgeError(f"{f}:{number}: feature {name!r} already on line {seen[name]}")
        seen[name] = number
        try:
            w = float(row["weight"])
        except ValueError:
            raise KnowledgeError(f"{f}:{number}: weight must be a number, got {row['weight']!r}") from None
        if w != w or w in (float("inf"), float("-inf")):
            raise KnowledgeError(f"{f}:{number}: weight must be finite, got {row['weight']!r}")
        out.append(Weight(name, w, row["source"], number))
    return tuple(out)


# ---------------------------------------------------------------- all of it, at start

# every file the loaders read, relative to this package (and to an overlay folder)
KNOWLEDGE_FILES: tuple[str, ...] = (
    OFFICE_HOLDERS_FILE, COUNTRY_ALIASES_FILE, REGIONS_FILE, OUTLETS_FILE, TRIGGERS_FILE, TOPICS_FILE,
    TOPIC_STARTS_FILE, DATE_WORDS_FILE, BOILERPLATE_FILE, CONFIDENCE_FILE, VERB_FORMS_FILE,
    STATES_FILE, LEFT_OUT_ALIASES_FILE,
    *(f"cues/{lang}/{name}.txt" for name in CUE_LISTS for lang in ("en", "ar", "fa")),
)


def load_all() -> tuple[str, ...]:
    """Load and check every knowledge file (the overlay's included) at start, so a bad row stops
    the command with its file and line before any article is read; returns the overlaid files."""
    overlaid = overlaid_files()
    load_office_holders(), load_country_aliases(), load_regions(), load_outlets(), load_triggers()
    load_topic_starts(), load_topics(), load_date_words(), load_boilerplate_markers(), load_cues()
    load_confidence_weights(), load_states(), load_left_out_aliases()
    return overlaid
