
import pytest
from hypothesis import given, settings, strategies as st

from streams.extraction.boilerplate import Segment, body_text, segment

from tests.corpus import corpus_article, corpus_records


def _article(name, article_id):
    return corpus_article(name, article_id)["text"]


def _kinds(text):
    return [(s.kind, s.text) for s in segment(text)]


def _kind_of(segs, prefix):
    hits = [s.kind for s in segs if s.text.startswith(prefix)]
    assert hits, f"no segment starts with {prefix!r}"
    return hits


def test_segments_point_into_the_text():
    text = _article("seeds.jsonl", "000_b7b45c8576843cdf")
    segs = segment(text)
    assert segs and all(isinstance(s, Segment) for s in segs)
    for s in segs:
        assert text[s.start:s.start + len(s.text)] == s.text
    assert [s.start for s in segs] == sorted(s.start for s in segs)


def test_seed_000_embedded_article_is_body_and_similar_articles_are_related():
    segs = segment(_article("seeds.jsonl", "000_b7b45c8576843cdf"))
    assert _kind_of(segs, "المصدر: لجريدة عمان") == ["boilerplate"]
    assert _kind_of(segs, "إقرأ أيضاً") == ["related"]  # the heading ends the first story
    # the second article pasted after "read also": title, dateline, paragraphs
    assert _kind_of(segs, "وزير الخارجية الأمريكي: الصحراء مغربية")[0] == "body"
    assert _kind_of(segs, "زنقة 20 | متابعة") == ["boilerplate"]
    assert _kind_of(segs, "روبيو و بوريطة كانا قد اجتمعا أول أمس الثلاثاء") == ["body"]
    # the list after "مقالات مشابهة" is related, including the repeated first headline
    assert _kind_of(segs, "مقالات مشابهة") == ["related"]
    bullets = [s for s in segs if s.text.startswith("•")]
    assert len(bullets) == 10 and all(s.kind == "related" for s in bullets)


def test_seed_002_teaser_list_is_related():
    segs = segment(_article("seeds.jsonl", "002_a5aac33fb0cc4554"))
    assert _kind_of(segs, "أجرى وزير الشؤون الخارجية") == ["body"]
    after = segs[[s.text for s in segs].index("اقرأ أيضا"):]
    assert after and all(s.kind == "related" for s in after)


def test_seed_004_embedded_article_after_app_prompt():
    segs = segment(_article("seeds.jsonl", "004_72a1dd8a2810edba"))
    assert _kind_of(segs, "تاريخ النشر") == ["boilerplate"]
    assert _kind_of(segs, "تابع أحدث الأخبار عبر تطبيق") == ["boilerplate"]
    assert _kind_of(segs, "وزير الدفاع الأمريكي يؤكد أهمية الشراكة") == ["body"]
    assert _kind_of(segs, "أكد وزير الدفاع الأمريكي بيت هيجسيث") == ["body"]


def test_seed_001_and_003_furniture():
    segs = segment(_article("seeds.jsonl", "001_1ab68d328f33aed7"))
    assert _kind_of(segs, "مقالات ذات صلة") == ["related"]
    for p in ("اترك تعليقاً", "لن يتم نشر عنوان بريدك", "زر الذهاب إلى الأعلى"):
        assert _kind_of(segs, p) == ["boilerplate"]
    # key-point bullets at the top are not after a marker: body
    assert _kind_of(segs, "• تبادل البوسعيدي") == ["body"]
    segs = segment(_article("seeds.jsonl", "003_2e114b39da09fc91"))
    assert _kind_of(segs, "۱۷ / مهر / ۱۴۰۲") == ["boilerplate"]
    assert _kind_of(segs, "کد خبر") == ["boilerplate"]
    assert _kind_of(segs, "ارسال نظرات") == ["boilerplate"]
    assert _kind_of(segs, "x") == ["boilerplate", "boilerplate"]
    assert "امیرعبداللهیان شب گذشته نیز" in body_text(_article("seeds.jsonl", "003_2e114b39da09fc91"))


def test_made_up_english_page():
    text = ("Biden spoke with the Emir of Qatar today about hostages held in Gaza and aid.\n"
            "Share this article\n"
            "Related\n"
            "Blinken lands in Doha\n"
            "Sullivan meets Saudi crown prince\n"
            "\\###\n"
            "We use cookies to improve your experience.\n")
    kinds = _kinds(text)
    assert kinds == [
        ("body", "Biden spoke with the Emir of Qatar today about hostages held in Gaza and aid."),
        ("boilerplate", "Share this article"),
        ("related", "Related"),
        ("related", "Blinken lands in Doha"),
        ("related", "Sullivan meets Saudi crown prince"),
        ("boilerplate", "\\###"),
        ("boilerplate", "We use cookies to improve your experience."),
    ]


def test_sentence_starting_with_a_marker_word_is_body():
    text = "Related to the talks, the two ministers met in Rome on Monday and discussed trade."
    assert _kinds(text) == [("body", text)]


def test_inline_read_also_then_article_continues():
    text = ("التقى وزير الخارجية المصري نظيره التركي في أنقرة اليوم الثلاثاء وبحثا العلاقات الثنائية.\n"
            "اقرأ أيضا: السيسي يستقبل رئيس وزراء اليونان\n"
            "وأكد الجانبان خلال اللقاء على أهمية تعزيز التعاون الاقتصادي والتجاري بين البلدين في المرحلة المقبلة.\n"
            "كما تناول اللقاء التطورات في قطاع غزة وضرورة وقف إطلاق النار وإدخال المساعدات الإنسانية.\n")
    kinds = [k for k, _ in _kinds(text)]
    assert kinds == ["body", "related", "body", "body"]


def test_single_teaser_cut_off_at_end_is_related():
    text = ("مقالات ذات صلة\n"
            "وزير الخارجية يستقبل نظيره الإيراني\n"
            "استقبل وزير الخارجية اليوم نظيره الإيراني في مقر الوزارة وبحث معه العلاقات الثنائية وسبل…\n")
    assert [k for k, _ in _kinds(text)] == ["related", "related", "related"]


def test_hashtags_cut_off_a_caption():
    text = "🔹تحریم‌ها را برنمی‌داریم. #سیاسی #ترامپ #روحانی"
    segs = segment(text)
    assert [(s.kind, s.text) for s in segs] == [
        ("body", "🔹تحریم‌ها را برنمی‌داریم."),
        ("boilerplate", "#سیاسی #ترامپ #روحانی"),
    ]
    assert segs[1].start == text.index("#")


def test_datelines_and_dates_alone():
    text = ("عين اليوم – جدة\n20 ديسمبر 2023\nیکشنبه 3 فروردین 1404\n"
            "تلقى ولي العهد اتصالاً هاتفياً اليوم من ملك المغرب.\n")
    assert [k for k, _ in _kinds(text)] == ["boilerplate", "boilerplate", "boilerplate", "body"]


def test_empty_and_body_text():
    assert segment("") == []
    assert body_text("") == ""
    assert body_text("Talks began.\nShare\nThey ended.") == "Talks began.\nThey ended."


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises(s):
    segs = segment(s)
    for seg in segs:
        assert s[seg.start:seg.start + len(seg.text)] == seg.text
        assert seg.kind in ("body", "related", "boilerplate")


@pytest.mark.timeout(10)
def test_pathological_lines_stay_linear():
    import time

    cases = [
        " ".join(["#a.."] * 2000) + " x.",            # hashtag runs that fail at the end
        "!" * 20000 + "share",                         # a huge run before a marker word
        ("غزة.. " * 3000) + "\n" + ("• " * 5000),      # headline devices and empty bullets
        "\n".join(["اقرأ أيضا"] * 500 + ["عنوان قصير"] * 500),
    ]
    for text in cases:
        t0 = time.process_time()
        segs = segment(text)
        assert time.process_time() - t0 < 1.0
        for s in segs:
            assert text[s.start:s.start + len(s.text)] == s.text


@pytest.mark.parametrize(
    "line, kind",
    [
        ("Reporting by John Smith; Editing by Jane Doe", "boilerplate"),
        ("Lloyd Austin in Tel Aviv. Photograph: Getty Images", "boilerplate"),
        ("Blinken in Doha. REUTERS/Evelyn Hockstein", "boilerplate"),
        ("Netanyahu and Austin meet (AFP)", "boilerplate"),
        ("عکس: ایرنا", "boilerplate"),
        ("خبرنگار: علی رضایی", "boilerplate"),
        ("صورة أرشيفية", "boilerplate"),
        ("المصدر: وكالات", "boilerplate"),
        ("انتهای پیام", "boilerplate"),
        ("Reuters reported that the ministers met in Cairo on Monday and discussed the talks.", "body"),
        ("The meeting was covered by Reuters", "body"),
        ("He told AP/Ipsos pollsters that the talks with Iran went well and would resume in Oman.", "body"),
        ("شارك وزير الخارجية في الاجتماع الوزاري العربي في القاهرة أمس.", "body"),
        ("مصدر دبلوماسي: الوزيران بحثا الملف النووي", "body"),
    ],
)
def test_furniture_lines(line, kind):
    assert [s.kind for s in segment(line)] == [kind]


def test_bucketed_markers_agree_with_one_plain_regex():
    # bucketing by first letter is an optimisation only: it must never change a decision
    import re
    from importlib import resources

    from streams.extraction.boilerplate import _MarkerSet, _markers
    from streams.extraction.sentences import paragraph_spans
    from streams.extraction.variants import variant_pattern

    tsv = resources.files("streams.knowledge").joinpath("boilerplate_markers.tsv").read_text("utf-8")
    rows = [line.split("\t", 2) for line in tsv.splitlines()
            if line.strip() and not line.startswith("#") and not line.startswith("lang\t")]
    rel, boil, _ = _markers()
    for kind, bucketed in (("related", rel), ("boilerplate", boil)):
        plain = re.compile(_MarkerSet.LEAD + "(?:" + "|".join(
            f"(?:{variant_pattern(p.strip())})" for _, k, p in rows if k == kind) + ")", re.I)
        texts = [a["text"] for name in ("seeds.jsonl", "dev.jsonl") for a in corpus_records(name)]
        texts.append("\n".join([
            "Share this article", "Related", "Read more:", "© 2024 Reuters", "(c) BBC", "\\###",
            "زر الذهاب إلى الأعلى", "الذهاب إلى الأعلى", "بیشتر بخوانید", "بخوانید", "حقوق النشر محفوظة",
            "جميع الحقوق محفوظة", "اقرأ أيضاً: عنوان", "Copyright 2023", "All rights reserved.", "©", "•• (c)"]))
        for text in texts:
            for a, b in paragraph_spans(text):
                assert bool(plain.match(text, a, b)) == bool(bucketed.match(text, a, b)), text[a:b]
