"""Coverage of country_aliases.tsv (issue 13): every state of states.tsv has a demonym and a capital
in Arabic, Persian and English, unless left_out_aliases.tsv says why not; and the left-out list stays true
(a form it leaves out is not listed after all, a "none in press use" row is not stale)."""
from __future__ import annotations

import collections

import pytest

from streams.extraction.normalise import normalise
from streams.knowledge import loader as kb

LANGS = ("ar", "fa", "en")


def _key(form: str) -> str:
    """The automaton's key of a form (gazetteer._add): normalised, and an Arabic form written with
    the bare-alef article without it."""
    key = normalise(form)
    if key.startswith("ال") and len(key) > 4 and form.lstrip().startswith("\u0627\u0644"):
        key = key[2:]
    return key


def _aliases_by(kind: str) -> dict[tuple[str, str], set[str]]:
    out = collections.defaultdict(set)
    for a in kb.load_country_aliases():
        if a.kind == kind:
            out[(a.country, a.lang)].add(a.form)
    return out


def test_the_states_are_the_un_members_the_observers_kosovo_and_taiwan():
    states = kb.load_states()
    by_status = collections.Counter(s.status for s in states)
    assert by_status["member"] == 193
    assert {s.country for s in states if s.status == "observer"} == {"PSE", "VAT"}
    assert {s.country for s in states if s.status == "other"} == {"XKX", "TWN"}


@pytest.mark.parametrize("kind", ["demonym", "capital"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_state_has_a_demonym_and_a_capital_unless_left_out_on_purpose(kind, lang):
    """Left out (left_out_aliases.tsv): a form that is a common word or shared (Congolese,
    Kingston), none in press use, or a capital that bears the state's name (Singapore, Kuwait:
    finding the name finds it)."""
    listed = _aliases_by(kind)
    left_out = {(r.country, r.lang) for r in kb.load_left_out_aliases() if r.kind == kind}
    missing = sorted(s.country for s in kb.load_states()
                     if not listed[(s.country, lang)] and (s.country, lang) not in left_out)
    assert missing == []


def test_a_left_out_form_is_not_listed_after_all():
    """A form left out of a kind (for any state) is no row of that kind: "Congolese" stays out for
    both Congos. Helsinki, left out as a capital, may be a city (venue only)."""
    listed = collections.defaultdict(set)
    for a in kb.load_country_aliases():
        listed[(a.kind, _key(a.form))].add(f"{a.country} {a.lang} line {a.line}")
    found = {f"{r.country} {r.lang} {r.kind} {r.form!r}": sorted(listed[(r.kind, _key(r.form))])
             for r in kb.load_left_out_aliases() if r.form and listed[(r.kind, _key(r.form))]}
    assert found == {}


def test_a_none_in_press_use_row_is_not_stale():
    """A row without a form says the state has no form of that kind in that language: once one is
    listed, the row must go (else the coverage test would keep excusing nothing)."""
    listed = collections.defaultdict(set)
    for a in kb.load_country_aliases():
        listed[(a.country, a.lang, a.kind)].add(a.form)
    stale = [f"line {r.line}: {r.country} {r.lang} {r.kind}" for r in kb.load_left_out_aliases()
             if not r.form and listed[(r.country, r.lang, r.kind)]]
    assert stale == []


def test_states_and_left_out_files_reject_bad_rows():
    with pytest.raises(kb.KnowledgeError, match="s.tsv:2: status"):
        kb.parse_states("country\tstatus\tsource\nFRA\tmember_state\tUN\n", "s.tsv")
    with pytest.raises(kb.KnowledgeError, match="s.tsv:3: FRA listed twice"):
        kb.parse_states("country\tstatus\tsource\nFRA\tmember\tUN\nFRA\tmember\tUN\n", "s.tsv")
    with pytest.raises(kb.KnowledgeError, match="s.tsv:2: no source"):
        kb.parse_states("country\tstatus\tsource\nFRA\tmember\t\n", "s.tsv")
    head = "country\tlang\tkind\tform\treason\n"
    with pytest.raises(kb.KnowledgeError, match="l.tsv:2: no reason"):
        kb.parse_left_out_aliases(head + "COG\ten\tdemonym\tCongolese\t\n", "l.tsv")
    with pytest.raises(kb.KnowledgeError, match="l.tsv:2: kind"):
        kb.parse_left_out_aliases(head + "COG\ten\tnisba\tCongolese\tboth Congos\n", "l.tsv")
    with pytest.raises(kb.KnowledgeError, match="l.tsv:2: not an ISO"):
        kb.parse_left_out_aliases(head + "XXX\ten\tdemonym\tCongolese\tboth Congos\n", "l.tsv")
