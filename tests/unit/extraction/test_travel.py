"""Travel verbs and lists of destinations (held-out generalisation, issue 3): hand-written
sentences, not copied from any corpus."""
from __future__ import annotations

from streams.extraction import extract_contacts


def _pairs(text: str) -> dict[tuple[str, str], object]:
    art = {"id": "t", "text": text, "published_at": "2016-05-04", "lang": "en"}
    return {tuple(c.countries): c for c in extract_contacts(art)}


def test_headline_present_arrival_is_a_visit_hosted_by_the_destination():
    got = _pairs("Portuguese Foreign Minister arrives in Morocco for two days of talks")
    assert set(got) == {("MAR", "PRT")}
    assert got[("MAR", "PRT")].mode == "visit"
    assert got[("MAR", "PRT")].host == "MAR"


def test_landed_flew_travelled_are_arrivals():
    assert set(_pairs("The Chilean president landed in Tunisia on Monday.")) == {("CHL", "TUN")}
    assert set(_pairs("Kenya's foreign minister flew into Oman on Sunday.")) == {("KEN", "OMN")}
    assert set(_pairs("The Greek prime minister travelled to Lebanon on Friday.")) == {("GRC", "LBN")}


def test_arrived_with_a_day_before_the_place():
    assert set(_pairs("Belgium's prime minister arrived on Tuesday in the Qatari capital Doha.")) \
        == {("BEL", "QAT")}


def test_planned_travel_is_not_a_contact():
    assert _pairs("The Chilean president will travel to Tunisia next week.") == {}


def test_each_destination_of_a_trip_pairs_with_the_visitor_not_with_each_other():
    got = _pairs("The Argentine foreign minister travelled to Kuwait, Oman and Jordan last week.")
    assert set(got) == {("ARG", "KWT"), ("ARG", "OMN"), ("ARG", "JOR")}
    assert all(c.mode == "visit" for c in got.values())


def test_destinations_without_a_state_visitor_make_no_pair():
    # private travellers: neither the destinations with each other nor anyone else
    assert _pairs("Hundreds of tourists have travelled to Egypt and Jordan this spring.") == {}
    assert _pairs("He is said to have often visited Oman and Kuwait for business.") == {}


def test_plural_title_over_several_countries_is_one_meeting_of_all():
    got = _pairs("The oil ministers of Nigeria, Algeria and Angola met in Vienna on Monday.")
    assert set(got) == {("DZA", "NGA"), ("AGO", "NGA"), ("AGO", "DZA")}
    # a singular title per country is not a group: the subject meets each of the others
    got = _pairs("The Nigerian oil minister met the Algerian minister and the Angolan minister.")
    assert ("AGO", "DZA") not in got


def test_deputy_prime_minister_named_alone_is_a_state_actor_in_his_term():
    # knowledge rows (office_holders.tsv, role deputy_head_of_government): surname alone
    assert set(_pairs("Rogozin arrived in Kuwait on Sunday.")) == {("KWT", "RUS")}
    art = {"id": "t", "text": "Rogozin arrived in Kuwait on Sunday.", "published_at": "2020-05-04",
           "lang": "en"}
    assert extract_contacts(art) == []  # out of office since 2018: an unknown name


def test_office_holders_added_for_2016_are_resolved_by_surname():
    assert set(_pairs("Tsipras met Hailemariam in Athens.")) == {("ETH", "GRC")}
    assert set(_pairs("Gargash met Dion in Ottawa.")) == {("ARE", "CAN")}


def test_countries_in_reported_words_before_the_speaker_are_not_parties():
    got = _pairs("The Saudi king holds the key to peace in Yemen, Kenya's foreign minister said on "
                 "Monday after talks with his Ghanaian counterpart.")
    assert set(got) == {("GHA", "KEN")}


def test_a_title_does_not_take_a_list_closed_by_and_before_a_comma():
    got = _pairs("Peace in Yemen depends on Saudi Arabia and Oman, Kenya's foreign minister said on "
                 "Monday after talks with his Ghanaian counterpart.")
    assert set(got) == {("GHA", "KEN")}
    got = _pairs("The Saudi, Omani and Kenyan foreign ministers met in Nairobi.")
    assert {("OMN", "SAU"), ("KEN", "OMN"), ("KEN", "SAU")} <= set(got)


def test_speaker_rule_leaves_a_contact_reported_before_the_verb_alone():
    # the trigger comes before the speech verb: nothing is cut
    got = _pairs("After talks with Oman's foreign minister in Muscat, Kenya's foreign minister said "
                 "the two sides agreed on trade.")
    assert set(got) == {("KEN", "OMN")}


def test_parliament_speaker_is_a_titled_state_actor():
    assert set(_pairs("Ghana's parliament speaker, with a large delegation of lawmakers, arrived in "
                      "Rwanda on Tuesday.")) == {("GHA", "RWA")}


def test_destination_city_followed_by_its_country_names_the_host():
    got = _pairs("The Kenyan president visited Jeddah, Saudi Arabia, and Doha, Qatar, last week.")
    assert set(got) == {("KEN", "SAU"), ("KEN", "QAT")}
    assert got[("KEN", "SAU")].host == "SAU" and got[("KEN", "QAT")].host == "QAT"


def test_a_title_from_a_country_is_that_countrys():
    # "a delegation from Cyprus": without "from", the title had no country and took the
    # agency's (Sputnik: Russia) — a Russia-Syria visit instead of Cyprus-Syria
    art = {"id": "t", "lang": "en", "published_at": "2016-05-04", "source": "sputniknews.com",
           "text": "BEIRUT (Sputnik) - A delegation from Cyprus arrived in Damascus on a working visit "
                   "to meet with the head of state."}
    got = {tuple(c.countries): c for c in extract_contacts(art)}
    assert set(got) == {("CYP", "SYR")}
    assert got[("CYP", "SYR")].host == "SYR"
    assert set(_pairs("The Sudanese president met ministers from Kenya and Uganda on Monday.")) \
        == {("KEN", "SDN"), ("SDN", "UGA"), ("KEN", "UGA")}


def test_from_after_a_verb_or_a_comma_is_where_someone_came_from():
    assert set(_pairs("The Peruvian foreign minister, back from Chile, met the Mexican ambassador.")) \
        == {("MEX", "PER")}
    assert set(_pairs("The Peruvian foreign minister returned from Chile on Monday.")) == set()
