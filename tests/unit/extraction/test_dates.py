from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from streams.extraction.dates import (
    PubDate,
    find_date_expressions,
    page_dates,
    parse_published,
    reference_date,
    resolve_event_date,
    AHEAD,
)

from tests.corpus import corpus_article


_article = corpus_article


# --- published_at --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023-10-12", PubDate(date(2023, 10, 12), "day")),
        ("2023-10-09T21:19:00+03:30", PubDate(date(2023, 10, 9), "day")),   # local date kept
        ("2023-10-09T23:30:00-05:00", PubDate(date(2023, 10, 9), "day")),
        ("2024-01-16T08:00:00Z", PubDate(date(2024, 1, 16), "day")),
        ("2023-10", PubDate(date(2023, 10, 1), "month")),
        ("2019", PubDate(date(2019, 1, 1), "year")),
        ("20231009", PubDate(date(2023, 10, 9), "day")),
        ("Mon, 09 Oct 2023 21:19:00 +0330", PubDate(date(2023, 10, 9), "day")),
        ("۲۰۲۳-۱۰-۰۹", PubDate(date(2023, 10, 9), "day")),
        (None, None),
        ("", None),
        ("yesterday", None),
        ("2023-13-45", None),
    ],
)
def test_parse_published(value, expected):
    assert parse_published(value) == expected


# --- dates stated in the page ---------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("تاريخ النشر: 13th, October 2023 GMT", (date(2023, 10, 13), "day")),
        ("11 أكتوبر 2023", (date(2023, 10, 11), "day")),
        ("١١ تشرين الأول ٢٠٢٣", (date(2023, 10, 11), "day")),
        ("في 5 كانون الثاني 2024", (date(2024, 1, 5), "day")),
        ("October 11, 2023", (date(2023, 10, 11), "day")),
        ("— Secretary Marco Rubio (@SecRubio) April 9, 2025", (date(2025, 4, 9), "day")),
        ("Dec. 19, 2019", (date(2019, 12, 19), "day")),
        ("۱۷ / مهر / ۱۴۰۲ ۲۱:۱۹", (date(2023, 10, 9), "day")),       # Solar Hijri
        ("یکشنبه 3 فروردین 1404", (date(2025, 3, 23), "day")),
        ("۲۶ مهر ۱۴۰۴، ۲۰:۵۷", (date(2025, 10, 18), "day")),
        ("1402/07/17", (date(2023, 10, 9), "day")),
        ("2023-10-09", (date(2023, 10, 9), "day")),
        ("27 ربيع الأول 1445هـ", (date(2023, 10, 12), "day")),      # Islamic Hijri
        ("۱۰ اکتبر ۲۰۲۳", (date(2023, 10, 10), "day")),              # Persian Gregorian month
        ("در 21ژوئيه 2003 در بروكسل", (date(2003, 7, 21), "day")),   # digits glued to the month
        ("على حدود الرابع من يونيو 1967", (date(1967, 6, 4), "day")),
        ("في يونيو 1967", (date(1967, 6, 1), "month")),
    ],
)
def test_page_dates(text, expected):
    got = page_dates(text)
    assert got and got[0][:2] == expected
    off = got[0][2]
    assert 0 <= off < len(text)


def test_page_dates_ignores_numbers_that_are_not_dates():
    assert page_dates("price 5.70 dlrs, 1,000 tonnes at 21:19, 12345 people") == []
    assert page_dates("8 مي") == []  # "می" is also a verb prefix: a year is required
    assert page_dates("يوم 7 أكتوبر") == []  # no year: not a complete page date


def test_page_dates_offsets_in_order():
    text = "نشر في 11 أكتوبر 2023 ثم في ۱۷ مهر ۱۴۰۲ وأخيرا October 13, 2023."
    got = page_dates(text)
    assert [d for d, _, _ in got] == [date(2023, 10, 11), date(2023, 10, 9), date(2023, 10, 13)]
    assert [o for _, _, o in got] == sorted(o for _, _, o in got)
    assert text[got[1][2]:].startswith("۱۷")


# --- reference date -------------------------------------------------------------------------

def test_reference_date_prefers_published_day():
    assert reference_date("2023-10-12", "20 ديسمبر 2023\nنص") == (date(2023, 10, 12), "day")


def test_reference_date_from_dateline_when_published_is_month_only():
    text = "یکشنبه 3 فروردین 1404\nگفتگوی تلفنی وزرای امور خارجه"
    assert reference_date("2025-03", text) == (date(2025, 3, 23), "day")
    # a dateline outside published_at's month is not trusted
    assert reference_date("2025-05", text) == (date(2025, 5, 1), "month")
    assert reference_date("2025-03", "no date here") == (date(2025, 3, 1), "month")
    assert reference_date(None, "") == (None, "none")


def test_reference_date_ignores_dates_inside_sentences():
    text = "Some 456 new wagons were added since the beginning of the year (March 21, 2019) to the fleet."
    assert reference_date(None, text) == (None, "none")


def test_reference_date_near_an_offset_for_embedded_articles():
    art = _article("seeds.jsonl", "000_b7b45c8576843cdf")
    text = art["text"]
    at = text.index("روبيو و بوريطة كانا قد اجتمعا")
    assert reference_date(art["published_at"], text) == (None, "none")
    assert reference_date(art["published_at"], text, at=at) == (date(2025, 4, 9), "day")


# --- event dates ----------------------------------------------------------------------------

THU = date(2023, 10, 12)  # a Thursday
MON = date(2023, 10, 9)   # a Monday


@pytest.mark.parametrize(
    "sentence, ref, expected",
    [
        # relative days
        ("التقى الرئيس الأمريكي في واشنطن اليوم بنظيره النيجيري", THU, "2023-10-12"),
        ("Biden spoke today with Crown Prince Mohammed bin Salman", THU, "2023-10-12"),
        ("This morning, I spoke with Prime Minister Netanyahu", THU, "2023-10-12"),
        ("ظهر امروز سفیر ژاپن از منطقه آزاد بازدید کرد", THU, "2023-10-12"),
        ("Figueroa met yesterday with the president of the bank of Mexico", THU, "2023-10-11"),
        ("علاوي در ديدار ديروز خود با بشار اسد", THU, "2023-10-11"),
        ("امیرعبداللهیان شب گذشته نیز در گفتوگوی تلفنی با فؤاد حسین", MON, "2023-10-08"),
        ("محمود عباس و اسماعيل هنيه ديشب در دفتر نخست‌وزيري", THU, "2023-10-11"),
        ("اجتمع كيري مع نظيره الروسي سيرغي لافروف أمس", THU, "2023-10-11"),
        ("وكان جون كيري غادر مساء أول من أمس الجمعة واشنطن", date(2015, 8, 2), "2015-07-31"),
        ("the day before yesterday they met", THU, "2023-10-10"),
        ("پریروز دیدار کردند", THU, "2023-10-10"),
        # "N days ago" in words
        ("The two ministers met in Cairo three days ago", THU, "2023-10-09"),
        ("التقى الوزيران قبل يومين في عمان", THU, "2023-10-10"),
        ("وزیر خارجه چهار روز پیش با همتای خود دیدار کرد", THU, "2023-10-08"),
        # weekdays: latest such day on or before the reference date
        ("Trump received a call on Saturday from President el-Sisi", date(2025, 2, 1), "2025-02-01"),
        ("فیدان روز شنبه با باقری کنی تلفنی گفتگو کرد", date(2024, 6, 2), "2024-06-01"),
        ("Hatami met on Monday with his Turkish counterpart", THU, "2023-10-09"),
        ("Peru froze new sales on tuesday", THU, "2023-10-10"),
        ("مرکل روز چهارشنبه گذشته به پاریس رفت", date(2009, 10, 31), "2009-10-28"),
        ("They met last Thursday", THU, "2023-10-05"),
        # relative + weekday: the weekday decides, near reference+offset
        ("أمس السبت", date(2025, 11, 2), "2025-11-01"),
        ("قال المعلم اليوم الأربعاء", date(2015, 8, 6), "2015-08-05"),
        ("روبيو و بوريطة كانا قد اجتمعا أول أمس الثلاثاء", date(2025, 4, 9), "2025-04-08"),
        ("روبيو و بوريطة كانا قد اجتمعا أول أمس الثلاثاء", date(2025, 4, 10), "2025-04-08"),
        ("عصر دیروز یکشنبه تلفنی گفتگو کردند", date(2023, 12, 25), "2023-12-24"),
        # a while ago: the day of the report
        ("ترامپ و نتانیاهو دقایقی پیش به صورت تلفنی گفتگو کردند", date(2026, 6, 15), "2026-06-15"),
        ("أجرى ترامب اتصالا هاتفيا مع نتنياهو قبل قليل", date(2026, 6, 15), "2026-06-15"),
        ("Trump spoke by phone with Netanyahu minutes ago", date(2026, 6, 15), "2026-06-15"),
        ("ووفق ما ذكرت وكالة الأنباء العُمانية، اليوم السبت، جاء ذلك", date(2025, 1, 11), "2025-01-11"),
        # day and month without a year
        ("أجرى بوريطة، أمس الأربعاء 11 أكتوبر الجاري، مباحثات هاتفية", THU, "2023-10-11"),
        ("وی امشب (دوشنبه) ۱۷ مهر ماه با بدر البوسعیدی تلفنی گفتوگو کرد", MON, "2023-10-09"),
        ("Araghchi met PM Abe in Tokyo on December 3", date(2019, 12, 10), "2019-12-03"),
        ("بعد سقوط نظام بشار الأسد في 8 ديسمبر الماضي", date(2025, 1, 11), "2024-12-08"),
        # Wednesday 11 October with a wrong weekday: the explicit date wins
        ("الخميس 11 أكتوبر", THU, "2023-10-11"),
        # explicit full dates in any calendar
        ("On October 12, Sullivan and Guterres discussed", date(2023, 10, 13), "2023-10-12"),
        ("في 27 ربيع الأول 1445هـ", THU, "2023-10-12"),
        ("روز ۱۷ مهر ۱۴۰۲", None, "2023-10-09"),
    ],
)
def test_resolve_day(sentence, ref, expected):
    assert resolve_event_date(sentence, ref, "day") == (expected, "day")


def test_year_boundary():
    # "31 December" read on 2 January is last year's
    assert resolve_event_date("met on 31 December", date(2024, 1, 2), "day") == ("2023-12-31", "day")
    assert resolve_event_date("التقيا في 31 ديسمبر", date(2024, 1, 2), "day") == ("2023-12-31", "day")
    # a day after the reference date is tolerated (time zones); two are ahead: not yet happened
    assert resolve_event_date("on January 3", date(2024, 1, 2), "day") == ("2024-01-03", "day")
    assert resolve_event_date("on January 4", date(2024, 1, 2), "day") == (None, AHEAD)
    # ... up to 45 days ahead; a day and month further on is last year's
    assert resolve_event_date("on February 16", date(2024, 1, 2), "day") == (None, AHEAD)
    assert resolve_event_date("on March 1", date(2024, 1, 2), "day") == ("2023-03-01", "day")
    # weekday across the year end
    assert resolve_event_date("on Sunday", date(2024, 1, 2), "day") == ("2023-12-31", "day")


def test_a_full_date_after_the_report_is_ahead():
    assert resolve_event_date("from May 6 to 8, 2025", date(2025, 5, 3), "day") == (None, AHEAD)
    assert resolve_event_date("في 6 مايو 2025", date(2025, 5, 3), "day") == (None, AHEAD)
    assert resolve_event_date("۶ مه ۲۰۲۵", date(2025, 5, 3), "day") == (None, AHEAD)
    assert resolve_event_date("on May 4, 2025", date(2025, 5, 3), "day") == ("2025-05-04", "day")
    # a reference of month precision: nothing is ahead within it
    assert resolve_event_date("on May 20, 2025", date(2025, 5, 1), "month") == ("2025-05-20", "day")


def test_solar_hijri_new_year():
    # 1 Farvardin 1403 = 20 March 2024; 29 Esfand read on 21 March 2024 is from 1402
    assert resolve_event_date("۲۹ اسفند ماه", date(2024, 3, 21), "day") == ("2024-03-19", "day")
    # 2 Farvardin read on 22 March 2024 is this year's
    assert resolve_event_date("۲ فروردین ماه", date(2024, 3, 22), "day") == ("2024-03-21", "day")
    # and 5 Farvardin read on 22 March 2024 is this year's, three days ahead: not yet happened
    assert resolve_event_date("۵ فروردین ماه", date(2024, 3, 22), "day") == (None, AHEAD)
    # ... while 25 Ordibehesht (May), two months ahead, is last year's
    assert resolve_event_date("۲۵ اردیبهشت ماه", date(2024, 3, 22), "day") == ("2023-05-15", "day")


def test_month_precision_reference():
    ref = date(2023, 10, 1)
    assert resolve_event_date("اتصال هاتفي اليوم الثلاثاء", ref, "month") == ("2023-10-01", "month")
    assert resolve_event_date("11 أكتوبر الجاري", ref, "month") == ("2023-10-11", "day")
    assert resolve_event_date("وفي يونيو (حزيران) الماضي طلب البنتاغون", date(2015, 8, 6), "day") \
        == ("2015-06-01", "month")
    assert resolve_event_date("today", date(2023, 1, 1), "year") == (None, "none")


def test_no_expression_and_no_reference():
    assert resolve_event_date("Sullivan met the Qatari prime minister.", THU, "day") == (None, "none")
    assert resolve_event_date("اليوم", None, "none") == (None, "none")
    assert resolve_event_date("في اليوم الـ53 من بدء وقف إطلاق النار", THU, "day") == (None, "none")
    assert resolve_event_date("", THU, "day") == (None, "none")


def test_context_supplies_the_day():
    ctx = ("بحث وزير خارجية العُماني بدر البوسعيدي مع نظيره الأمريكي أنتوني بلينكن الجهود. "
           "ووفق ما ذكرت وكالة الأنباء العُمانية، اليوم السبت، جاء ذلك خلال اتصال هاتفي.")
    sent = "بحث وزير خارجية العُماني بدر البوسعيدي مع نظيره الأمريكي أنتوني بلينكن الجهود."
    assert resolve_event_date(sent, date(2025, 1, 11), "day", "ar", ctx) == ("2025-01-11", "day")


def test_relative_never_beyond_tomorrow():
    d, p = resolve_event_date("will meet tomorrow", THU, "day")
    assert (d, p) == ("2023-10-13", "day")
    for s in ("on Friday", "اليوم", "امشب", "next Monday"):
        d, _ = resolve_event_date(s, THU, "day")
        assert d is None or date.fromisoformat(d) <= date(2023, 10, 13)


def test_expressions_group_adjacent_words():
    es = find_date_expressions("أجرى، أمس الأربعاء 11 أكتوبر الجاري، مباحثات")
    assert len(es) == 1
    e = es[0]
    assert (e.offset, e.weekday, e.day, e.month, e.modifier) == (-1, 2, 11, 10, "current")


def test_seed_003_dates_end_to_end():
    art = _article("seeds.jsonl", "003_2e114b39da09fc91")
    ref, prec = reference_date(art["published_at"], art["text"])
    assert (ref, prec) == (date(2023, 10, 9), "day")
    sent = "وی امشب (دوشنبه) ۱۷ مهر ماه با بدر البوسعیدی همتای عمانی تلفنی گفتوگو کرد."
    assert resolve_event_date(sent, ref, prec) == ("2023-10-09", "day")


# --- robustness -----------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(), st.one_of(st.none(), st.dates()), st.sampled_from(["day", "month", "year", "none"]))
def test_never_raises(s, ref, prec):
    page_dates(s)
    parse_published(s)
    reference_date(s, s)
    d, p = resolve_event_date(s, ref, prec, None, s)
    assert p in ("day", "month", "none")
    assert (d is None) == (p == "none")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    ["12", "۱۷", "2023", "۱۴۰۲", "أكتوبر", "مهر", "ربيع الأول", "October", "أمس", "الأربعاء",
     "Monday", "الماضي", "گذشته", "ماه", "/", "،", " ", "yesterday", "1445هـ", "2023-10-09"]),
    max_size=8), st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 1, 1)))
def test_date_soup_never_raises_and_relative_stays_near(words, ref):
    s = " ".join(words)
    page_dates(s)
    d, p = resolve_event_date(s, ref, "day")
    assert p in ("day", "month", "none", AHEAD)


def test_ordinal_days():
    assert page_dates("از هفتم اکتبر ۲۰۲۳ تاکنون")[0][:2] == (date(2023, 10, 7), "day")
    assert page_dates("على حدود الرابع من يونيو 1967")[0][:2] == (date(1967, 6, 4), "day")
    assert page_dates("بیست و یکم مهر ۱۴۰۲")[0][:2] == (date(2023, 10, 13), "day")
    assert resolve_event_date("او نهم شهریور ماه به بیروت سفر کرد", date(2023, 10, 13), "day") \
        == ("2023-08-31", "day")


def test_span_bounds_are_not_event_days():
    ref = date(2024, 6, 2)
    assert resolve_event_date("رژیم صهیونیستی از هفتم اکتبر ۲۰۲۳ تاکنون به غزه حمله کرده", ref, "day") \
        == (None, "none")
    assert resolve_event_date("منذ 7 أكتوبر الماضي", ref, "day") == (None, "none")
    assert resolve_event_date("talks frozen since October 7, 2023", ref, "day") == (None, "none")
    # a bound first, then the event's own day
    assert resolve_event_date("since October 7 the two met twice, last on Saturday", ref, "day") \
        == ("2024-06-01", "day")


def test_today_as_part_of_a_name_is_not_today():
    assert resolve_event_date("بمناسبة اليوم العالمي للمرأة", THU, "day") == (None, "none")
    assert resolve_event_date("استقبل الرئيس اليوم السفير", THU, "day") == ("2023-10-12", "day")


@pytest.mark.timeout(10)
def test_pathological_inputs_stay_fast():
    import time

    cases = [
        "a2023" * 3000 + " 2023" * 3000,
        "أمس " * 5000,
        " ".join(["12", "أكتوبر", "2023", "الماضي"] * 2000),
        "1" * 50000,
        "۱۷ / مهر / " * 4000,
    ]
    for text in cases:
        t0 = time.process_time()
        page_dates(text)
        resolve_event_date(text, THU, "day", None, text)
        assert time.process_time() - t0 < 2.0


def test_current_month_and_ambiguous_month_words():
    ref = date(2011, 5, 4)
    # "of the current month" keeps the reference year even when the day is still ahead
    assert resolve_event_date("اين نشست 13 يا 15 ماه مي جاري برگزار مي شود", ref, "day") \
        == ("2011-05-15", "day")
    assert resolve_event_date("من 4 إلى 6 أغسطس الحالي", date(2015, 8, 2), "day") == ("2015-08-06", "day")
    # می / مه without a year, "ماه" or a modifier are not months
    assert resolve_event_date("ایران سالانه 7 می لیون تن صادر می‌کند", ref, "day") == (None, "none")
    assert resolve_event_date("در پنج‌شنبه (5 مي)", ref, "day") == ("2011-04-28", "day")


def test_dushanbe_is_a_city():
    ref = date(2014, 3, 28)
    assert resolve_event_date("به گزارش خبرنگار خبرگزاری فارس در دوشنبه، تلویزیون", ref, "day") \
        == (None, "none")
    assert resolve_event_date("نشست سران در شهر دوشنبه برگزار می‌شود", ref, "day") == (None, "none")
    assert resolve_event_date("روحانی روز دوشنبه با رحمان دیدار کرد", ref, "day") == ("2014-03-24", "day")


def test_reference_date_skips_span_bounds_and_dates_outside_published_month():
    text = "رژیم صهیونیستی از هفتم اکتبر ۲۰۲۳ تاکنون به غزه حمله کرده است. " + "x " * 50 + "دیروز گفتگو کردند"
    at = text.index("دیروز")
    assert reference_date("2023-11", text, at=at) == (date(2023, 11, 1), "month")
    text2 = "در ۱۰ آبان ۱۴۰۲ گفت. " + "x " * 50 + "دیروز گفتگو کردند"
    assert reference_date("2023-11", text2, at=text2.index("دیروز")) == (date(2023, 11, 1), "day")
    assert reference_date("2024-02", text2, at=text2.index("دیروز")) == (date(2024, 2, 1), "month")


def test_near_picks_the_expression_closest_to_the_verb():
    s = "أعلنت الخارجية الروسية أمس السبت في بيان عن نتائج الجولة أن لافروف التقى اليوم نظيره القطري"
    ref = date(2015, 8, 2)
    assert resolve_event_date(s, ref, "day") == ("2015-08-01", "day")
    assert resolve_event_date(s, ref, "day", near=s.index("التقى")) == ("2015-08-02", "day")


def test_future_markers_give_no_event_date():
    for s in ("يلتقي الوزيران يوم الخميس المقبل", "they will meet next Monday",
              "نشست ۱۱ مي آتي در بغداد", "دوشنبه آینده سفر می‌کند", "في 20 أكتوبر القادم"):
        assert resolve_event_date(s, THU, "day") == (None, "none"), s


@pytest.mark.parametrize("paragraph, sentence", [
    # a sentence without a date borrows a day from its paragraph, not the month of another event
    ("Trade chiefs of South Korea and China met Tuesday. The talks were held in Beijing. "
     "The first phase of the FTA took effect in December 2015.", "The talks were held in Beijing."),
    ("التقى وزيرا التجارة الثلاثاء. وعقدت المحادثات في بكين. ودخلت المرحلة الأولى حيز التنفيذ في ديسمبر 2015.",
     "وعقدت المحادثات في بكين."),
    ("وزیران بازرگانی روز سه‌شنبه دیدار کردند. این گفتگو در پکن برگزار شد. این توافق در دسامبر 2015 اجرا شد.",
     "این گفتگو در پکن برگزار شد."),
])
def test_a_sentence_without_a_date_borrows_a_day_not_a_month(paragraph, sentence):
    assert resolve_event_date(sentence, date(2025, 12, 31), "day", context=paragraph) == ("2025-12-30", "day")


@pytest.mark.parametrize("sentence, expected", [
    # an English possessive of a date word is the day itself
    ("During yesterday's visit to Kyiv by the leaders", "2022-06-16"),
    ("Monday\u2019s talks in Cairo", "2022-06-13"),
])
def test_a_possessive_date_word(sentence, expected):
    assert resolve_event_date(sentence, date(2022, 6, 17), "day") == (expected, "day")
    assert resolve_event_date("the president's visit", date(2022, 6, 17), "day") == (None, "none")


@pytest.mark.parametrize("sentence, expected", [
    # the Levantine and Egyptian month names side by side, as Arabic wires write them
    ("التقيا في 3 آذار/مارس", ("2018-03-03", "day")),
    ("التقيا الثلاثاء 3 آذار/مارس", ("2018-03-03", "day")),
    ("في قمة في 12 حزيران/يونيو في سنغافورة", (None, AHEAD)),
])
def test_paired_month_names(sentence, expected):
    assert resolve_event_date(sentence, date(2018, 5, 2), "day") == expected
