"""The knowledge base: files parse, facts are consistent, the holders the corpus needs resolve."""
from __future__ import annotations

import collections
import datetime as dt

import pytest

from streams.knowledge import loader as kb

from tests.corpus import corpus_records

# (country, role) pairs where two people genuinely hold the office at once. Empty today:
# keep it explicit so a new overlap is a decision, not an accident.
SHARED_OFFICES: set[tuple[str, str]] = set()


def _norm(form: str) -> str:
    """Coarse normalisation (alef/yeh/kaf/teh marbuta, ZWNJ, case) for collision checks."""
    s = form.lower().replace("\u200c", " ")
    for a, b in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ى", "ي"), ("ی", "ي"), ("ك", "ک"), ("ة", "ه")):
        s = s.replace(a, b)
    return " ".join(s.split())


# ------------------------------------------------------------------ parsing


def test_files_parse_and_are_not_trivial():
    assert len(kb.load_office_holders()) > 500
    assert len(kb.load_country_aliases()) > 800
    assert len(kb.load_outlets()) > 100


def test_loaders_are_cached():
    assert kb.load_office_holders() is kb.load_office_holders()
    assert kb.load_country_aliases() is kb.load_country_aliases()


HEADER = "country\trole\tname_en\tname_ar\tname_fa\taliases\tstart\tend\tsource\n"


@pytest.mark.parametrize(
    "row, message",
    [
        ("XXX\tforeign_minister\tA\t\t\t\t2020-01-01\t\ts\n", "f.tsv:3: not an ISO 3166-1 alpha-3 code: 'XXX'"),
        ("usa\tforeign_minister\tA\t\t\t\t2020-01-01\t\ts\n", "f.tsv:3: not an ISO 3166-1 alpha-3 code"),
        ("USA\tminister_of_fun\tA\t\t\t\t2020-01-01\t\ts\n", "f.tsv:3: unknown role 'minister_of_fun'"),
        ("USA\tforeign_minister\tA\t\t\t\t2020-13-01\t\ts\n", "f.tsv:3: start must be YYYY-MM-DD"),
        ("USA\tforeign_minister\tA\t\t\t\t2020-1-1\t\ts\n", "f.tsv:3: start must be YYYY-MM-DD"),
        ("USA\tforeign_minister\tA\t\t\t\t2020-01-01\t2019-01-01\ts\n", "f.tsv:3: end 2019-01-01 is not after"),
        ("USA\tforeign_minister\tA\t\t\t\t2020-01-01\t\t\n", "f.tsv:3: no source"),
        ("USA\tforeign_minister\t\t\t\t\t2020-01-01\t\ts\n", "f.tsv:3: a holder needs at least one name"),
        ("USA\tforeign_minister\tA\t\t\t\t2020-01-01\t\ts\textra\n", "f.tsv:3: 10 fields"),
    ],
)
def test_bad_holder_rows_name_file_and_line(row, message):
    with pytest.raises(kb.KnowledgeError) as err:
        kb.parse_office_holders("# comment\n" + HEADER + row, "f.tsv")
    assert message in str(err.value)


def test_bad_header_is_an_error():
    with pytest.raises(kb.KnowledgeError, match="f.tsv:1: header"):
        kb.parse_office_holders("country\trole\n", "f.tsv")


def test_block_source_and_missing_trailing_fields():
    text = HEADER + "#@source: Wikipedia: X\nUSA\tforeign_minister\tA\t\t\tA1|A2| A1 \t2020-01-01\n"
    (h,) = kb.parse_office_holders(text, "f.tsv")
    assert h.source == "Wikipedia: X"
    assert h.end is None
    assert h.aliases == ("A1", "A2")
    assert h.line == 3


def test_bad_alias_and_outlet_rows():
    head = "country\tlang\tkind\tform\tsource\n"
    with pytest.raises(kb.KnowledgeError, match="a.tsv:2: lang"):
        kb.parse_country_aliases(head + "USA\tde\tname\tAmerika\ts\n", "a.tsv")
    with pytest.raises(kb.KnowledgeError, match="a.tsv:2: kind"):
        kb.parse_country_aliases(head + "USA\ten\tnickname\tYanks\ts\n", "a.tsv")
    ohead = "outlet\tcountry\tlang\tagency_names\tscope\tsource\n"
    with pytest.raises(kb.KnowledgeError, match="o.tsv:2: outlet must be"):
        kb.parse_outlets(ohead + "Reuters.com\t\ten\t\t\ts\n", "o.tsv")
    with pytest.raises(kb.KnowledgeError, match="o.tsv:3: outlet 'x.com' already on line 2"):
        kb.parse_outlets(ohead + "x.com\t\ten\t\t\ts\nx.com\t\ten\t\t\ts\n", "o.tsv")
    with pytest.raises(kb.KnowledgeError, match="o.tsv:2: scope must be one of"):
        kb.parse_outlets(ohead + "x.com\tOMN\tar\t\tstate\ts\n", "o.tsv")
    with pytest.raises(kb.KnowledgeError, match="o.tsv:2: a national outlet needs its country"):
        kb.parse_outlets(ohead + "x.com\t\tar\t\tnational\ts\n", "o.tsv")
    got = kb.parse_outlets(ohead + "x.com\tOMN\tar\t\tnational\ts\ny.com\tOMN\tar\t\t\ts\n", "o.tsv")
    assert [o.national for o in got] == [True, False]


def test_country_code_validation():
    assert kb.is_valid_country("PSE")
    assert kb.is_valid_country("SUN")  # historic: the Soviet Union (1987 Reuters story)
    assert not kb.is_valid_country("PAL")
    assert not kb.is_valid_country("us")
    assert kb.alpha2_to_alpha3("om") == "OMN"
    assert kb.alpha3_to_alpha2("PSE") == "PS"


# ------------------------------------------------------------------ consistency of the data


def test_one_holder_per_office_at_a_time():
    by_office = collections.defaultdict(list)
    for h in kb.load_office_holders():
        by_office[(h.country, h.role)].append(h)
    overlaps = []
    for office, holders in by_office.items():
        if office in SHARED_OFFICES or office[1] in kb.MULTI_HOLDER_ROLES:
            continue
        holders.sort(key=lambda h: h.start)
        for a, b in zip(holders, holders[1:]):
            if a.end is None or b.start < a.end:
                overlaps.append(f"{office}: {a.name_en} (line {a.line}) / {b.name_en} (line {b.line})")
    assert not overlaps, "\n".join(overlaps)


def test_no_duplicate_rows():
    holders = collections.Counter(
        (h.country, h.role, h.name_en, h.name_ar, h.name_fa, h.start) for h in kb.load_office_holders()
    )
    assert [k for k, n in holders.items() if n > 1] == []
    aliases = collections.Counter((a.country, a.lang, a.kind, a.form) for a in kb.load_country_aliases())
    assert [k for k, n in aliases.items() if n > 1] == []


def test_dates_are_plausible():
    today = dt.date(2026, 12, 31)
    for h in kb.load_office_holders():
        assert dt.date(1950, 1, 1) <= h.start <= today, h
        assert h.end is None or h.end <= today, h


def _keys(form: str) -> set[str]:
    """The normalised form, and without a leading article: the extractor matches Arabic forms
    written with ال also without it, so "السودانی" (Sudani) must not become "سوداني" (Sudanese).
    Only a bare-alef ال is an article: "ألباريس" (Albares) keeps its alef-lam."""
    n = _norm(form)
    if n.startswith("ال") and len(n) > 4 and form.lstrip().startswith("\u0627\u0644"):
        return {n, n[2:]}
    return {n}


def test_a_surface_form_names_people_of_one_country_only():
    countries = collections.defaultdict(set)
    for h in kb.load_office_holders():
        for form in h.surface_forms:
            for key in _keys(form):
                countries[key].add(h.country)
    for a in kb.load_country_aliases():
        if a.kind == "group":
            continue   # a group name stands for several states by design
        for key in _keys(a.form):
            countries[key].add(a.country)
    shared = {form: sorted(c) for form, c in countries.items() if len(c) > 1}
    assert {f: c for f, c in shared.items() if f not in NAMES_OF_TWO_STATES} == {}


# Forms that name holders of two states, decided by the article's day (actors.pick_holder takes
# the holders in office then; a name two of them bear that day names nobody). "King Abdullah" is
# Jordan's Abdullah II (king since 1999) and Saudi Arabia's Abdullah (king 2005-2015): in
# 2005-2015 the bare form is ambiguous, and only "Saudi King Abdullah" / "Jordan's King Abdullah"
# decide. Keep the list short: each entry is a decision.
NAMES_OF_TWO_STATES = {_norm(f) for f in ("King Abdullah", "الملك عبدالله", "الملك عبد الله", "ملک عبدالله",
                                   "ملک عبد الله")}


def test_a_shared_name_names_the_holders_the_day_decides():
    by_form = collections.defaultdict(list)
    for h in kb.load_office_holders():
        for form in h.surface_forms:
            for key in _keys(form):
                if key in NAMES_OF_TWO_STATES:
                    by_form[key].append(h)
    for form, holders in by_form.items():
        assert {h.country for h in holders} == {"JOR", "SAU"}, form

    def countries(day):
        d = dt.date.fromisoformat(day)
        return {h.country for h in by_form[_norm("King Abdullah")] if h.active_on(d)}

    assert countries("2023-05-09") == {"JOR"}
    assert countries("2012-05-08") == {"JOR", "SAU"}  # both reigned: the day alone cannot decide
    assert countries("2002-05-08") == {"JOR"}  # Abdullah bin Abdulaziz was crown prince then


GENERIC = {
    "آل ثاني", "آل ثانی", "بن سلمان", "khan", "خان", "al thani", "al-sabah", "الصباح", "آل خليفة",
    "آل نهيان", "آل سعود", "آل مكتوم", "بن زايد", "بن حمد", "الشيخ", "الأمير", "الملك", "president",
    "king", "emir", "sultan", "prince", "السلطان", "الرئيس", "hussein", "حسين", "محمد", "mohammed",
    "abdullah", "عبدالله", "عبد الله", "علي", "ali",
    # words with an ordinary meaning in Arabic or Persian
    "المعلم", "معلم", "الأسد", "اسد", "رئيسي", "رئیسی", "روحاني", "روحانی", "الشرع", "آستین", "صدام",
    "مبارك", "مبارک", "عرفات", "السوداني", "مشرف", "جبريل", "اليماني", "البرهان", "المنفي", "السراج",
    "مخبر", "دهقان", "جراد", "سلال", "معصوم", "جودة", "نظيف", "قنديل", "الصراف", "مقبل", "بنت",
    "شالوم", "هادي", "ترک", "برنز", "کاظمی", "جعفری",
    # English words
    "rice", "straw", "gates", "craft", "waltz", "borne", "cleverly", "hague", "baker",
}


# Two-letter names the press uses alone; the extractor takes a Latin name only capitalised and as
# a whole word ("Xi", not "taxi" or "xi" in a list).
SHORT_OK = {"Xi"}


def test_aliases_are_distinctive():
    generic = {_norm(g) for g in GENERIC}
    bad = []
    for h in kb.load_office_holders():
        for alias in h.aliases:
            if alias in SHORT_OK:
                continue
            if _norm(alias) in generic or len(alias.replace(" ", "")) < 3:
                bad.append(f"line {h.line}: {alias!r}")
    assert not bad, bad


def test_a_country_alias_form_points_to_one_country():
    """Except a group name ("the two Koreas"), whose rows are all of kind group and only that."""
    countries = collections.defaultdict(set)
    kinds = collections.defaultdict(set)
    for a in kb.load_country_aliases():
        countries[_norm(a.form)].add(a.country)
        kinds[_norm(a.form)].add(a.kind)
    assert not {f: c for f, c in countries.items() if len(c) > 1 and kinds[f] != {"group"}}
    assert not {f: c for f, c in countries.items() if kinds[f] == {"group"} and len(c) < 2}


def test_every_office_holder_country_has_aliases_in_all_three_languages():
    langs = collections.defaultdict(set)
    for a in kb.load_country_aliases():
        langs[a.country].add(a.lang)
    holder_countries = {h.country for h in kb.load_office_holders()}
    missing = {c: sorted({"ar", "fa", "en"} - langs[c]) for c in holder_countries if langs[c] != {"ar", "fa", "en"}}
    assert not missing


def test_arabic_demonyms_have_gender_and_number_forms():
    forms = {a.form for a in kb.load_country_aliases() if a.country == "USA" and a.lang == "ar"}
    assert {"الأمريكي", "الأميركي", "الأمريكية", "الأمريكيين"} <= forms
    omn = {a.form for a in kb.load_country_aliases() if a.country == "OMN" and a.kind == "demonym"}
    assert {"العماني", "العمانية", "عمانی", "Omani"} <= omn


# ------------------------------------------------------------------ facts the corpus needs


@pytest.mark.parametrize(
    "day, country, role, name",
    [
        ("2023-10-11", "USA", "foreign_minister", "Antony Blinken"),
        ("2025-01-11", "USA", "foreign_minister", "Antony Blinken"),
        ("2025-04-08", "USA", "foreign_minister", "Marco Rubio"),
        ("2025-01-20", "USA", "foreign_minister", None),  # between Blinken and Rubio
        ("2015-08-05", "USA", "foreign_minister", "John Kerry"),
        ("2019-10-03", "USA", "foreign_minister", "Mike Pompeo"),
        ("2005-01-26", "USA", "foreign_minister", "Condoleezza Rice"),
        ("2023-12-18", "USA", "defence_minister", "Lloyd Austin"),
        ("2025-04-08", "USA", "defence_minister", "Pete Hegseth"),
        ("2024-01-16", "USA", "national_security_advisor", "Jake Sullivan"),
        ("2025-11-01", "USA", "military_chief", "Dan Caine"),
        ("2015-07-22", "USA", "head_of_state", "Barack Obama"),
        ("2025-02-01", "USA", "head_of_state", "Donald Trump"),
        ("2023-10-24", "USA", "head_of_state", "Joe Biden"),
        ("2023-10-09", "IRN", "foreign_minister", "Hossein Amir-Abdollahian"),
        ("2024-06-01", "IRN", "foreign_minister", "Ali Bagheri Kani"),
        ("2025-03-23", "IRN", "foreign_minister", "Abbas Araghchi"),
        ("2019-11-20", "IRN", "foreign_minister", "Mohammad Javad Zarif"),
        ("2003-07-15", "IRN", "foreign_minister", "Kamal Kharazi"),
        ("2019-12-03", "IRN", "deputy_foreign_minister", "Abbas Araghchi"),
        ("2019-10-01", "IRN", "defence_minister", "Amir Hatami"),
        ("2007-06-03", "IRN", "national_security_advisor", "Ali Larijani"),
        ("2006-05-10", "IRN", "head_of_state", "Mahmoud Ahmadinejad"),
        ("2014-03-28", "IRN", "head_of_state", "Hassan Rouhani"),
        ("2023-10-09", "OMN", "foreign_minister", "Badr Albusaidi"),
        ("2025-06-01", "OMN", "foreign_minister", "Badr Albusaidi"),
        ("2020-02-15", "OMN", "foreign_minister", "Yusuf bin Alawi bin Abdullah"),
        ("2025-01-11", "OMN", "head_of_state", "Haitham bin Tariq"),
        ("2017-04-05", "MAR", "foreign_minister", "Nasser Bourita"),
        ("2017-04-04", "MAR", "foreign_minister", "Salaheddine Mezouar"),
        ("2015-08-06", "MAR", "head_of_state", "Mohammed VI"),
        ("2015-07-26", "SAU", "deputy_crown_prince", "Mohammed bin Salman"),
        ("2015-07-26", "SAU", "defence_minister", "Mohammed bin Salman"),
        ("2015-08-06", "SAU", "crown_prince", "Muhammad bin Nayef"),
        ("2015-08-02", "SAU", "foreign_minister", "Adel al-Jubeir"),
        ("2023-10-24", "SAU", "crown_prince", "Mohammed bin Salman"),
        ("2023-10-24", "SAU", "head_of_government", "Mohammed bin Salman"),
        ("2023-11-01", "SAU", "foreign_minister", "Faisal bin Farhan"),
        ("2025-04-08", "SAU", "defence_minister", "Khalid bin Salman"),
        ("2015-07-26", "JOR", "head_of_state", "Abdullah II"),
        ("2023-12-20", "JOR", "foreign_minister", "Ayman Safadi"),
        ("2015-07-26", "YEM", "head_of_state", "Abdrabbuh Mansur Hadi"),
        ("2023-10-10", "EGY", "foreign_minister", "Sameh Shoukry"),
        ("2025-02-04", "EGY", "foreign_minister", "Badr Abdelatty"),
        ("2025-02-12", "EGY", "head_of_state", "Abdel Fattah el-Sisi"),
        ("2006-06-11", "EGY", "head_of_state", "Hosni Mubarak"),
        ("2023-10-08", "IRQ", "foreign_minister", "Fuad Hussein"),
        ("2023-10-13", "QAT", "head_of_state", "Tamim bin Hamad Al Thani"),
        ("2024-01-16", "QAT", "head_of_government", "Mohammed bin Abdulrahman Al Thani"),
        ("2023-11-14", "QAT", "foreign_minister", "Mohammed bin Abdulrahman Al Thani"),
        ("2015-08-05", "TUR", "foreign_minister", "Mevlüt Çavuşoğlu"),
        ("2024-06-01", "TUR", "foreign_minister", "Hakan Fidan"),
        ("2019-10-01", "TUR", "defence_minister", "Hulusi Akar"),
        ("2019-10-13", "TUR", "head_of_state", "Recep Tayyip Erdoğan"),
        ("2015-08-05", "RUS", "foreign_minister", "Sergey Lavrov"),
        ("2025-10-06", "RUS", "head_of_state", "Vladimir Putin"),
        ("2015-08-05", "CHN", "foreign_minister", "Wang Yi"),
        ("2023-05-01", "CHN", "foreign_minister", "Qin Gang"),
        ("2023-12-21", "GBR", "foreign_minister", "David Cameron"),
        ("2025-10-01", "GBR", "foreign_minister", "Yvette Cooper"),
        ("1987-04-09", "GBR", "head_of_government", "Margaret Thatcher"),
        ("1987-03-31", "USA", "head_of_state", "Ronald Reagan"),
        ("1987-03-31", "FRA", "head_of_government", "Jacques Chirac"),
        ("2019-10-13", "FRA", "head_of_state", "Emmanuel Macron"),
        ("2009-10-28", "FRA", "head_of_state", "Nicolas Sarkozy"),
        ("2023-10-07", "ISR", "head_of_government", "Benjamin Netanyahu"),
        ("2023-12-18", "ISR", "defence_minister", "Yoav Gallant"),
        ("2025-11-01", "ISR", "military_chief", "Eyal Zamir"),
        ("2025-03-01", "PSE", "secretary_plo", "Hussein al-Sheikh"),
        ("2011-03-13", "SYR", "head_of_state", "Bashar al-Assad"),
        ("2015-08-05", "SYR", "foreign_minister", "Walid Muallem"),
        ("2019-11-26", "SYR", "head_of_government", "Imad Khamis"),
    ],
)
def test_holders_the_corpus_needs(day, country, role, name):
    holder = kb.holder_of(day, country, role)
    assert (holder.name_en if holder else None) == name


def test_handover_day_belongs_to_the_successor():
    assert kb.holder_of("2021-01-26", "USA", "foreign_minister").name_en == "Antony Blinken"
    assert kb.holder_of("2021-01-25", "USA", "foreign_minister") is None  # acting secretary
    assert kb.holder_of(dt.datetime(2013, 2, 1, 9), "USA", "foreign_minister").name_en == "John Kerry"


def test_holders_on_filters():
    fms = kb.holders_on("2023-10-11", role="foreign_minister")
    assert {"USA", "MAR", "IRN", "OMN", "SAU", "EGY", "QAT", "TUR", "RUS", "CHN", "GBR", "FRA"} <= {
        h.country for h in fms
    }
    assert all(h.role == "foreign_minister" for h in fms)
    with pytest.raises(ValueError):
        kb.holders_on("2023-10-11", role="minister_of_fun")


@pytest.mark.parametrize(
    "form, country",
    [
        ("البوسعيدي", "OMN"), ("Albusaidi", "OMN"), ("Busaidi", "OMN"), ("بوريطة", "MAR"), ("Bourita", "MAR"),
        ("بلينكن", "USA"), ("Blinken", "USA"), ("آنتونی بلینکن", "USA"), ("أنتوني بلينكن", "USA"),
        ("امیرعبداللهیان", "IRN"), ("عراقچی", "IRN"), ("ظريف", "IRN"), ("ظریف", "IRN"),
        ("Lavrov", "RUS"), ("لافروف", "RUS"), ("لاوروف", "RUS"), ("پامپئو", "USA"), ("جاويش أوغلو", "TUR"),
        ("شكري", "EGY"), ("Szijjarto", "HUN"), ("Prystaiko", "UKR"), ("Pandor", "ZAF"),
        ("Xi", "CHN"), ("Carter", "USA"), ("Aoun", "LBN"), ("Hariri", "LBN"), ("الحريري", "LBN"),
        ("Gorbachev", "SUN"), ("گورباچف", "SUN"), ("Yeltsin", "RUS"), ("Genscher", "DEU"),
        ("Khasawneh", "JOR"), ("Yildirim", "TUR"), ("المخلافي", "YEM"), ("ألباريس", "ESP"),
    ],
)
def test_surnames_used_alone_resolve_to_their_country(form, country):
    owners = {h.country for h in kb.load_office_holders() if form in h.surface_forms}
    assert owners == {country}


ORDINARY_WORDS = {"الجزيرة", "العربية", "الشرق الأوسط", "العالم", "الوفد", "البيان", "الخليج", "مهر", "فارس", "الحرة", "الرأي", "النهار", "الغد", "الحدث", "انتخاب", "تاس"}


def test_agency_names_are_not_ordinary_words_and_name_one_country():
    countries = collections.defaultdict(set)
    for o in kb.load_outlets():
        for name in o.agency_names:
            assert _norm(name) not in {_norm(w) for w in ORDINARY_WORDS}, (o.line, name)
            countries[_norm(name)].add(o.country)
    assert {n: c for n, c in countries.items() if len(c) > 1} == {}


def test_outlet_lookup():
    assert kb.outlet_for("omandaily.om").country == "OMN"
    assert kb.outlet_for("www.farsnews.ir").country == "IRN"
    assert kb.outlet_for("arabic.khabaronline.ir").lang == "ar"
    assert kb.outlet_for("sarabic.ae (Sputnik Arabic)").outlet == "sarabic.ae"
    assert kb.outlet_for("sarabic.ae (Sputnik Arabic)").country is None  # international audience
    assert kb.outlet_for("rouz.news (republishing mehrnews.com)").country == "IRN"
    assert kb.outlet_for("reuters.com").country is None
    assert kb.outlet_for("Reuters").outlet == "reuters"
    assert kb.outlet_for("example.org") is None
    assert kb.outlet_for(None) is None
    ona = kb.outlet_for("omannews.gov.om")
    assert "وكالة الأنباء العمانية" in ona.agency_names and "ONA" in ona.agency_names


# ------------------------------------------------------------------ coverage of the shared corpus


def _jsonl(name):
    return corpus_records(name)


def test_every_gold_country_has_aliases():
    alias_countries = {a.country for a in kb.load_country_aliases()}
    gold = set()
    for name in ("seeds.gold.jsonl", "dev.gold.jsonl"):
        for record in _jsonl(name):
            for contact in record["contacts"]:
                gold.update(contact["countries"])
    assert gold
    assert not gold - alias_countries


def test_every_corpus_outlet_is_known():
    unknown = set()
    for name in ("seeds.jsonl", "dev.jsonl"):
        for article in _jsonl(name):
            if article.get("source") and kb.outlet_for(article["source"]) is None:
                unknown.add(article["source"])
    assert not unknown


# Words an office holder's single-word alias must not be: ordinary words, first names and other
# people's surnames of the press (found in the dev splits' texts, 2026-12-06).
SHARED_NAMES = {"تمر", "تامر", "كاين", "بارو", "کوشنر", "بخاري", "بودن"}


def test_no_office_holder_alias_is_a_shared_word_or_name():
    found = {(h.name_en, a) for h in kb.load_office_holders() for a in h.aliases
             if _norm(a) in {_norm(w) for w in SHARED_NAMES}}
    assert found == set()


def test_no_country_alias_is_a_common_word():
    """"كيف" (how) was listed as a spelling of Kyiv: every "how" in Arabic became Ukraine."""
    common = {"كيف", "اين", "متى", "هل", "لماذا", "كان", "قال", "بعد", "چه", "کی", "کجا", "how", "may"}
    forms = {_norm(a.form) for a in kb.load_country_aliases()}
    assert not forms & {_norm(w) for w in common}


@pytest.mark.parametrize("country, role", [
    (c, r) for c in ("KOR", "GRC", "PRT", "SGP", "ARG", "MEX") for r in ("head_of_state", "foreign_minister")
] + [("KOR", "head_of_government"), ("GRC", "head_of_government"), ("PRT", "head_of_government"),
     ("MYS", "head_of_state"), ("PER", "head_of_state"), ("HRV", "head_of_state"), ("ETH", "head_of_state"),
     ("BGD", "head_of_state")])
def test_offices_filled_in_the_second_pass_have_a_holder_on_the_check_days(country, role):
    """The 2015/2020/2026 coverage check of issue 13 (second pass) found these offices empty (checked
    here on 2026-01-01: Portugal's president from 2026-03-09 is not recorded)."""
    for day in ("2015-01-01", "2020-01-01", "2026-01-01"):
        assert kb.holder_of(day, country, role) is not None, (country, role, day)
