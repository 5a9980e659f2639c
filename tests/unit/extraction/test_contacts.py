"""Mechanisms of the contact extractor, on small hand-written sentences (not corpus articles)."""
from __future__ import annotations

import pytest

from streams.extraction import extract_contacts, extraction_errors
from streams.extraction.gazetteer import gazetteer
from streams.extraction.normalise import normalise
from streams.records import Article


def _pairs(text: str, **kw) -> dict[tuple[str, str], object]:
    art = {"id": "t", "text": text, "published_at": kw.pop("published_at", "2024-03-05"), **kw}
    return {tuple(c.countries): c for c in extract_contacts(art)}


def _kinds(sentence: str) -> set[tuple[str, object]]:
    norm = normalise(sentence)
    return {(e.kind, getattr(e.value, "country", e.value)) for m in gazetteer().find(norm, sentence)
            for e in m.entries}


# ---- gazetteer -----------------------------------------------------------------------------

def test_arabic_clitics_before_country_names():
    assert ("country", "EGY") in _kinds("وصل الوزير إلى القاهرة وبمصر")
    assert ("country", "EGY") in _kinds("ولمصر")


def test_nisba_ending_turns_name_into_demonym():
    assert ("country", "EGY") in _kinds("وزير الخارجية المصري")
    assert ("country", "IRN") in _kinds("الوفد الإيرانية")


def test_letters_inside_a_word_are_not_a_match():
    # "مصر" inside another word (no clitic prefix) must not match
    assert ("country", "EGY") not in _kinds("تمصرف")


def test_english_proper_names_need_capitals():
    assert ("country", "USA") not in _kinds("they told us about it")
    assert ("country", "TCD") not in _kinds("a hanging chad")
    assert ("country", "TCD") in _kinds("talks in Chad")


def test_outlet_country_from_domain():
    g = gazetteer()
    assert g.outlets, "streams/knowledge/outlets.tsv ships with the package"
    dom, country = next(iter(g.outlets.items()))
    assert g.outlet_country("www." + dom) == country
    assert g.outlet_country(None) is None


@pytest.mark.parametrize("source, country, national", [
    # a feed naming the outlet as it calls itself, not by its domain
    ("Yonhap News Agency", "KOR", True),
    ("The Korea Herald", "KOR", False),
    ("Associated Press of Pakistan", "PAK", True),
    ("Fars News", "IRN", True),
    ("Arab News", None, False),   # written for an international audience: no home state
])
def test_outlet_country_from_its_name(source, country, national):
    g = gazetteer()
    assert g.outlet_country(source) == country
    assert g.national_agency(source) is national


def test_a_national_agencys_unnamed_minister_is_its_states():
    a = {"id": "t", "lang": "en", "published_at": "2025-12-30", "source": "Yonhap News Agency",
         "text": "Trade Minister Yeo Han-koo held talks with his Chinese counterpart in Beijing on Tuesday."}
    assert {tuple(c.countries) for c in extract_contacts(a)} == {("CHN", "KOR")}


# ---- contacts ------------------------------------------------------------------------------

def test_phone_call_between_titled_officials():
    got = _pairs("The Foreign Minister of Oman held a phone call with the Foreign Minister of Iran today.")
    c = got[("IRN", "OMN")]
    assert c.mode == "phone"
    assert c.date == "2024-03-05" and c.date_precision == "day"
    assert {a.country for a in c.actors} == {"IRN", "OMN"}
    assert 0 < c.confidence <= 1


def test_arabic_title_with_country_after_it():
    got = _pairs("بحث وزير خارجية مصر في اتصال هاتفي مع وزير خارجية الأردن تطورات الأوضاع.")
    assert got[("EGY", "JOR")].mode == "phone"


def test_persian_title_with_country_after_it():
    got = _pairs("وزیر خارجه ایران با وزیر خارجه مجارستان تلفنی گفت‌وگو کرد.")
    assert got[("HUN", "IRN")].mode == "phone"


def test_future_meeting_is_not_a_contact():
    assert not _pairs("The Foreign Minister of Oman will meet the Foreign Minister of Iran next week.")
    assert not _pairs("سيلتقي وزير خارجية مصر وزير خارجية الأردن غدا.")
    assert not _pairs("قرار است وزیر خارجه ایران با وزیر خارجه مجارستان دیدار کند.")


def test_persian_future_auxiliary_after_the_verb():
    assert not _pairs("وزیر خارجه ایران با وزیر خارجه مجارستان دیدار خواهد کرد.")


def test_domestic_meeting_is_not_a_contact():
    assert not _pairs("The Foreign Minister of Oman met the Interior Minister of Oman in Muscat.")


def test_summoned_ambassador_is_not_a_contact():
    assert not _pairs("The Foreign Ministry of Spain summoned the Ambassador of Iran and met him.")


def test_un_envoy_is_not_a_state():
    assert not _pairs("The Foreign Minister of Oman met the UN envoy to Yemen in Muscat.")


def test_counterpart_with_country_word():
    got = _pairs("التقى وزير خارجية مصر نظيره الأردني.")
    assert ("EGY", "JOR") in got, got   # the demonym الأردني is in country_aliases.tsv
    assert got[("EGY", "JOR")].mode == "visit"


def test_venue_in_one_country_makes_it_the_host():
    got = _pairs("The Foreign Minister of Turkey met the Foreign Minister of Egypt in Egypt.")
    c = got[("EGY", "TUR")]
    assert (c.mode, c.host, c.visitor) == ("visit", "EGY", "TUR")


def test_venue_in_a_third_country():
    got = _pairs("The Foreign Minister of Turkey met the Foreign Minister of Egypt in Malaysia.")
    assert got[("EGY", "TUR")].mode == "third-party"


def test_summit_meeting_is_multilateral():
    got = _pairs("On the sidelines of the summit, the Foreign Minister of Turkey met the Foreign Minister of Egypt.")
    assert got[("EGY", "TUR")].mode == "multilateral"


def test_same_pair_twice_is_one_contact():
    text = ("The Foreign Minister of Oman held a phone call with the Foreign Minister of Iran.\n"
            "The Foreign Minister of Iran also discussed Gaza with the Foreign Minister of Oman by phone.")
    contacts = extract_contacts({"id": "t", "text": text})
    assert [tuple(c.countries) for c in contacts] == [("IRN", "OMN")]
    assert contacts[0].topics == ["gaza"]


def test_gaza_topic_only_where_the_story_ties_it():
    got = _pairs("The Foreign Minister of Oman met the Foreign Minister of Iran to discuss trade.")
    assert got[("IRN", "OMN")].topics == []


def test_related_list_headlines_are_not_contacts():
    text = ("The Foreign Minister of Oman met the Foreign Minister of Iran in Muscat today and discussed trade.\n\n"
            "Read also:\n\n"
            "Foreign Minister of Egypt meets Foreign Minister of Jordan\n"
            "Foreign Minister of Qatar receives Foreign Minister of Turkey\n")
    got = _pairs(text)
    assert set(got) == {("IRN", "OMN")}


def test_record_fields_are_copied_from_the_article():
    art = Article(id="x1", text="The Foreign Minister of Oman held a phone call with the Foreign Minister of Iran.",
                  source="example.com", url="http://e/x", published_at="2024-03-05", lang="en")
    (c,) = extract_contacts(art)
    assert (c.article_id, c.source, c.url, c.published_at, c.lang) == ("x1", "example.com", "http://e/x", "2024-03-05", "en")
    assert "phone call" in c.evidence


@pytest.mark.parametrize("bad", [None, 5, "text", [], {}, {"id": 1}, {"text": None}, {"id": "a", "text": 7},
                                 {"id": "a", "text": "", "title": None}, Article(id="a", text="")])
def test_odd_input_gives_no_contact_and_no_error(bad):
    before = extraction_errors()
    assert extract_contacts(bad) == []
    assert extraction_errors() == before


def test_unnamed_title_belongs_to_the_agency_dateline_country():
    g = gazetteer()
    agency = next((k for k, v in [("العمانية", "OMN")] if ("agency", v) in _kinds(k + ":")), None)
    assert agency == "العمانية"   # the agency name is in outlets.tsv
    got = _pairs("العمانية: تلقى وزير الخارجية اتصالا هاتفيا من وزير خارجية مصر.")
    assert got[("EGY", "OMN")].mode == "phone"
    assert g.outlet_country("omannews.gov.om") == "OMN"


def test_unnamed_title_as_the_object_is_not_the_home_country():
    # the Guardian's home is not the country of "the defence minister" someone else met
    got = _pairs("The Foreign Minister of Egypt met the defence minister.", source="theguardian.com")
    assert not got


@pytest.mark.parametrize("source, expected", [
    ("spa.gov.sa", {("SAU", "USA")}),           # a national agency: its unqualified minister
    ("www.alarabiya.net", set()),              # written for a pan-Arab audience: nobody's
    ("www.bbc.co.uk", set()),                  # a foreign-language service: nobody's
])
def test_an_unqualified_title_is_the_home_of_national_outlets_only(source, expected):
    text = "التقى وزير الخارجية نظيره الأمريكي في الرياض أمس."
    assert set(_pairs(text, source=source, lang="ar")) == expected


def test_persian_text_takes_no_arabic_proclitic_before_a_name():
    # "کاتن" (Cotton) is not ک + آتن (Athens); Persian writes its prepositions apart, so only a
    # glued "و" and the article of an Arabic name ("الجزایر") come before a name
    assert not _pairs("تام کاتن سناتور آمریکایی در گفت‌وگو با مجری برنامه مدعی نادرست بودن برجام شد.", lang="fa")
    assert not _pairs("وزیر امور خارجه ایران با تام کاتن سناتور آمریکایی دیدار کرد.", lang="fa")
    assert set(_pairs("وزیر امور خارجه ایران با وزیر خارجه الجزایر دیدار کرد.", lang="fa")) == {("DZA", "IRN")}
    assert ("country", "GRC") in _kinds("كاتن")  # the gazetteer still finds it; Persian drops it


@pytest.mark.parametrize("host, expected", [
    ("pmd.gov.lk", "LKA"), ("www.mofa.gov.sa", "SAU"), ("www.gov.uk", "GBR"), ("state.gov", "USA"),
    ("president.gov.ua", "UKR"), ("presidencia.gob.mx", "MEX"), ("example.com", None),
    ("gov.example.com", None), ("news.gov.zz", None),
])
def test_a_government_site_is_its_state(host, expected):
    from streams.extraction.gazetteer import government_domain

    assert government_domain(host) == expected


def test_a_government_site_is_found_among_the_sources_hosts():
    from streams.extraction.gazetteer import government_site

    assert government_site("www.pmd.gov.lk/news/123")
    assert government_site("rouz.news (republishing mofa.gov.sa)")
    assert not government_site("theguardian.com") and not government_site(None) and not government_site("")


def test_a_governments_own_release_speaks_for_it_on_either_side():
    # an unnamed "President" in pmd.gov.lk's release is Sri Lanka's, also as the object; a
    # courtesy call is made in person; a High Commissioner is an ambassador
    text = "The Australian High Commissioner paid a courtesy call on the President this morning."
    got = _pairs(text, lang="en", source="pmd.gov.lk")
    assert set(got) == {("AUS", "LKA")} and got[("AUS", "LKA")].mode == "visit"
    # in a national newspaper's story the other side's unnamed title stays unknown
    assert not _pairs(text, lang="en", source="theguardian.com")


@pytest.mark.parametrize("lang, text", [
    ("en", "The Iranian foreign minister met the Swiss chargé d'affaires in Tehran."),
    ("ar", "التقى وزير الخارجية الإيراني القائم بالأعمال السويسري في طهران."),
    ("fa", "وزیر امور خارجه ایران با کاردار سوئیس در تهران دیدار کرد."),
])
def test_a_charge_daffaires_is_an_envoy(lang, text):
    assert set(_pairs(text, lang=lang)) == {("CHE", "IRN")}


@pytest.mark.parametrize("lang, text", [
    ("en", "In light of the Iranian President's departure for a state visit to Oman, two acting ministers were appointed."),
    ("ar", "أعلنت الرئاسة الإيرانية توجهه إلى مسقط في زيارة رسمية للقاء السلطان."),
])
def test_a_departure_for_a_visit_is_not_the_visit(lang, text):
    assert not _pairs(text, lang=lang)


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "US President Donald Trump and North Korean leader Kim Jong Un held a summit in Singapore on Tuesday.",
     {("PRK", "USA"): "third-party"}),
    ("fa", "رئیس جمهور آمریکا و رهبر کره شمالی روز سه‌شنبه در سنگاپور دیدار سران برگزار کردند.",
     {("PRK", "USA"): "third-party"}),
    ("en", "The leaders of Egypt, Jordan and Iraq held a summit in Baghdad.",
     {("EGY", "IRQ"): "multilateral", ("EGY", "JOR"): "multilateral", ("IRQ", "JOR"): "multilateral"}),
    ("ar", "التقى الرئيس المصري العاهل الأردني على هامش القمة العربية في الرياض.",
     {("EGY", "JOR"): "multilateral"}),
    ("en", "The US President met the North Korean leader at their summit in Singapore.",
     {("PRK", "USA"): "third-party"}),
])
def test_a_summit_of_two_leaders_is_a_bilateral_meeting(lang, text, expected):
    """A summit is a gathering (multilateral) with three or more states or an organisation; the
    summit of two leaders takes its mode from the venue like any meeting."""
    assert {k: c.mode for k, c in _pairs(text, lang=lang, published_at="2018-06-12").items()} == expected


@pytest.mark.parametrize("lang, text", [
    ("ar", "التقى وزير خارجية #كوريا_الشمالية، ري يونغ هو، رئيس الوزراء السويدي في ستوكهولم."),
    ("fa", "وزیر خارجه #کره_شمالی با نخست وزیر سوئد در استکهلم دیدار کرد."),
    ("en", "The foreign minister of #North_Korea met the Swedish prime minister in Stockholm."),
])
def test_a_hashtag_names_its_country(lang, text):
    assert set(_pairs(text, lang=lang)) == {("PRK", "SWE")}


def test_pronoun_subject_carries_over_within_the_story():
    text = ("The Foreign Minister of Iran arrived in Munich on Friday for the conference.\n"
            "He also met the Foreign Minister of Japan on the sidelines.")
    got = _pairs(text)
    assert ("IRN", "JPN") in got


def test_separate_calls_with_several_counterparts_pair_only_with_the_caller():
    got = _pairs("The Foreign Minister of Iran held separate phone calls with the foreign ministers "
                 "of Iraq, Russia and Syria.")
    assert set(got) == {("IRN", "IRQ"), ("IRN", "RUS"), ("IRN", "SYR")}
    assert all(c.mode == "phone" for c in got.values())


def test_trilateral_meeting_pairs_everyone_multilaterally():
    got = _pairs("The foreign ministers of Iran, Russia and Turkey held a trilateral meeting in Geneva.")
    assert set(got) == {("IRN", "RUS"), ("IRN", "TUR"), ("RUS", "TUR")}
    assert {c.mode for c in got.values()} == {"multilateral"}


def test_ambassador_is_of_his_country_not_of_his_post():
    got = _pairs("وزير خارجية مصر استقبل سفير استراليا لدى مصر.")
    assert set(got) == {("AUS", "EGY")}


def test_ambassador_meeting_an_unnamed_official_meets_the_host_state():
    got = _pairs("Mr Keshavarz met the Ambassador of Australia in Iran.")
    assert set(got) == {("AUS", "IRN")}


def test_sports_counterpart_is_not_diplomacy():
    assert not _pairs("The coach of Iran met his counterpart of Japan before the football match.")


def test_ministry_word_is_not_a_visit():
    # وزارة = و + زار + ة: clitic + "visited" must not match inside the word "ministry"
    assert ("visit", None) not in _kinds("وزارة الخارجية")


def test_third_country_in_a_later_clause_is_not_a_party():
    got = _pairs("التقى وزير خارجية مصر وزير خارجية تركيا في أنقرة، وذلك على ضوء دعوة رئيس الولايات المتحدة.")
    assert set(got) == {("EGY", "TUR")}
    assert got[("EGY", "TUR")].host == "TUR"


def test_place_far_from_the_meeting_is_not_its_venue():
    got = _pairs("The Foreign Minister of Turkey arrived in Malaysia on Friday from a long tour of the region, "
                 "and then he held talks with the Foreign Minister of Egypt.")
    assert got[("EGY", "TUR")].mode == "visit"


def test_our_country_is_the_outlets_home():
    g = gazetteer()
    assert g.outlet_country("farsnews.ir") == "IRN"   # outlets.tsv
    got = _pairs("وزیر امور خارجه کشورمان با وزیر خارجه مجارستان تلفنی گفت‌وگو کرد.", source="farsnews.ir")
    assert set(got) == {("HUN", "IRN")}


def test_demonym_after_visiting_is_the_visitor_not_the_place():
    got = _pairs("The President of China held talks with the visiting Brazilian President in Beijing.")
    assert ("country", "CHN") in _kinds("in Beijing")   # the capital is in country_aliases.tsv
    c = got[("BRA", "CHN")]
    assert (c.mode, c.host, c.visitor) == ("visit", "CHN", "BRA")


def test_demonym_chain_before_a_plural_title():
    got = _pairs("The Egyptian and Jordanian foreign ministers discussed the situation by phone.")
    assert ("country", "EGY") in _kinds("the Egyptian minister")   # the demonym is in country_aliases.tsv
    assert set(got) == {("EGY", "JOR")} and got[("EGY", "JOR")].mode == "phone"


def test_english_title_does_not_take_a_country_across_and():
    got = _pairs("Qatar's emir and the U.S. president discussed a ceasefire in a phone call.")
    assert set(got) == {("QAT", "USA")} and got[("QAT", "USA")].mode == "phone"


@pytest.mark.parametrize("text", [
    "سخنگوی وزارت خارجه: هیچ دیداری میان مقامات ایران و آمریکا در عمان انجام نشده است.",
    "Iran's foreign minister denied that he met the U.S. envoy in Oman.",
    "لم يلتق وزير خارجية مصر وزير خارجية تركيا خلال الزيارة.",
    "The Foreign Ministry of Jordan summoned the Israeli ambassador.",
    "The UN Secretary-General met the Iranian foreign minister in New York.",
])
def test_denied_summoned_and_organisation_meetings_are_not_contacts(text):
    assert not _pairs(text)


def test_trigger_prefilter():
    g = gazetteer()
    assert g.has_trigger(normalise("وأجرى اتصالا هاتفيا"))        # clitic و + prefix form
    assert g.has_trigger(normalise("The two ministers met today"))
    assert not g.has_trigger(normalise("The central bank raised interest rates again"))
    assert not g.has_trigger(normalise("وزارة الخارجية"))           # not "زار" inside a word
    assert extract_contacts({"id": "n", "text": "Oman and Iran: central bank raised rates. " * 200}) == []


@pytest.mark.parametrize("text", [
    "Oman hosted talks between Iran and the United States in Muscat on Saturday.",
    "استضافت سلطنة عمان محادثات بين إيران والولايات المتحدة في مسقط.",
])
def test_hosting_talks_between_others_is_a_third_party_meeting(text):
    got = _pairs(text)
    assert set(got) == {("IRN", "USA")} and got[("IRN", "USA")].mode == "third-party"


def test_hosting_talks_about_a_country_is_no_contact_with_it():
    assert not _pairs("Kazakhstan has hosted multiple rounds of talks on Syria since 2017.")
    assert not _pairs("The ministers discussed the war between Israel and Hamas.")


def test_persian_compound_title_written_with_zwnj_and_arrival_destination():
    got = _pairs("رئیس‌جمهور ونزوئلا با استقبال رسمی وارد تهران شد.")
    assert ("country", "IRN") in _kinds("تهران")   # the capital is in country_aliases.tsv
    c = got[("IRN", "VEN")]
    assert (c.mode, c.host) == ("visit", "IRN")


def test_persian_pronoun_subject_with_verb_last():
    text = "وزیر خارجه ایران روز جمعه وارد مونیخ شد.\nوی همچنین با وزیر خارجه ژاپن دیدار کرد."
    assert ("IRN", "JPN") in _pairs(text)


@pytest.mark.parametrize("lang, title, text", [
    ("en", "Address by the President of Iran",
     "Today was a long day. Discussed with Prime Minister of Japan the situation in the region."),
    ("ar", "كلمة الرئيس الإيراني",
     "كان اليوم طويلا. بحثت مع رئيس الوزراء الياباني الأوضاع في المنطقة."),
    ("fa", "پیام رئیس جمهور ایران",
     "امروز روز طولانی بود. با نخست وزیر ژاپن درباره اوضاع منطقه گفتگو کردم."),
])
def test_the_headline_names_the_speaker_of_talks_with_a_titled_partner(lang, title, text):
    """A speaker named only in the headline ("Address by the President of ...") is the subject
    of "Discussed with Prime Minister ..." in the body: talks count with a titled partner."""
    assert set(_pairs(text, title=title, lang=lang)) == {("IRN", "JPN")}


def test_talks_about_a_country_without_a_titled_partner_take_no_subject():
    text = "Address by the President of Iran. Today we discussed with journalists the situation in Japan."
    assert not _pairs(text, lang="en")


# ---- event dates from the neighbourhood ------------------------------------------------------

def test_paragraph_without_a_date_takes_it_from_the_previous_paragraph():
    # dev ar-snn-2015-08-06-2307: the lead says "اليوم الأربعاء", the contact paragraph no day
    text = ("نقل التلفزيون السوري عن وزير الخارجية وليد المعلم قوله اليوم الأربعاء إن سوريا تدعم "
            "أي جهود للتصدي لتنظيم داعش.\n"
            "وكان المعلم يتحدث خلال زيارة إلى طهران للاجتماع مع نظيره الإيراني.\n")
    c = _pairs(text, published_at="2015-08-06")[("IRN", "SYR")]
    assert c.date == "2015-08-05" and c.date_precision == "day"


def test_no_date_in_the_neighbourhood_stays_none():
    text = ("Oman's foreign minister spoke about the region.\n\n"
            "He held a phone call with the Foreign Minister of Iran.\n\n"
            "The two sides discussed regional issues.")
    c = _pairs(text)[("IRN", "OMN")]
    assert c.date is None and c.date_precision == "none"


def test_two_dates_in_a_sentence_the_one_by_the_verb_wins():
    text = ("After talks in Muscat on Monday, the Foreign Minister of Oman held a phone call "
            "with the Foreign Minister of Iran on Wednesday.")
    c = _pairs(text, published_at="2024-03-08")[("IRN", "OMN")]  # a Friday
    assert c.date == "2024-03-06"
