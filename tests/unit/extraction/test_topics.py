"""The topics beyond gaza (streams/knowledge/topics.tsv): for each, in English, Arabic and Persian,
a contact whose report names the conflict gets the topic, and a near miss (the country named, the
subject close) does not. Through the real extractor."""
from __future__ import annotations

import pytest

from streams.extraction import extract_contacts
from streams.knowledge import loader

TEMPLATES = {
    "en": "The Foreign Minister of Oman held a phone call with the Foreign Minister of Egypt on Sunday and discussed {}.",
    "ar": "أجرى وزير الخارجية العماني اتصالا هاتفيا مع وزير الخارجية المصري يوم الأحد وبحثا {}.",
    "fa": "وزیر امور خارجه عمان روز یکشنبه در تماس تلفنی با وزیر امور خارجه مصر درباره {} گفتگو کرد.",
}

# topic -> lang -> (a phrase that has the topic, a near miss that has not)
CASES = {
    "ukraine": {
        "en": ("the war in Ukraine and the Black Sea grain deal", "trade with Ukraine and wheat prices"),
        "ar": ("تطورات الأزمة الأوكرانية", "التبادل التجاري مع أوكرانيا"),
        "fa": ("آخرین تحولات جنگ اوکراین", "تجارت با اوکراین"),
    },
    "iran-nuclear": {
        "en": ("the JCPOA and Iran's nuclear programme", "peaceful nuclear energy for power plants in Egypt"),
        "ar": ("الملف النووي الإيراني", "التعاون في مجال الطاقة النووية السلمية"),
        "fa": ("برجام و مذاکرات هسته‌ای", "ساخت نیروگاه برق در مصر"),
    },
    "sudan": {
        "en": ("the war in Sudan and the siege of El Fasher", "investment in Sudan's agriculture"),
        "ar": ("الحرب في السودان وهجمات قوات الدعم السريع", "الاستثمار الزراعي في السودان"),
        "fa": ("جنگ سودان و وضعیت دارفور", "سرمایه گذاری در سودان"),
    },
    "yemen-red-sea": {
        "en": ("Houthi attacks on shipping near Bab el-Mandeb", "fisheries in the Gulf of Oman"),
        "ar": ("هجمات الحوثيين قرب باب المندب", "الصيد في بحر عمان"),
        "fa": ("حملات حوثی‌ها در باب‌المندب", "ماهیگیری در دریای عمان"),
    },
    "syria": {
        "en": ("the Syrian crisis and the return of Syrian refugees", "flights to Damascus airport"),
        "ar": ("الأزمة السورية وعودة اللاجئين السوريين", "الرحلات الجوية إلى مطار دمشق"),
        "fa": ("بحران سوریه و روند آستانه", "پروازها به فرودگاه دمشق"),
    },
}


def _topics(lang: str, phrase: str, published_at: str = "2024-02-01") -> list[str]:
    text = TEMPLATES[lang].format(phrase)
    contacts = extract_contacts({"id": "t", "lang": lang, "published_at": published_at, "text": text})
    found = [c for c in contacts if c.countries == ["EGY", "OMN"]]
    assert len(found) == 1, (text, [(c.countries, c.mode) for c in contacts])
    return found[0].topics


def test_every_topic_has_keywords_in_the_three_languages():
    langs: dict[str, set[str]] = {}
    for w in loader.load_topics():
        langs.setdefault(w.topic, set()).add(w.lang)
    for topic in ("gaza", *CASES):
        assert langs.get(topic) == {"en", "ar", "fa"}, topic


@pytest.mark.parametrize("topic, lang", [(t, lang) for t in CASES for lang in ("en", "ar", "fa")])
def test_a_report_naming_the_conflict_has_the_topic(topic, lang):
    assert topic in _topics(lang, CASES[topic][lang][0])


@pytest.mark.parametrize("topic, lang", [(t, lang) for t in CASES for lang in ("en", "ar", "fa")])
def test_a_near_miss_has_no_topic(topic, lang):
    assert _topics(lang, CASES[topic][lang][1]) == []


@pytest.mark.parametrize("lang, phrase", [("en", "security in the Red Sea"), ("ar", "أمن البحر الأحمر"),
                                          ("fa", "امنیت دریای سرخ")])
def test_red_sea_counts_only_from_the_attacks_on_shipping(lang, phrase):
    """A weak keyword: from 19 November 2023 (topic_starts.tsv) it means the topic, before it not."""
    assert _topics(lang, phrase, "2024-01-10") == ["yemen-red-sea"]
    assert _topics(lang, phrase, "2022-05-01") == []
