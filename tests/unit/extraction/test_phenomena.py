"""The phenomena filters (streams/extraction/phenomena.py), each in Arabic, Persian and English:
a sentence the filter must stop, and a close sentence reporting a held contact that must stay.
The cue words are data (streams/knowledge/cues/<lang>/<list>.txt); these sentences are written
for the tests, not taken from any corpus."""
from __future__ import annotations

import pytest

from streams.extraction import extract_contacts


def pairs(text: str, lang: str, published: str = "2024-03-04") -> set[tuple[str, ...]]:
    return {tuple(c.countries) for c in extract_contacts(
        {"id": "t", "text": text, "lang": lang, "published_at": published})}


IRN_OMN = {("IRN", "OMN")}


def _case(expected, lang, text):
    return pytest.param(lang, text, expected, id=f"{lang}:{text[:40]}")


# ---- modality: planned, scheduled, expected, conditional -----------------------------------

@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "Iranian Foreign Minister Abbas Araghchi will make an official visit to Oman next week."),
    _case(set(), "en", "Iran's foreign minister is to meet his Omani counterpart in Muscat."),
    _case(set(), "en", "Iran's foreign minister left Tehran for Muscat to meet his Omani counterpart."),
    _case(set(), "en", "Iran's foreign minister departed for Muscat for talks with Omani officials."),
    _case(IRN_OMN, "en", "Iranian Foreign Minister Abbas Araghchi made an official visit to Oman on Monday."),
    # "it would be the first meeting": سيكون / would / خواهد بود
    _case(set(), "ar", "وإذا حدث الاجتماع، سيكون هذا أول لقاء بين وزيري خارجية إيران وعمان."),
    _case(set(), "en", "It would be the first meeting between the foreign ministers of Iran and Oman."),
    _case(set(), "fa", "این نخستین دیدار وزیران خارجه ایران و عمان خواهد بود."),
    _case(IRN_OMN, "en", "Iran's foreign minister left Tehran for Muscat to meet his Omani counterpart. "
                         "On Monday he met the Omani foreign minister in Muscat."),
    _case(set(), "ar", "من المقرر أن يجتمع وزير الخارجية الإيراني مع نظيره العماني في مسقط."),
    _case(set(), "ar", "يعتزم وزير الخارجية الإيراني زيارة سلطنة عمان."),
    _case(set(), "ar", "سيلتقي وزير الخارجية الإيراني نظيره العماني في مسقط."),
    _case(set(), "ar", "وزير الخارجية الإيراني يلتقي نظيره العماني الأسبوع المقبل."),
    _case(set(), "ar", "غادر وزير الخارجية الإيراني طهران متوجها إلى مسقط للقاء نظيره العماني."),
    _case(IRN_OMN, "ar", "التقى وزير الخارجية الإيراني نظيره العماني في مسقط أمس."),
    _case(set(), "fa", "وزیر امور خارجه ایران هفته آینده با همتای عمانی خود دیدار خواهد کرد."),
    _case(set(), "fa", "وزیر امور خارجه ایران به عمان سفر می‌کند"),
    _case(set(), "fa", "وزرای خارجه ایران و عمان در مسقط دیدار می‌کنند"),
    _case(set(), "fa", "وزیر امور خارجه ایران برای دیدار با همتای عمانی خود تهران را به مقصد مسقط ترک کرد."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران به عمان سفر کرد"),
    _case(IRN_OMN, "fa", "وزرای خارجه ایران و عمان در مسقط دیدار کردند"),
    # Persian: the future auxiliary closes a long clause that opened with the meeting's noun
    _case(set(), "fa", "نشست سران گروه هفت به میزبانی رئیس جمهور فرانسه با حضور رئیس جمهور آمریکا در شهر "
                       "اویان-له-بن در نزدیکی مرز سوئیس در شرق کشور فرانسه برگزار خواهد شد."),
    # hedges: a possible meeting (ربما with the imperfect, verb_forms.tsv; احتمالاً reaching forwards)
    _case(set(), "ar", "ربما يلتقي وزير الخارجية الإيراني نظيره العماني في مسقط."),
    _case(set(), "fa", "احتمالاً روز جمعه در مسقط دیداری میان وزرای خارجه ایران و عمان برگزار و تفاهم‌نامه‌ای امضا شود."),
    _case(set(), "en", "The foreign ministers of Iran and Oman could meet in Muscat on Monday."),
    # ... a hedge about a held meeting's content, or a hedged clause before the report, is not one
    _case(IRN_OMN, "fa", "در دیدار وزرای خارجه ایران و عمان در مسقط احتمالاً مهم‌ترین موضوع پرونده هسته‌ای بود."),
    _case({("IRN", "SAU")}, "ar", "في خطوة ربما تكون الأولى من نوعها التقى وزير الخارجية الإيراني نظيره السعودي في بكين."),
])
def test_modality(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # verb_forms.tsv: the particles of the Arabic verb over every contact verb and person; each
    # sentence also holds a contact noun the planned or negated verb keeps from counting
    _case(set(), "ar", "سأستقبل وزير الخارجية العماني في طهران في زيارة رسمية."),
    _case(set(), "ar", "ستستقبل طهران وزير الخارجية العماني في زيارة رسمية."),
    _case(set(), "ar", "سنبحث مع وزير الخارجية العماني خلال زيارته إلى طهران الملف اليمني."),
    _case(set(), "ar", "وزير الخارجية الإيراني سوف يزور سلطنة عمان."),
    _case(set(), "ar", "وزير الخارجية الإيراني لن يستقبل نظيره العماني في طهران."),
    _case(set(), "ar", "وزير الخارجية الإيراني قد يبحث مع نظيره العماني في مسقط الملف اليمني."),
    # قد with a perfect verb is a held contact ("had met"), and so is the plain verb
    _case(IRN_OMN, "ar", "وكان وزير الخارجية الإيراني قد التقى نظيره العماني في مسقط أمس."),
    _case(IRN_OMN, "ar", "استقبل وزير الخارجية الإيراني نظيره العماني في طهران في زيارة رسمية."),
])
def test_modality_arabic_verb_particles(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a time ahead sets the time of everything after it in the sentence, however far
    _case(set(), "ar", "تشهد العاصمة القطرية غدا جولة مباحثات دبلوماسية بين وزير الخارجية الأمريكي ووزراء "
                       "الخارجية في مجلس التعاون الخليجي، كما يلتقي وزير الخارجية الروسي أمير دولة قطر ووزير خارجيته."),
    _case(set(), "en", "Tomorrow the Qatari capital hosts a round of diplomatic talks with the Gulf foreign ministers, "
                       "during which the Russian foreign minister also meets the Emir of Qatar and his foreign minister."),
    _case(set(), "fa", "فردا پایتخت قطر میزبان دور تازه‌ای از رایزنی‌های دیپلماتیک با وزرای خارجه کشورهای حاشیه خلیج فارس "
                       "است و وزیر خارجه روسیه نیز در این سفر با امیر قطر و وزیر خارجه این کشور دیدار و گفتگو دارد."),
    # but not a contact reported before it
    _case(IRN_OMN, "en", "The Iranian foreign minister met his Omani counterpart in Muscat on Monday and they agreed "
                         "to meet again next week."),
    _case(IRN_OMN, "ar", "التقى وزير الخارجية الإيراني نظيره العماني في مسقط أمس واتفقا على اللقاء مجددا الأسبوع المقبل."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران دیروز با همتای عمانی خود در مسقط دیدار کرد، دیدار بعدی دو طرف هفته "
                         "آینده در تهران است."),
    # Persian: a past verb closes the held meeting's clause; the future after it is another one's
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران دیروز با همتای عمانی خود در مسقط دیدار کرد و قرار شد هفته "
                         "آینده دوباره دیدار کنند."),
])
def test_modality_time_ahead_frames_the_rest_of_the_sentence(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a visit that frames a planned meeting ("during a working visit") is planned too
    _case(set(), "en", "Russian Foreign Minister Sergei Lavrov will hold a trilateral meeting with his American "
                       "counterpart and his Saudi counterpart in Doha during a working visit to Qatar."),
    _case(set(), "ar", "سيعقد وزير الخارجية الروسي اجتماعا ثلاثيا مع نظيريه الأمريكي والسعودي في العاصمة القطرية "
                       "الدوحة خلال زيارة عمل يقوم بها لقطر."),
    _case(set(), "fa", "قرار است وزیر خارجه روسیه با همتایان آمریکایی و سعودی خود نشستی سه جانبه در دوحه برگزار کند "
                       "که بخشی از برنامه‌های متعدد و فشرده دیپلماتیک او در جریان سفر کاری وزیر خارجه روسیه به قطر است."),
    # a held meeting during a visit stays
    _case({("QAT", "RUS")}, "en", "Russian Foreign Minister Sergei Lavrov met the Emir of Qatar during a working visit to Qatar."),
])
def test_modality_a_visit_framing_a_planned_meeting(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "Iran's foreign minister is also expected to hold talks with his Omani counterpart in Muscat."),
    _case(set(), "en", "Iran's foreign minister proposed a meeting with his Omani counterpart."),
    _case(IRN_OMN, "en", "Iran's foreign minister proposed a ceasefire during his meeting with his Omani "
                         "counterpart in Muscat on Monday."),
    _case(IRN_OMN, "en", "Iran's foreign minister met his Omani counterpart in Muscat, as expected."),
    _case(set(), "ar", "ويتوقع أن يلتقي وزير الخارجية الإيراني نظيره العماني في مسقط."),
    _case(set(), "ar", "اقترح وزير الخارجية الإيراني عقد لقاء مع نظيره العماني في مسقط."),
    _case(IRN_OMN, "ar", "اقترح وزير الخارجية الإيراني خلال لقائه مع نظيره العماني في مسقط إنشاء لجنة مشتركة."),
    _case(IRN_OMN, "ar", "التقى وزير الخارجية الإيراني نظيره العماني في مسقط، ويتوقع أن يعلن البلدان اتفاقا."),
    _case(set(), "fa", "انتظار می‌رود وزیر امور خارجه ایران در مسقط با همتای عمانی خود دیدار کند."),
    _case(set(), "fa", "وزیر امور خارجه ایران پیشنهاد برگزاری نشستی با همتای عمانی خود را داد."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران در مسقط با همتای عمانی خود دیدار کرد و قصد دارد روابط را گسترش دهد."),
])
def test_modality_expected_or_proposed(lang, text, expected):
    """An expectation or a proposal reaches forwards over the contact it governs, never back
    over one already reported, nor past "during" into the meeting the proposal was made in."""
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "Iran's foreign minister called for talks with his Omani counterpart."),
    _case(IRN_OMN, "en", "Iran's foreign minister urged restraint when he met his Omani counterpart in Muscat."),
    _case(set(), "ar", "ناشد وزير الخارجية الإيراني بعقد لقاء مع نظيره العماني."),
    _case(IRN_OMN, "ar", "ناشد وزير الخارجية الإيراني خلال لقائه نظيره العماني في مسقط وقف الحرب."),
    _case(set(), "fa", "وزیر امور خارجه ایران خواستار مذاکره با همتای عمانی خود شد."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران در دیدار با همتای عمانی خود خواستار توقف جنگ شد."),
    # an appeal for the resumption of talks, by the states it names
    _case(set(), "ar", "الدوحة والقاهرة وواشنطن تدعو إلى استئناف مفاوضات وقف النار في غزة."),
    _case(set(), "en", "Doha, Cairo and Washington call for the resumption of ceasefire negotiations on Gaza."),
    _case(set(), "fa", "دوحه، قاهره و واشنگتن خواستار از سرگیری مذاکرات آتش‌بس غزه شدند."),
    # a delegation sent to consult: the consultation is its purpose, not yet held
    _case(set(), "ar", "قررت الحكومة السودانية إرسال وفد إلى جدة للتشاور مع الولايات المتحدة."),
    _case(set(), "en", "The Sudanese government sent a delegation to Jeddah to consult with the United States."),
    _case(set(), "fa", "دولت سودان هیئتی را برای مشورت با آمریکا به جده فرستاد."),
    # a departure to take part in a gathering
    _case(set(), "en", "The Pakistani prime minister on Monday left for a two-day official visit to the United Arab "
                       "Emirates to participate in the World Governments Summit in Dubai."),
    _case(set(), "ar", "غادر رئيس الوزراء الباكستاني إلى الإمارات في زيارة رسمية للمشاركة في القمة العالمية للحكومات."),
    _case(set(), "fa", "نخست وزیر پاکستان به منظور شرکت در اجلاس جهانی دولت‌ها در دبی عازم امارات شد."),
])
def test_modality_an_appeal_for_talks(lang, text, expected):
    """An appeal voids the talks it calls for (its object, a few words on), not a meeting in
    the clause after it."""
    assert pairs(text, lang) == expected


# ---- negation and denial -------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "The ministry said there was no truth to reports of a phone call between the "
                       "Iranian and Omani foreign ministers."),
    _case(set(), "en", "The Iranian foreign minister did not meet his Omani counterpart in Geneva."),
    _case(IRN_OMN, "en", "The Iranian foreign minister met his Omani counterpart in Geneva."),
    _case(set(), "ar", "نفت وزارة الخارجية الإيرانية إجراء اتصال هاتفي بين وزير الخارجية الإيراني ونظيره العماني."),
    _case(set(), "ar", "لم يلتق وزير الخارجية الإيراني نظيره العماني."),
    _case(IRN_OMN, "ar", "أجرى وزير الخارجية الإيراني اتصالا هاتفيا مع نظيره العماني."),
    _case(set(), "fa", "سخنگوی وزارت خارجه خبر تماس تلفنی وزیر خارجه ایران با همتای عمانی را تکذیب کرد."),
    _case(set(), "fa", "وزیر امور خارجه ایران با همتای عمانی خود دیدار نکرد."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران با همتای عمانی خود تلفنی گفتگو کرد."),
])
def test_negation(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # without the exclusion the destination after "a visit to" is a party
    _case({("EGY", "USA")}, "en", "US Secretary of State Antony Blinken arrived in Cairo on Monday for a "
                                  "regional tour that does not include a visit to Israel."),
    # without it the bare name chained into the list of destinations is one
    _case({("EGY", "USA"), ("JOR", "USA")}, "fa", "وزیر خارجه آمریکا به جز اسرائیل به مصر و اردن سفر کرد."),
    # (Arabic: a control; the extractor does not make the excluded name a party here either way;
    # both destinations, since "والأردن" ("and the Jordan") continues the list)
    _case({("EGY", "USA"), ("JOR", "USA")}, "ar", "زار وزير الخارجية الأمريكي مصر والأردن باستثناء إسرائيل وقطر."),
])
def test_negation_a_tour_that_does_not_include_a_country(lang, text, expected):
    assert pairs(text, lang) == expected


# ---- speech acts: written messages, statements, interviews ---------------------------------

@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "The Emir of Qatar received a written message from the President of Turkey."),
    _case(set(), "en", "The Saudi foreign ministry welcomed the visit of the Iranian foreign minister to Oman."),
    _case(set(), "en", "In an interview, the Iranian foreign minister accused the Omani foreign minister of lying."),
    _case({("QAT", "TUR")}, "en", "The Emir of Qatar received a phone call of condolence from the President of Turkey."),
    _case({("CHN", "EGY")}, "en", "Egypt's President Abdel Fattah al-Sisi welcomed his visiting Chinese counterpart Xi Jinping."),
    _case(set(), "ar", "تلقى أمير قطر برقية تهنئة من الرئيس التركي."),
    _case(set(), "ar", "تسلم أمير قطر رسالة خطية من الرئيس التركي."),
    _case({("QAT", "TUR")}, "ar", "تلقى أمير قطر اتصالا هاتفيا من الرئيس التركي قدم خلاله التعازي."),
    _case(set(), "fa", "رئیس جمهور ایران پیام تبریکی از رئیس جمهور ترکیه دریافت کرد."),
    _case(set(), "fa", "وزیر امور خارجه ایران در مصاحبه‌ای از وزیر خارجه ترکیه انتقاد کرد."),
    _case({("IRN", "TUR")}, "fa", "رئیس جمهور ایران با رئیس جمهور ترکیه تلفنی گفتگو کرد و تسلیت گفت."),
])
def test_speech_act(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "Iran's foreign minister criticised the so-called Omani mediation."),
    _case(IRN_OMN, "en", "Iran's foreign minister called his Omani counterpart on Monday."),
    _case(set(), "ar", "بحث وزير الخارجية الإيراني تطوير وسائل الاتصال مع سلطنة عمان."),
    _case(IRN_OMN, "ar", "بحث وزير الخارجية الإيراني في اتصال هاتفي مع نظيره العماني تطورات المنطقة."),
    _case(set(), "fa", "شماره تماس سفارت ایران در عمان اعلام شد."),
    _case(set(), "fa", "وزیر امور خارجه ایران در گفتگو با خبرنگار ما درباره روابط با عمان سخن گفت."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران در گفتگو با خبرنگار ما پس از دیدار با همتای عمانی خود "
                         "گفت روابط دو کشور خوب است."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران در تماس تلفنی با همتای عمانی خود گفتگو کرد."),
])
def test_speech_act_a_trigger_word_in_another_sense(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text", [
    ("en", "Iran's foreign minister held a video consultation with his Omani counterpart."),
    ("ar", "بحث وزير الخارجية الإيراني عبر تقنية الاتصال المرئي مع نظيره العماني تطورات المنطقة."),
    ("fa", "وزیر امور خارجه ایران در ارتباط تصویری با همتای عمانی خود گفتگو کرد."),
])
def test_a_remote_medium_is_a_call(lang, text):
    [c] = extract_contacts({"id": "t", "text": text, "lang": lang, "published_at": "2024-03-04"})
    assert (tuple(c.countries), c.mode) == (("IRN", "OMN"), "phone")


# ---- gathering scope -----------------------------------------------------------------------

TRIANGLE = {("IRN", "RUS"), ("IRN", "TUR"), ("RUS", "TUR")}


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "The leaders of Saudi Arabia, the UAE, Qatar, Kuwait, Bahrain and Oman met at the GCC summit in Riyadh."),
    _case(TRIANGLE, "en", "The foreign ministers of Iran, Russia and Turkey held a trilateral meeting in Moscow."),
    _case(set(), "ar", "اجتمع قادة السعودية والإمارات وقطر والكويت والبحرين وعمان في القمة الخليجية بالرياض."),
    _case(TRIANGLE, "ar", "عقد وزراء خارجية إيران وروسيا وتركيا اجتماعا ثلاثيا في موسكو."),
    _case(set(), "fa", "سران ایران، روسیه، ترکیه، چین، هند و پاکستان در اجلاس شانگهای دیدار کردند."),
    _case(TRIANGLE, "fa", "وزرای خارجه ایران، روسیه و ترکیه در مسکو نشست سه جانبه برگزار کردند."),
])
def test_gathering_scope(lang, text, expected):
    assert pairs(text, lang) == expected


def test_gathering_scope_keeps_the_pairs_the_text_says_met():
    text = ("On the sidelines of the summit of Saudi Arabia, the UAE, Qatar, Kuwait, Bahrain and Oman, "
            "the Omani foreign minister met his Qatari counterpart.")
    assert pairs(text, "en") == {("OMN", "QAT")}


# ---- actor type ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "UN Secretary-General Antonio Guterres met the Iranian foreign minister in New York."),
    _case(set(), "en", "EU foreign policy chief Kaja Kallas met Iranian Foreign Minister Abbas Araghchi in Brussels."),
    _case(set(), "en", "Former Iranian foreign minister Javad Zarif met the Omani foreign minister in Muscat."),
    _case(set(), "en", "A Turkish business delegation visited Iran and met Iranian officials."),
    _case(IRN_OMN, "en", "Iranian foreign minister Abbas Araghchi met the Omani foreign minister in Muscat."),
    _case(set(), "ar", "التقى الأمين العام لجامعة الدول العربية وزير الخارجية الإيراني في القاهرة."),
    _case(set(), "ar", "التقى وزير الخارجية الإيراني الأسبق محمد جواد ظريف بوزير الخارجية العماني في مسقط."),
    _case(set(), "ar", "استقبل وزير الخارجية العماني وفدا من رجال الأعمال الإيرانيين."),
    _case(IRN_OMN, "ar", "استقبل وزير الخارجية العماني نظيره الإيراني في مسقط."),
    _case(set(), "fa", "دبیرکل سازمان ملل با وزیر امور خارجه ایران دیدار کرد."),
    _case(set(), "fa", "ظریف وزیر امور خارجه سابق ایران با وزیر خارجه عمان دیدار کرد."),
    _case(set(), "fa", "هیئت تجاری ترکیه با وزیر اقتصاد ایران دیدار کرد."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران با وزیر خارجه عمان دیدار کرد."),
])
def test_actor_type(lang, text, expected):
    # a day when the officials named held the offices named: Kallas led the EU's foreign policy
    # from 2024-12-01 (until 2024-07-23 she was Estonia's prime minister) and Araghchi was Iran's
    # foreign minister from 2024-08-21
    assert pairs(text, lang, "2025-02-04") == expected


# ---- attachment ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "Iran condemned the Israeli strikes. The visit to Oman focused on regional issues."),
    _case(set(), "ar", "أدانت إيران الهجمات الإسرائيلية. وتناولت الزيارة إلى سلطنة عمان القضايا الإقليمية."),
    _case(set(), "fa", "ایران حملات اسرائیل را محکوم کرد. این سفر به عمان بر مسائل منطقه‌ای متمرکز بود."),
    _case({("IRN", "QAT")}, "en", "The Iranian foreign minister met his Qatari counterpart in Doha, "
                                  "while Israel continued its strikes on Lebanon."),
    _case({("IRN", "QAT")}, "ar", "التقى وزير الخارجية الإيراني نظيره القطري في الدوحة، وذلك على ضوء دعوة الرئيس الأمريكي."),
    _case({("IRN", "QAT")}, "fa", "وزیر امور خارجه ایران با همتای قطری خود در دوحه دیدار کرد در حالی که اسرائیل به لبنان حمله کرد."),
])
def test_attachment(lang, text, expected):
    assert pairs(text, lang) == expected


def test_attachment_a_later_trigger_opens_its_own_clause():
    """A country after the clause word but after a later trigger is that trigger's party."""
    text = ("Iran's foreign minister visited Oman and Qatar at a time when Saudi Arabia was mediating, "
            "and he visited Kuwait on Tuesday.")
    assert pairs(text, "en") == {("IRN", "OMN"), ("IRN", "QAT"), ("IRN", "KWT")}
    text = "Iran's foreign minister visited Oman, Qatar and Kuwait at a time when Saudi Arabia was mediating."
    assert pairs(text, "en") == {("IRN", "OMN"), ("IRN", "QAT"), ("IRN", "KWT")}


# ---- second round (dev splits of 2026-12-06): one case per language for each added cue list ----

@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "ar", "أعلن الرئيس الأمريكي إلغاء لقائه مع رئيس الوزراء العراقي."),
    _case(set(), "ar", "ألغى الرئيس الأمريكي لقاءه مع رئيس الوزراء العراقي."),
    _case(set(), "ar", "أكد المرشد الإيراني أنه لا وجود لمفاوضات مع الولايات المتحدة."),
    _case(set(), "en", "The Iranian foreign minister said there were no talks with the United States."),
    _case(set(), "fa", "وزیر امور خارجه ایران گفت هیچ مذاکره‌ای با آمریکا نداشته است."),
])
def test_negation_cancelled_or_none(lang, text, expected):
    """Cancellation written with its hamza ("إلغاء", "ألغى": the press spelling), "there is no"."""
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "ar", "تتجه الأنظار إلى القمة المزمع عقدها بين الرئيس الأمريكي والرئيس الروسي في هلسنكي."),
    _case(set(), "ar", "يعلق الكرملين آمالا على اللقاء الذي سيجمع الرئيس الأمريكي بالرئيس الروسي."),
    _case(set(), "en", "All eyes are on the summit the US President will hold with the Russian President in Helsinki."),
    _case(set(), "fa", "رئیس جمهور آمریکا با رئیس جمهور روسیه در هلسینکی دیدار خواهد کرد."),
])
def test_modality_a_summit_still_to_come(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "The US ambassador urged Russia to push Syria back to the negotiating table."),
    _case(set(), "ar", "وحثت المندوبة الأمريكية روسيا على دفع سوريا إلى طاولة المفاوضات."),
    _case(set(), "fa", "آمریکا از روسیه خواست سوریه را به میز مذاکره بازگرداند."),
])
def test_other_sense_the_negotiating_table(lang, text, expected):
    """"The negotiating table" is the idea of talks, not a meeting."""
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "The son of the US President met the Saudi ambassador."),
    _case({("SAU", "USA")}, "en", "The US President met the Saudi ambassador."),
    _case(set(), "ar", "التقى نجل الرئيس الأمريكي بالسفير السعودي."),
    _case({("SAU", "USA")}, "ar", "التقى الرئيس الأمريكي بالسفير السعودي."),
    _case(set(), "fa", "پسر رئیس جمهور آمریکا با سفیر عربستان دیدار کرد."),
    _case({("SAU", "USA")}, "fa", "رئیس جمهور آمریکا با سفیر عربستان دیدار کرد."),
])
def test_actor_type_a_leaders_child_is_a_private_person(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "The US ambassador was allowed to visit the detained pastor in Turkey."),
    _case(set(), "ar", "تسمح تركيا للسفير الأمريكي بزيارة القس المحتجز."),
    _case(set(), "fa", "ترکیه به سفیر آمریکا اجازه ملاقات با کشیش زندانی را داد."),
])
def test_modality_permission_to_visit(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case({("FRA", "SAU")}, "en", "The Saudi crown prince met the French president in Riyadh against the backdrop "
                                  "of the crisis over the Lebanese prime minister's resignation."),
    _case({("FRA", "SAU")}, "ar", "التقى ولي العهد السعودي الرئيس الفرنسي في الرياض على خلفية الأزمة التي "
                                  "رافقت استقالة رئيس الوزراء اللبناني."),
])
def test_attachment_a_backdrop_is_another_clause(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "ar", "قال مدير مؤسسة رياك البحثية في موسكو إن المخاطر على بوتين أقل من المخاطر على الرئيس الأمريكي."),
    _case({("JPN", "USA")}, "ar", "بحث الرئيس الأمريكي مع رئيس الوزراء الياباني العلاقات الثنائية."),
    _case(set(), "ar", "قال نائب الرئيس الأمريكي في مقابلة مع قناة فوكس إن الزعيم الكوري الشمالي يراوغ."),
    _case({("JPN", "USA")}, "ar", "قال الرئيس الأمريكي في مقابلة مع قناة فوكس إنه التقى رئيس الوزراء الياباني أمس."),
])
def test_other_sense_research_and_interviews_in_arabic(lang, text, expected):
    """"البحثية" (research) is not "بحث" (discussed); "مقابلة مع قناة" is an interview, not a
    meeting, and the rest of its sentence is still read."""
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "The King of Bahrain received an Egyptian media delegation in Manama."),
    _case(set(), "ar", "أكد الملك حمد لدى استقباله وفد مؤسسة الأهرام المصرية أن البحرين تحترم سيادة الدول."),
    _case(set(), "fa", "پادشاه بحرین یک هیئت رسانه‌ای مصری را در منامه به حضور پذیرفت."),
    _case({("BHR", "EGY")}, "fa", "پادشاه بحرین هیئت مصری را در منامه به حضور پذیرفت."),
])
def test_actor_type_a_media_delegation_is_not_the_state(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "Officials discussed preparations for the Iranian foreign minister's visit to Oman."),
    _case(set(), "ar", "قالت الوكالة إن الإعدادات جارية لاستضافة تركيا لقاء بين الرئيس الروسي والرئيس الإيراني."),
    _case(set(), "fa", "مقدمات سفر وزیر امور خارجه ایران به عمان فراهم شد."),
    _case(set(), "en", "The Iranian foreign minister may hold talks with his Omani counterpart in Muscat."),
    _case(set(), "ar", "قال الرئيس الأمريكي إن محادثات قد تعقد مع كوريا الشمالية خلال أسابيع."),
    _case(set(), "ar", "وافق الرئيس الأمريكي على لقاء زعيم كوريا الشمالية."),
    _case(set(), "ar", "وافق الرئيس الأمريكي دونالد ترامب على لقاء زعيم كوريا الشمالية كيم جونغ أون."),
    _case(set(), "ar", "أعطى الرئيس الأمريكي موافقته هذا الشهر على عقد قمة مع الزعيم الكوري الشمالي."),
    _case(set(), "en", "It is unclear whether the Iranian foreign minister met his Omani counterpart."),
    _case(set(), "ar", "لم يتضح ما إذا كان وزير الخارجية الإيراني التقى نظيره العماني."),
    _case(set(), "fa", "معلوم نیست اینکه آیا وزیر امور خارجه ایران با همتای عمانی خود دیدار کرد."),
    # (the trip itself took place: "arrived in Sweden", as in English)
    _case({("PRK", "SWE")}, "ar", "وصل وزير خارجية كوريا الشمالية إلى السويد لتحضير اللقاء المتوقع بين ترامب وكيم."),
    _case({("PRK", "SWE")}, "en", "The North Korean foreign minister arrived in Sweden to prepare for the expected "
                                  "meeting between Trump and Kim."),
    _case(set(), "ar", "تأتي الزيارة قبل اجتماعات قمة مقررة بين الزعيم الكوري الشمالي والرئيس الكوري الجنوبي."),
    _case(set(), "ar", "تحدثت الصحف عن زيارة الزعيم الكوري الشمالي غير المؤكدة إلى بكين."),
])
def test_modality_prepared_possible_agreed_or_unknown(lang, text, expected):
    """Preparations for, a possibility of, an agreement to or a doubt about a contact (and a
    meeting "expected", "scheduled" or "unconfirmed") is not a contact held."""
    assert pairs(text, lang) == expected


def test_a_common_surname_is_not_a_foreign_leader():
    # "بخاري" (Bukhari) is a common Arab surname, not only Nigeria's President Buhari (in office
    # 2015-2023: the article's day is within his term)
    text = "التقى القائم بأعمال سفارة المملكة العربية السعودية وليد بخاري رئيس مجلس النواب اللبناني."
    assert pairs(text, "ar", published="2018-03-04") == {("LBN", "SAU")}


@pytest.mark.parametrize("lang, text, expected", [
    _case({("EGY", "IRN"), ("IRN", "JPN")}, "en",
          "The ambassadors of Egypt and Japan paid courtesy calls on the Iranian President."),
    _case({("EGY", "IRN"), ("IRN", "JPN")}, "ar", "سفيرا مصر واليابان زارا الرئيس الإيراني في مكتبه."),
])
def test_gathering_scope_several_subjects_visit_each_object(lang, text, expected):
    """Subject-verb-object order (English, Arabic headlines); a meeting of coordinated subjects
    ("A and B met C") stays one meeting."""
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # the countries of plural counterparts after "from"/"in"/"از": each meets the subject (calls)
    _case({("ARE", "USA"), ("KWT", "USA"), ("QAT", "USA")}, "en",
          "Secretary Pompeo spoke by phone with his counterparts from the UAE, Kuwait and Qatar."),
    _case({("ARE", "USA"), ("KWT", "USA"), ("QAT", "USA")}, "fa",
          "مایک پمپئو گفت که به صورت تلفنی با همتایان خود از امارات، کویت و قطر گفتگو کرده است."),
    _case({("ARE", "USA"), ("KWT", "USA"), ("QAT", "USA")}, "ar",
          "أجرى وزير الخارجية الأمريكي مايك بومبيو اتصالات هاتفية مع نظرائه في الإمارات والكويت وقطر."),
    # a dual counterpart with two demonyms ("والتركي": "and the Turkish") is one meeting of three
    _case({("IRN", "RUS"), ("IRN", "TUR"), ("RUS", "TUR")}, "ar",
          "التقى وزير الخارجية الإيراني جواد ظريف نظيريه الروسي والتركي في جنيف الثلاثاء."),
])
def test_gathering_scope_counterparts_from_a_list(lang, text, expected):
    assert pairs(text, lang, published="2020-05-01") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # plural titles over a list of states: their officials, received one by one when ambassadors
    _case({("CUB", "SAU"), ("KGZ", "SAU"), ("QAT", "SAU")}, "en",
          "Saudi Deputy Foreign Minister Waleed Al-Khuraiji received the ambassadors of Qatar, Cuba and "
          "Kyrgyzstan in Riyadh on Monday."),
    _case({("CUB", "SAU"), ("KGZ", "SAU"), ("QAT", "SAU")}, "ar",
          "التقى وزير الخارجية السعودي عادل الجبير الأحد في الرياض سفراء قطر وكوبا وقرغيزستان."),
    _case({("FRA", "IRN"), ("IRN", "LBN"), ("IRN", "TUN")}, "fa",
          "حسن روحانی روز سه‌شنبه در نیویورک با روسای جمهور فرانسه، لبنان و تونس دیدار کرد."),
    # a plural title inside a longer list of partners is one more item of the list, not a
    # meeting of all of them
    _case({("AUT", "IRN"), ("DEU", "IRN"), ("FJI", "IRN"), ("IRN", "IRQ"), ("IRN", "TUR")}, "fa",
          "حسن روحانی روز سه‌شنبه در نیویورک با رئیس‌جمهور اتریش، نخست وزیر فیجی، وزیر خارجه آلمان و "
          "روسای جمهور ترکیه و عراق دیدار کرد."),
])
def test_gathering_scope_plural_titles(lang, text, expected):
    assert pairs(text, lang, published="2019-09-28") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # partners after "with" of a subject the article does not name: no contact between them
    _case(set(), "fa", "وی همچنین در این سفر با رئیس‌جمهور اتریش، نخست وزیر فیجی و وزیر خارجه آلمان دیدار کرد."),
    _case(set(), "en", "He also met with the President of Austria, the Prime Minister of Fiji and the German "
                       "foreign minister."),
    _case(set(), "ar", "كما التقى مع رئيس النمسا ورئيس وزراء فيجي ووزير الخارجية الألماني."),
    # "with" a meeting: its parties are the meeting's own
    _case({("ISR", "USA")}, "fa", "لحظه به لحظه با دیدار نتانیاهو و ترامپ در کاخ سفید."),
])
def test_partners_after_with_meet_the_subject_not_each_other(lang, text, expected):
    assert pairs(text, lang, published="2019-09-28") == expected


_SHEHBAZ = {"en": "Pakistani Prime Minister Shehbaz Sharif thanked the leaders for their support. ",
            "ar": "شكر رئيس الوزراء الباكستاني شهباز شريف القادة على دعمهم. ",
            "fa": "نخست وزیر پاکستان شهباز شریف از رهبران تشکر کرد. "}


@pytest.mark.parametrize("lang, text, expected", [
    # a list after a word whose objects are the other side (cues/<lang>/partner.txt), no party
    # before it: the partners of the story's subject, not of each other
    _case({("PAK", "TUR"), ("OMN", "PAK")}, "en", "He talked to Turkish President Erdogan and the Sultan of Oman."),
    _case({("PAK", "TUR"), ("OMN", "PAK")}, "en", "He met Turkish President Erdogan and the Sultan of Oman."),
    _case({("PAK", "TUR"), ("OMN", "PAK")}, "ar", "والتقى كلا من الرئيس التركي أردوغان وسلطان عمان."),
    _case({("PAK", "TUR"), ("OMN", "PAK")}, "ar", "وتلقى اتصالين هاتفيين من الرئيس التركي أردوغان وسلطان عمان."),
    _case({("PAK", "TUR"), ("OMN", "PAK")}, "fa", "وی با هر یک از رئیس‌جمهور ترکیه و سلطان عمان دیدار کرد."),
    # a party before the verb is its subject: it meets each of the list
    _case({("OMN", "TUR"), ("IRN", "TUR")}, "en",
          "Turkish President Erdogan met the Sultan of Oman and the Iranian President."),
])
def test_partners_after_a_transitive_verb_meet_the_subject_not_each_other(lang, text, expected):
    assert pairs(_SHEHBAZ[lang] + text, lang, published="2025-06-12") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # coordinated subjects in separate meetings with a third meet it, not each other
    _case({("ISR", "USA"), ("UKR", "USA")}, "en",
          "Zelensky and Netanyahu held separate meetings with President Trump at the White House on Monday."),
    _case({("ISR", "USA"), ("UKR", "USA")}, "ar",
          "التقى الرئيس الأوكراني زيلينسكي ورئيس الوزراء الإسرائيلي نتنياهو كل على حدة بالرئيس الأمريكي "
          "ترامب في البيت الأبيض."),
    _case({("ISR", "USA"), ("UKR", "USA")}, "fa",
          "زلنسکی و نتانیاهو در دیدارهایی جداگانه با ترامپ در کاخ سفید گفت‌وگو کردند."),
    # without "separate", coordinated subjects meeting a third: one meeting of the three
    _case({("ISR", "UKR"), ("ISR", "USA"), ("UKR", "USA")}, "en",
          "Zelensky and Netanyahu met President Trump at the White House on Monday."),
])
def test_gathering_scope_coordinated_subjects_and_separate_meetings(lang, text, expected):
    assert pairs(text, lang, published="2025-08-18") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a comment on someone else's visit: the speaker is no party of it
    _case({("GBR", "SAU")}, "ar", "قرقاش عن زيارة ولي عهد السعودية لبريطانيا: الحملة يائسة"),
    _case({("GBR", "SAU")}, "en", "UAE Minister of State Anwar Gargash commented on the Saudi crown "
                                  "prince's visit to Britain."),
    _case({("GBR", "SAU")}, "fa", "قرقاش، وزیر مشاور امارات در امور خارجه، درباره سفر ولیعهد عربستان به "
                                  "بریتانیا گفت این کارزار ناامیدانه است."),
    # the speaker's own visit stays his
    _case({("QAT", "RUS")}, "ar", "تحدث وزير الخارجية القطري عن زيارته إلى روسيا ولقائه مع لافروف."),
    _case({("QAT", "RUS")}, "en", "The Qatari foreign minister commented on his visit to Russia and his "
                                  "talks with Lavrov."),
    _case({("IRN", "RUS")}, "fa", "ظریف درباره سفرش به مسکو و دیدار با لاوروف صحبت کرد."),
])
def test_a_comment_on_a_contact_is_no_part_of_it(lang, text, expected):
    assert pairs(text, lang, published="2018-03-10") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a movement named by its country (Hezbollah, Hamas, the Houthis / Ansar Allah) acts for no
    # state: the country word that names it is no actor ...
    _case(set(), "ar", "التقى وزير الخارجية الإيراني وفدا من حزب الله اللبناني في بيروت."),
    _case(set(), "en", "The Iranian foreign minister met a delegation of Lebanon's Hezbollah in Beirut."),
    _case(set(), "fa", "ظریف با هیئتی از انصارالله یمن در تهران دیدار کرد."),
    # ... but a state beside it ("and") still is
    _case({("ISR", "USA")}, "fa", "رئیس‌جمهور آمریکا: با اسرائیل و حزب‌الله گفت‌وگو کردم."),
    _case({("ISR", "USA")}, "ar", "أجرى وزير الخارجية الأمريكي اتصالا هاتفيا مع إسرائيل وحماس."),
])
def test_actor_type_movements_are_no_state(lang, text, expected):
    assert pairs(text, lang, published="2024-03-04") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a travel advice not to go, a refusal to negotiate: no contact
    _case(set(), "fa", "وزارت خارجه بریتانیا به شهروندان خود توصیه کرد به بخش‌هایی از اسرائیل سفر نکنند."),
    _case(set(), "fa", "هم‌زمان با خودداری تهران از مذاکره با آمریکا، مقام‌ها هشدار دادند."),
])
def test_negation_persian_subjunctive_and_refusal(lang, text, expected):
    assert pairs(text, lang, published="2026-07-20") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # the leaders of five states or more at one meeting: a large gathering, no pair from the list
    _case(set(), "ar", "انعقد اجتماع المجلس الاقتصادي الأوراسي الأعلى بمشاركة قادة روسيا وكازاخستان وبيلاروس "
                       "وقيرغيزستان وأرمينيا."),
    _case(set(), "en", "The meeting of the Supreme Eurasian Economic Council was attended by the leaders of "
                       "Russia, Kazakhstan, Belarus, Kyrgyzstan and Armenia."),
    _case(set(), "fa", "نشست شورای عالی اقتصادی اوراسیا با حضور رهبران روسیه، قزاقستان، بلاروس، قرقیزستان و "
                       "ارمنستان برگزار شد."),
    # three are a small group: every pair
    _case({("IRN", "RUS"), ("IRN", "TUR"), ("RUS", "TUR")}, "en",
          "The foreign ministers of Russia, Iran and Turkey met in Moscow on Monday."),
])
def test_gathering_scope_a_plural_title_over_many_states_is_a_large_gathering(lang, text, expected):
    assert pairs(text, lang, published="2026-05-10") == expected


@pytest.mark.parametrize("source, lang, text, expected", [
    # a foreign envoy calling on an unnamed minister in a national outlet's story: the home
    # state's minister
    ("app.com.pk", "en", "ISLAMABAD, Jan 16 (APP): French Ambassador Nicolas Galey called on Power Minister "
                         "Awais Leghari on Thursday.", {("FRA", "PAK")}),
    ("spa.gov.sa", "ar", "استقبل وزير الدولة للشؤون الخارجية اليوم سفير اليابان لدى المملكة.", {("JPN", "SAU")}),
    ("irna.ir", "fa", "سفیر ژاپن در تهران روز دوشنبه با وزیر نیرو دیدار کرد.", {("IRN", "JPN")}),
    # a named state's minister stays that state's
    ("app.com.pk", "en", "French Ambassador Nicolas Galey met the Egyptian Power Minister on Thursday.",
     {("EGY", "FRA")}),
    # the outlet's own envoys to other states received by an unnamed official: their own state's
    ("app.com.pk", "en", "The ambassador designate of Pakistan to Morocco and the ambassador designate of "
                         "Pakistan to Switzerland met the President.", set()),
    ("spa.gov.sa", "ar", "استقبل وزير الخارجية اليوم سفير المملكة العربية السعودية لدى فرنسا.", set()),
    ("irna.ir", "fa", "سفیر ایران در فرانسه روز دوشنبه با وزیر امور خارجه دیدار کرد.", set()),
])
def test_an_envoys_unnamed_host_in_a_national_outlet(source, lang, text, expected):
    got = extract_contacts({"id": "t", "text": text, "lang": lang, "source": source,
                            "published_at": "2025-01-16"})
    assert {tuple(c.countries) for c in got} == expected


def test_partners_after_with_meet_the_story_subject():
    text = ("Iranian President Hassan Rouhani arrived in New York on Monday. He also met with the "
            "presidents of France and Lebanon on Tuesday.")
    assert pairs(text, "en", published="2019-09-28") == {("FRA", "IRN"), ("IRN", "LBN")}


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "Canada and the Netherlands called on the International Court of Justice to order "
                       "a halt to torture in Syria."),
    _case({("IND", "IRN")}, "en", "The Indian High Commissioner paid a courtesy call on the Iranian President."),
    _case({("IND", "IRN")}, "en", "The Indian High Commissioner paid a farewell call on the Iranian President."),
    _case({("IND", "IRN")}, "en", "The Iranian President said so in a call on by the Indian High Commissioner."),
    _case({("IND", "IRN")}, "ar", "قام السفير الهندي بزيارة وداعية للرئيس الإيراني."),
    _case({("IND", "IRN")}, "fa", "سفیر هند در دیدار خداحافظی با رئیس‌جمهور ایران گفت‌وگو کرد."),
    _case({("IRN", "SAU")}, "en", "The Saudi foreign minister called on his Iranian counterpart in Tehran."),
    _case(set(), "en", "The Saudi foreign minister called on Iran to stop its attacks on shipping."),
])
def test_modality_called_on_to_is_an_appeal_a_courtesy_call_a_visit(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text", [
    ("en", "The new ambassador of France presented his credentials to the Iranian President."),
    ("ar", "قدم السفير الفرنسي الجديد أوراق اعتماده إلى الرئيس الإيراني."),
    ("fa", "سفیر جدید فرانسه استوارنامه خود را تقدیم رئیس جمهور ایران کرد."),
])
def test_presenting_credentials_is_a_meeting(lang, text):
    assert pairs(text, lang) == {("FRA", "IRN")}


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "North Korea said Pyongyang had received Russian help to put a satellite into orbit."),
    _case(set(), "en", "The Iraqi prime minister received aid from the Russian foreign minister."),
    _case({("PRK", "RUS")}, "en", "The North Korean leader received the Russian foreign minister in Pyongyang."),
    _case(set(), "ar", "تسلمت الحكومة العراقية شحنة أسلحة روسية."),
    _case({("IRQ", "RUS")}, "ar", "استقبل رئيس الوزراء العراقي وزير الخارجية الروسي في بغداد."),
    _case(set(), "fa", "دولت عراق محموله سلاح روسیه را دریافت کرد."),
    _case({("IRQ", "RUS")}, "fa", "نخست وزیر عراق وزیر خارجه روسیه را در بغداد به حضور پذیرفت."),
])
def test_speech_act_receiving_goods_is_not_receiving_a_visitor(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "fa", "رژیم صهیونیستی به مقابله با فلسطین و کشورهای محور مقاومت می‌پردازد."),
    _case({("ISR", "PSE")}, "ar", "بحث الرئيس الفلسطيني في مقابلة مع رئيس الوزراء الإسرائيلي الأوضاع."),
])
def test_an_arabic_cue_is_not_read_in_persian(lang, text, expected):
    """Persian "مقابله با" is "confronting"; Arabic "مقابلة مع" a meeting."""
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text", [
    ("en", "Lawmakers criticised the decision to restore travel bans to Cuba imposed by the United States."),
    ("ar", "انتقد النواب قرار الولايات المتحدة إعادة حظر السفر إلى كوبا."),
    ("fa", "نمایندگان کنگره آمریکا از بازگرداندن ممنوعیت‌های سفر به کوبا انتقاد کردند."),
    ("en", "The Iranian foreign minister left for Muscat to hold talks with his Omani counterpart."),
    ("ar", "تتواصل الجهود لعقد لقاء بين وزير الخارجية الإيراني ونظيره العماني."),
    ("fa", "تلاش‌ها برای برگزاری دیدار وزیر امور خارجه ایران با همتای عمانی ادامه دارد."),
])
def test_a_travel_ban_or_the_purpose_to_hold_talks_is_no_contact(lang, text):
    assert pairs(text, lang) == set()


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "Where did the Iranian foreign minister meet his Omani counterpart?"),
    _case(set(), "ar", "أين التقى وزير الخارجية الإيراني نظيره العماني؟"),
    _case(set(), "fa", "وزیر امور خارجه ایران کجا با همتای عمانی خود دیدار کرد؟"),
    _case(IRN_OMN, "en", "Iranian foreign minister meets Omani counterpart: what did they discuss?"),
    _case(set(), "en", "The Iranian President refused to meet the Omani ambassador."),
    _case(set(), "fa", "رئیس جمهور ایران از دیدار با سفیر عمان امتناع کرد."),
    _case(IRN_OMN, "ar", "أكد الجانبان العمل من أجل السلام عندما زار وزير الخارجية الإيراني سلطنة عمان."),
    _case({("TUR", "USA")}, "ar", "علقت الخارجية الروسية على لقاء الرئيس التركي بنظيره الأمريكي في واشنطن."),
    _case(set(), "en", "The Iranian foreign minister postponed his visit to Oman."),
    _case(set(), "ar", "أجل وزير الخارجية الإيراني زيارته إلى سلطنة عمان."),
    _case(set(), "fa", "سفر وزیر امور خارجه ایران به عمان به تعویق افتاد."),
    _case(set(), "ar", "رفض الرئيس الإيراني استقبال السفير الأمريكي."),
    _case({("EGY", "TUR")}, "ar", "جددت مصر وتركيا رفضهما تهجير الفلسطينيين خلال لقاء وزير الخارجية المصري "
                                  "نظيره التركي في أنقرة."),
    _case(set(), "en", "The Russian ambassador requested a meeting with the British foreign secretary."),
    _case(set(), "ar", "السفير الروسي لدى بريطانيا يطلب مقابلة وزير الخارجية البريطاني."),
    _case(set(), "fa", "سفیر روسیه درخواست دیدار با وزیر خارجه انگلیس را داد."),
    _case(set(), "ar", "قال وزير الخارجية الأردني إن بلاده ستجري محادثات مع روسيا."),
    _case(set(), "en", "The father of the US President's adviser met the Qatari finance minister."),
    _case(set(), "ar", "التقى والد مستشار الرئيس الأمريكي وزير المالية القطري."),
    _case(set(), "fa", "پدر مشاور رئیس جمهور آمریکا با وزیر دارایی قطر دیدار کرد."),
])
def test_questions_postponements_refusals_requests_and_relatives(lang, text, expected):
    """A question reports nothing; a postponed, refused or requested meeting is not held (what
    is rejected "during" a meeting does not void it); a future verb of either gender; a
    relative of an official is a private person."""
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    _case(set(), "en", "An aid shipment from Germany arrived in Iran on Monday."),
    _case(set(), "fa", "چهار محموله دارویی از آلمان به ایران وارد شد."),
    _case({("DEU", "IRN")}, "fa", "وزیر خارجه آلمان وارد تهران شد."),
    _case({("IRN", "LBN")}, "fa", "وزیر امور خارجه ایران برای بررسی کمک‌های بشردوستانه به لبنان سفر کرد."),
    _case({("IRQ", "SAU")}, "en", "After the aid pledge the Iraqi prime minister visited Saudi Arabia on Monday."),
    _case(IRN_OMN, "ar", "أبوظبي (وام) - زار وزير الخارجية الإيراني سلطنة عمان."),
    _case(set(), "fa", "سفیر جمهوری چک در ایران در نشست خبری روز تجارت چک سخن گفت."),
    _case(set(), "ar", "قالت الخارجية البريطانية إن لندن ستعلق اتصالاتها الثنائية مع موسكو."),
])
def test_goods_that_arrive_and_a_press_conference_are_no_visit(lang, text, expected):
    assert pairs(text, lang) == expected


# ---- third round (dev splits, 2026-12-06 afternoon) ------------------------------------------

@pytest.mark.parametrize("lang, text, expected", [
    # where the traveller came from is no party (origin.txt); the destination still is
    _case({("LBN", "USA")}, "en", "The US Secretary of State visited Lebanon after leaving Jordan."),
    _case({("LBN", "USA")}, "ar", "التقى وزير الخارجية الأمريكي الرئيس اللبناني في بيروت الاثنين. "
                                  "ووصل الوزير إلى القصر الرئاسي قادما من الأردن."),
    _case({("LBN", "USA")}, "fa", "وزیر خارجه آمریکا پس از ترک اردن به لبنان سفر کرد."),
])
def test_origin_of_a_trip_is_no_party(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a planned or possible meeting's "between"/"with" names its own parties, not the held one's
    _case({("RUS", "USA")}, "en", "Kerry met Lavrov on Monday to discuss a planned meeting between Obama and Rouhani."),
    _case(IRN_OMN, "ar", "التقى وزير الخارجية الإيراني نظيره العماني في مسقط الاثنين لمناقشة قمة مرتقبة "
                         "بين الرئيس الإيراني والرئيس المصري."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران روز دوشنبه با همتای عمانی خود در مسقط دیدار کرد و درباره "
                         "دیدار احتمالی میان رئیس جمهور ایران و رئیس جمهور مصر گفتگو کرد."),
    # the void event's object may stand between it and its "with" ("will visit the space centre
    # together with the president of Belarus")
    _case(set(), "en", "The Russian president arrived in the Amur region, where he will visit the space centre "
                       "together with the president of Belarus."),
    _case(set(), "ar", "وصل الرئيس الروسي إلى منطقة آمور، حيث سيزور مركز الفضاء الجديد هناك مع الرئيس البيلاروسي."),
    _case(set(), "fa", "رئیس جمهور روسیه به منطقه آمور رسید، جایی که از مرکز فضایی جدید منطقه به همراه رئیس جمهور بلاروس "
                       "بازدید خواهد کرد."),
    _case({("BLR", "RUS")}, "en", "The Russian president arrived in the Amur region, where he visited the space centre "
                                  "together with the president of Belarus."),
    # beside a visit, "to meet X" names the host of the visit
    _case({("DEU", "FRA")}, "fa", "صدراعظم آلمان روز چهارشنبه برای دیدار و گفت‌وگو با رئیس جمهور فرانسه به پاریس رفت."),
])
def test_the_parties_of_a_void_event_are_not_the_held_ones(lang, text, expected):
    assert pairs(text, lang, published="2016-03-04") == expected


def modes(text: str, lang: str) -> dict[tuple[str, ...], str]:
    return {tuple(c.countries): c.mode for c in extract_contacts(
        {"id": "t", "text": text, "lang": lang, "published_at": "2024-03-04"})}


@pytest.mark.parametrize("lang, text, expected", [
    # a conversation with no meeting, visit or place named is held by phone (triggers.tsv's
    # "conversation" talk words); talks or negotiations stay in person
    _case({("IRN", "OMN"): "phone"}, "en", "The Iranian foreign minister said during a conversation with his Omani "
                                           "counterpart that the region needed calm."),
    _case({("IRN", "OMN"): "phone"}, "fa", "وزیر امور خارجه ایران در گفت‌وگو با همتای عمانی خود درباره تحولات منطقه "
                                           "رایزنی کرد."),
    _case({("IRN", "OMN"): "visit"}, "ar", "بحث وزير الخارجية الإيراني مع نظيره العماني تطورات المنطقة."),
    _case({("IRN", "OMN"): "visit"}, "en", "The Iranian foreign minister held negotiations with his Omani counterpart "
                                           "on the region."),
    _case({("IRN", "OMN"): "visit"}, "fa", "وزیر امور خارجه ایران در دیدار و گفت‌وگو با همتای عمانی خود درباره "
                                           "تحولات منطقه رایزنی کرد."),
])
def test_a_conversation_without_a_meeting_is_a_call(lang, text, expected):
    assert modes(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # talks named after "about" beside another contact word are that contact's topic: their "with"
    # names no party of it (the English and Arabic sentences already gave this through the parties'
    # rules; the Persian one needs commented_topic)
    _case({("ISR", "USA")}, "en", "The US president and the Israeli prime minister spoke by phone on Tuesday about "
                                  "the state of the negotiations with Iran."),
    _case({("ISR", "USA")}, "ar", "بحث الرئيس الأمريكي ورئيس الوزراء الإسرائيلي في اتصال هاتفي الثلاثاء حول "
                                  "المفاوضات مع إيران."),
    _case({("ISR", "USA")}, "fa", "رئیس جمهور آمریکا و نخست وزیر اسرائیل روز سه‌شنبه درباره وضعیت مذاکرات با ایران "
                                  "تماس تلفنی داشتند."),
    # the speaker's own contacts are no topic
    _case({("PRK", "USA"), ("CHN", "USA")}, "en", "The US secretary of state spoke about his visits to North Korea "
                                                  "and China."),
])
def test_talks_a_contact_is_about_are_its_topic(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # the object of a visit verb is the host: "visited Riyadh", "زار الرياض", "از ریاض دیدار کرد"
    _case({("SAU", "USA"): "visit"}, "ar", "وكان وزير الخارجية الأمريكي زار الرياض الأسبوع الماضي."),
    _case({("SAU", "USA"): "visit"}, "en", "The US secretary of state visited Riyadh last week."),
    _case({("SAU", "USA"): "visit"}, "fa", "وزیر خارجه آمریکا هفته گذشته از ریاض دیدار کرد."),
    # ... and the venue of the meetings of the visit: its host receives, the others meet there
    _case({("DEU", "USA"): "visit", ("GBR", "USA"): "third-party", ("FRA", "USA"): "third-party",
           ("DEU", "GBR"): "visit", ("DEU", "FRA"): "visit", ("FRA", "GBR"): "third-party"}, "ar",
          "وقال مسؤولون إن وزير الخارجية الأمريكي زار برلين الخميس والتقى نظراءه البريطاني والفرنسي والألماني."),
])
def test_the_place_a_visit_verb_takes_hosts_it(lang, text, expected):
    assert modes(text, lang) == expected


def _modes_on(text: str, lang: str, day: str) -> dict[tuple[str, ...], str]:
    return {tuple(c.countries): c.mode for c in extract_contacts(
        {"id": "t", "text": text, "lang": lang, "published_at": day})}


@pytest.mark.parametrize("lang, text, expected", [
    # the place of a meeting counts from the end of the partner's phrase (title, then name)
    _case({("PRK", "USA"): "third-party"}, "ar", "التقى الرئيس الأمريكي دونالد ترامب وزعيم كوريا الشمالية كيم جونغ أون "
                                                 "في قمة تاريخية في سنغافورة."),
    _case({("PRK", "USA"): "third-party"}, "en", "President Donald Trump met the North Korean leader, Chairman of the "
                                                 "State Affairs Commission Kim Jong Un, in Singapore."),
    _case({("PRK", "USA"): "third-party"}, "fa", "دونالد ترامپ رئیس جمهور آمریکا با کیم جونگ اون رهبر کره شمالی در "
                                                 "نشستی تاریخی در سنگاپور دیدار کرد."),
])
def test_the_place_of_a_meeting_after_a_long_partner_phrase(lang, text, expected):
    assert _modes_on(text, lang, "2018-06-12") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # held contacts that look like the phenomena above and must stay (a reviewer's cases)
    # a departure with no destination or in another sense is no onward trip
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران پس از دیدار با همتای عمانی خود در مسقط عازم دوحه شد."),
    _case({("IRN", "TKM")}, "fa", "رئیس جمهور ایران پس از دیدار با رئیس جمهور ترکمنستان در عشق‌آباد راهی تهران شد."),
    _case(IRN_OMN, "fa", "در دیدار وزرای خارجه ایران و عمان که در مسقط انجام شد دو طرف راهی برای گسترش همکاری‌ها یافتند."),
    _case({("IRN", "QAT")}, "ar", "وبعد لقائه أمير قطر في الدوحة، غادر الرئيس الإيراني العاصمة القطرية متوجها إلى مسقط."),
    _case({("EGY", "FRA")}, "ar", "وفي اتصال هاتفي، توجه الرئيس الفرنسي بالتعزية إلى الرئيس المصري في ضحايا الحادث."),
    _case(IRN_OMN, "en", "In talks that left both sides optimistic, the Iranian foreign minister and his Omani "
                         "counterpart agreed to expand trade."),
    _case(IRN_OMN, "en", "Before going on leave, the Iranian ambassador met the Omani foreign minister in Muscat "
                         "to discuss bilateral ties."),
    # a cancellation whose object is something else; a forward clause before the report
    _case(IRN_OMN, "fa", "ایران و عمان در دیدار وزرای خارجه دو کشور در مسقط روادید اتباع یکدیگر را لغو کردند."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران که قرار است برای شرکت در نشست سالانه مجمع عمومی به نیویورک برود "
                         "امروز در تهران با همتای عمانی خود دیدار کرد."),
    # "عن" after أعلن/فضلا is no "about"; the speaker's own contact is no topic
    _case({("IRN", "OMN"), ("IRN", "QAT")}, "ar", "بحث وزير الخارجية الإيراني مع نظيره العماني في مسقط، فضلا عن لقاء "
                                                  "مع وزير الخارجية القطري."),
    _case({("IRN", "OMN"), ("IRN", "QAT")}, "fa", "وزیر امور خارجه ایران روز دوشنبه با همتای عمانی خود در مسقط دیدار و "
                                                  "درباره دیدار هفته گذشته خود با وزیر خارجه قطر گفتگو کرد."),
    # a rebel army's commander acts for no state
    _case(set(), "en", "The Egyptian president received Libyan National Army commander Khalifa Haftar in Cairo on Monday."),
    _case(set(), "ar", "استقبل الرئيس المصري قائد الجيش الوطني الليبي خليفة حفتر في القاهرة الاثنين."),
    _case(set(), "fa", "رئیس جمهور مصر روز دوشنبه با خلیفه حفتر فرمانده ارتش ملی لیبی در قاهره دیدار کرد."),
])
def test_held_contacts_that_resemble_the_phenomena(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # rounds of talks and plural talks are no conversation: in person
    _case({("IRN", "JPN"): "visit"}, "fa", "معاون وزیر خارجه ایران و معاون وزیر خارجه ژاپن در دور پنجم گفت‌وگوهای "
                                           "سیاسی دو کشور درباره تحولات منطقه رایزنی کردند."),
    _case({("IRN", "JPN"): "visit"}, "en", "Iranian and Japanese deputy foreign ministers held the fifth round of "
                                           "political conversations between the two countries on Monday."),
    _case({("IRN", "OMN"): "visit"}, "ar", "أجرى وزير الخارجية الإيراني الجولة الخامسة من المحادثات مع نظيره العماني."),
    # a press conference is no conference venue (other_sense.txt)
    _case({("EGY", "TUR"): "visit"}, "en", "The Turkish president met his Egyptian counterpart on Monday and said at "
                                           "a press conference that the talks focused on Gaza."),
    _case({("EGY", "TUR"): "visit"}, "ar", "أكد الرئيس التركي خلال مؤتمر صحافي جمعه بنظيره المصري أن المحور الأساسي "
                                           "لاجتماع الرئيسين كان فلسطين."),
    _case({("EGY", "TUR"): "visit"}, "fa", "رئیس جمهور ترکیه روز دوشنبه با همتای مصری خود دیدار کرد و در نشست خبری "
                                           "گفت گفتگوها بر غزه متمرکز بود."),
])
def test_rounds_of_talks_are_in_person(lang, text, expected):
    assert modes(text, lang) == expected


def _pairs_on(text: str, lang: str, day: str) -> set[tuple[str, ...]]:
    return {tuple(c.countries) for c in extract_contacts({"id": "t", "text": text, "lang": lang, "published_at": day})}


@pytest.mark.parametrize("lang, text, expected", [
    # a contact the text dates after the report (beyond a day of time zones) has not happened
    _case(set(), "en", "The Sri Lankan president holds talks with the Vietnamese president in Hanoi on May 10."),
    _case(set(), "ar", "يجري الرئيس السريلانكي محادثات مع نظيره الفيتنامي في هانوي في 10 مايو 2025."),
    _case(set(), "fa", "گفتگوی رئیس جمهور سریلانکا با رئیس جمهور ویتنام در هانوی در ۲۰ اردیبهشت."),
    _case({("LKA", "VNM")}, "en", "The Sri Lankan president held talks with the Vietnamese president in Hanoi on April 28."),
])
def test_a_contact_dated_after_the_report_is_planned(lang, text, expected):
    assert _pairs_on(text, lang, "2025-05-03") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a cancellation closing the clause whose subject is the talks
    _case(set(), "en", "The US president says all trade talks with Canada are terminated."),
    _case(set(), "ar", "قال الرئيس الأمريكي إن كل المحادثات التجارية مع كندا ألغيت."),
    _case(set(), "fa", "رئیس جمهور آمریکا گفت همه مذاکرات تجاری با کانادا لغو شد."),
    _case(set(), "en", "US-Iran talks postponed as the vice president cancels his trip."),
    # ... not a cancellation of something else after "and"
    _case({("CAN", "USA")}, "en", "The US president held talks with the Canadian prime minister and the tariffs "
                                  "were terminated."),
    # English headlines: "to" + verb is the future, "may cancel", "no plans for"
    _case(set(), "en", "The UK prime minister to host the French president in London next week."),
    _case(set(), "en", "US negotiators to head to Pakistan for talks with Iranian officials."),
    _case(set(), "en", "The US president may cancel his meeting with the Chinese president."),
    _case(set(), "en", "White House says no plans for a meeting between the US and Russian presidents."),
    # "ahead of"/"قبيل" a meeting: not yet held; in English its parties may stand before the noun
    # ("ahead of the Zelenskyy meeting"). (English "before" and Persian "پیش از" were tried: "before
    # leaving Tokyo at the end of a four-day visit" reports a held visit, so they are not listed)
    _case(IRN_OMN, "en", "The Iranian foreign minister repeated his warning before leaving Muscat yesterday at the "
                         "end of a two-day visit."),
    _case({("RUS", "USA")}, "en", "The US president holds a call with the Russian president ahead of the Zelenskyy "
                                  "meeting."),
    _case(set(), "ar", "قصفت الطائرات الروسية أوكرانيا قبيل لقاء زيلينسكي وترامب."),
    _case(set(), "fa", "رئیس جمهور آمریکا در آستانه نشست گروه هفت با رهبران اروپایی گفتگو خواهد کرد."),
    # opposed to or warned against a meeting: not held (rejection.txt)
    _case(set(), "ar", "قدمت أجهزة الأمن الفلسطينية تقارير للرئيس الفلسطيني تحذر من مغبة استقبال وزير الدفاع الإسرائيلي."),
    _case(set(), "ar", "تصاعد الضغط الشعبي الرافض للقاء الرئيس الفلسطيني ووزير الدفاع الإسرائيلي."),
    _case(set(), "en", "Palestinian security services warned against receiving the Israeli defence minister in Ramallah."),
    _case(set(), "fa", "نهادهای امنیتی فلسطین مخالف دیدار رئیس تشکیلات خودگردان با وزیر دفاع اسرائیل هستند."),
    # preparing to receive a guest: not yet received
    _case(set(), "ar", "بريطانيا تحضر لاستقبال الرئيس الأمريكي بمقاتلات الشبح."),
    _case(set(), "en", "Britain prepares to receive the US president with stealth fighters."),
    _case(set(), "fa", "بریتانیا آماده استقبال از رئیس جمهور آمریکا می‌شود."),
])
def test_headline_futures_and_cancellations(lang, text, expected):
    assert _pairs_on(text, lang, "2025-09-04") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # the destination of a void visit hosts no live one
    _case(None, "ar", "وأشار إلى أن هذه الزيارة الأولى للسعودية للرئيس المصري والتي تأتي قبيل زيارة مرجحة لطهران."),
    _case(None, "en", "This is the Egyptian president's first visit to Saudi Arabia, which comes ahead of a likely "
                      "visit to Tehran."),
    _case(None, "fa", "این نخستین سفر رئیس جمهور مصر به عربستان است که پیش از سفر احتمالی او به تهران انجام شد."),
])
def test_a_void_visits_destination_is_no_host(lang, text, expected):
    assert ("EGY", "IRN") not in _pairs_on(text, lang, "2012-07-10")


EGY_JOR_DZA = {("EGY", "JOR"), ("DZA", "EGY"), ("DZA", "JOR")}


@pytest.mark.parametrize("lang, text, expected", [
    # one plural title naming three states and no one else: they met together (every pair)
    _case(EGY_JOR_DZA, "en", "The foreign ministers of Egypt, Jordan and Algeria discussed Gaza."),
    _case(EGY_JOR_DZA, "ar", "بحث وزراء خارجية مصر والأردن والجزائر الأوضاع في غزة."),
    _case(EGY_JOR_DZA, "fa", "وزیران خارجه مصر، اردن و الجزایر درباره غزه گفتگو کردند."),
    # a Persian contact noun with its light verb is the predicate, not the object of "about"; the
    # article of الجزایر is part of the name in a list
    _case({("DZA", "JOR")}, "fa", "وزیران خارجه اردن و الجزایر درباره غزه گفتگو کردند."),
    _case({("DZA", "JOR")}, "fa", "رایزنی وزیران خارجه اردن و الجزایر درباره توقف تنش در غرب آسیا"),
])
def test_a_plural_title_names_one_meeting(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # held contacts near the second round's cues (a second reviewer's cases)
    # a date ahead that dates another event; a date "last year"
    _case(IRN_OMN, "en", "With the Gulf summit due on May 20, the Iranian foreign minister met his Omani counterpart "
                         "in Muscat on Monday."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران دیروز در مسقط با همتای عمانی خود دیدار کرد و گفت انتخابات ۳۰ اردیبهشت است."),
    _case({("LKA", "VNM")}, "en", "The Sri Lankan president met the Vietnamese president in Hanoi on May 20 last year."),
    # a cancellation of the talks' topic, or through a relative clause, is not of the talks
    _case(IRN_OMN, "en", "Iranian and Omani foreign ministers held talks in Muscat on the terminated nuclear deal."),
    _case({("CHN", "ZMB")}, "en", "Chinese and Zambian presidents hold talks on plan to cancel debt."),
    _case({("EGY", "JOR")}, "ar", "عقد الاجتماع الذي تأجل مرتين بين وزيري خارجية مصر والأردن في القاهرة اليوم."),
    # warning of, or opposing, something during a held contact
    _case(IRN_OMN, "ar", "وزير الخارجية الإيراني حذر من التصعيد في اتصال هاتفي مع نظيره العماني أمس."),
    _case({("RUS", "TUR")}, "en", "The Russian and Turkish presidents backing opposing sides in Libya met in Sochi on Monday."),
    _case({("IRN", "RUS")}, "fa", "وزیر امور خارجه ایران با اعلام مخالفت با تحریم‌ها با همتای روس خود در مسکو دیدار کرد."),
    # a title takes no country past a cue that opens another event
    _case({("QAT", "USA")}, "en", "The US envoy spoke to Qatari officials ahead of the Iran-Oman meeting."),
])
def test_held_contacts_near_the_second_rounds_cues(lang, text, expected):
    assert _pairs_on(text, lang, "2025-05-03") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a cancelled summit makes no meeting multilateral; a virtual summit is remote; an
    # organisation's envoy in a small group makes it an organisation's meeting
    _case({("KOR", "USA"): "visit"}, "en", "The US president, who called off the summit with the North Korean leader, "
                                           "discussed the crisis with the South Korean president in Washington on Monday."),
    _case({("CHN", "USA"): "phone"}, "en", "The presidents of China and the United States held a virtual summit on Monday."),
    _case({("IRN", "RUS"): "multilateral", ("IRN", "TUR"): "multilateral", ("RUS", "TUR"): "multilateral"}, "en",
          "The Iranian foreign minister also met with his Russian and Turkish counterparts and the UN Special Envoy "
          "for Syria."),
])
def test_modes_of_summits_and_groups(lang, text, expected):
    assert modes(text, lang) == expected


CHN_KOR = {("CHN", "KOR")}


@pytest.mark.parametrize("lang, text, expected", [
    # a planned or cancelled summit voids the visit that frames it and the talks after it
    _case(set(), "en", "The South Korean president plans to have a summit with the Chinese president in Beijing "
                       "during his four-day state visit to China."),
    _case(set(), "ar", "يعتزم الرئيس الكوري الجنوبي عقد قمة مع الرئيس الصيني في بكين خلال زيارته الرسمية الأولى "
                       "إلى الصين."),
    _case(set(), "en", "The US president cancelled the summit with the North Korean leader, adding that he still "
                       "welcomed talks with him."),
    _case(set(), "ar", "ألغى الرئيس الأمريكي القمة مع زعيم كوريا الشمالية، مضيفا أنه لا يزال مرحبا بإجراء المحادثات "
                       "مع زعيم كوريا الشمالية."),
    _case(set(), "fa", "رئیس جمهور کره جنوبی قصد دارد نشست سران با رئیس جمهور چین را در جریان سفر چهار روزه خود "
                       "به چین برگزار کند."),
    # ... in its own clause only: after a comma another contact is reported
    _case({("KOR", "USA")}, "en", "Days after the cancelled summit, the US secretary of state discussed the crisis "
                                  "with the South Korean foreign minister in Seoul."),
    _case({("KOR", "USA")}, "ar", "وبعد إلغاء القمة، بحث الرئيس الأمريكي مع نظيره الكوري الجنوبي في واشنطن الأزمة."),
    _case(CHN_KOR, "en", "The South Korean president held a summit with the Chinese president in Beijing during his "
                         "four-day state visit to China."),
    _case(CHN_KOR, "ar", "عقد الرئيس الكوري الجنوبي قمة مع الرئيس الصيني في بكين خلال زيارته الرسمية الأولى إلى الصين."),
    _case(CHN_KOR, "fa", "رئیس جمهور کره جنوبی در جریان سفر چهار روزه خود به چین با رئیس جمهور چین دیدار کرد."),
])
def test_a_void_summit_voids_its_frame(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a departure after the reported contact opens a trip of its own: its destination and the
    # officials it is to meet are not the parties of the contact reported before it
    _case({("SAU", "USA")}, "en", "The US Secretary of State visited Saudi Arabia on Tuesday and then left for Ankara "
                                  "to meet Turkish officials."),
    _case({("SAU", "USA")}, "en", "The US Secretary of State visited Saudi Arabia on Tuesday, and is expected to leave "
                                  "for Turkey on Wednesday, to meet Turkish officials."),
    _case({("QAT", "USA")}, "ar", "يقوم وزير الخارجية الأمريكي بزيارة لقطر، الثلاثاء، ومن المتوقع أن يغادرها متجها إلى "
                                  "تركيا الأربعاء، للاجتماع بالجانب التركي."),
    _case({("SAU", "USA")}, "fa", "وزیر خارجه آمریکا روز سه‌شنبه به عربستان سفر کرد و قرار است چهارشنبه برای دیدار "
                                  "با مقامات ترکیه عازم آنکارا شود."),
    # a departure before the contact: the trip's destination is where the contact is
    _case({("SAU", "USA")}, "en", "The US Secretary of State left for Riyadh on Monday, where he met the Saudi crown prince."),
])
def test_an_onward_trip_is_not_the_reported_contact(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # military chiefs act for their state (the corpus README's state actors)
    _case({("IRN", "PAK")}, "en", "The Iranian foreign minister spoke by phone with Pakistan's army chief on Monday."),
    _case({("IRN", "PAK")}, "ar", "أجرى وزير الخارجية الإيراني اتصالا هاتفيا مع قائد الجيش الباكستاني الاثنين."),
    _case({("IRN", "PAK")}, "fa", "وزیر امور خارجه ایران روز دوشنبه در تماس تلفنی با فرمانده ارتش پاکستان گفت‌وگو کرد."),
])
def test_a_military_chief_acts_for_his_state(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # armed groups, parties and monitors named after a state are not the state (regions.tsv)
    _case(set(), "en", "The Iranian foreign minister met a Syrian Democratic Forces delegation in Baghdad on Monday."),
    _case(set(), "ar", "التقى وزير الخارجية الإيراني الاثنين الأمين العام لحزب الله اللبناني في بيروت."),
    _case(set(), "fa", "وزیر امور خارجه ایران روز دوشنبه با دبیرکل حزب‌الله لبنان در بیروت دیدار کرد."),
])
def test_a_group_named_after_a_state_is_not_the_state(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # an Arabic nisba of two words after an indefinite noun; "الزعيم" is a title
    _case({("IRN", "PRK")}, "ar", "التقى وزير الخارجية الإيراني الاثنين مع مسؤول كوري شمالي في طهران."),
    _case({("IRN", "PRK")}, "ar", "التقى الزعيم الكوري الشمالي في بيونغ يانغ الاثنين وزير الخارجية الإيراني."),
    # "إلى" before a place right after an arrival verb names the destination
    _case({("LBN", "USA")}, "ar", "وكان وزير الخارجية الأمريكي قد وصل إلى بيروت قادما من الأردن."),
])
def test_arabic_indefinite_nisba_leader_title_and_destination(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a group name stands for each member (kind group in country_aliases.tsv); its members meet
    # each other only when the group is all the sentence names
    _case({("KOR", "PRK")}, "en", "The leaders of the two Koreas met in Panmunjom on Friday."),
    _case({("KOR", "PRK")}, "ar", "وهذا هو ثاني اجتماع قمة بين الكوريتين."),
    _case({("KOR", "PRK")}, "fa", "رهبران دو کره روز جمعه در پانمونجوم دیدار کردند."),
    _case({("EST", "UKR"), ("LTU", "UKR"), ("LVA", "UKR")}, "en",
          "Zelensky met in Kyiv with the foreign ministers of the three Baltic states on Friday."),
    _case({("EST", "UKR"), ("LTU", "UKR"), ("LVA", "UKR")}, "ar",
          "التقى الرئيس الأوكراني وزراء خارجية دول البلطيق في كييف الجمعة."),
    _case({("EST", "UKR"), ("LTU", "UKR"), ("LVA", "UKR")}, "fa",
          "رئیس جمهور اوکراین روز جمعه با وزرای خارجه کشورهای بالتیک در کی‌یف دیدار کرد."),
    _case(set(), "en", "Tension on the border between the two Koreas rose on Friday."),
    # an event word may stand between a trigger and "between", another noun not
    _case(set(), "ar", "وأطلق سراحه في عملية تبادل أسرى بين موسكو ولندن عام 2010."),
])
def test_a_group_name_stands_for_each_member(lang, text, expected):
    assert pairs(text, lang, published="2022-05-06") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a cancellation in the present, an awaited or upcoming meeting, preparations for a visit,
    # an English headline's "to undertake", a council named after a state
    _case(set(), "ar", "وزير الاقتصاد الإيطالي يلغي لقاء مع نظيره الفرنسي بسبب خلاف بشأن الهجرة."),
    _case(set(), "ar", "تعليقا على اجتماعه المنتظر مع الرئيس الإيراني، قال الرئيس العماني إنه متفائل."),
    _case(set(), "ar", "سلطنة عمان تستعد لاستقبال الرئيس الإيراني."),
    _case(set(), "en", "Iranian President to Undertake a State Visit to Oman on May 04"),
    _case(set(), "en", "The Secretary General briefed the Iranian President on the outcome of the recent "
                       "NATO-Russia Council meeting."),
    _case(IRN_OMN, "en", "The Iranian President made a State Visit to Oman on Monday."),
    _case(IRN_OMN, "ar", "استقبل السلطان العماني الرئيس الإيراني في مسقط الاثنين."),
])
def test_cancelled_awaited_prepared_or_departing(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # "spoke with" in Arabic as in English; "the summit that brought him together with"; the
    # one-word spelling of Pyongyang
    _case(IRN_OMN, "ar", "قال البيان إن وزير الخارجية الإيراني تحدث مع نظيره العماني عن الاتفاق."),
    _case(IRN_OMN, "en", "The statement said the Iranian foreign minister spoke with his Omani counterpart about the deal."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران با همتای عمانی خود تلفنی گفتگو کرد."),
    _case(IRN_OMN, "ar", "قال الرئيس الإيراني بعد القمة التاريخية التي جمعته في مسقط الثلاثاء بالسلطان العماني إن العلاقات ممتازة."),
    _case({("IRN", "PRK")}, "ar", "زار وزير الخارجية الإيراني بيونغيانغ الاثنين."),
])
def test_arabic_spoke_with_and_brought_together(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # what can or could be discussed is not discussed ("can", "يمكن أن", "می‌توانیم")
    _case(set(), "en", "We can discuss with the Omani foreign minister the future of the deal, the Iranian foreign minister said."),
    _case(set(), "ar", "قال وزير الخارجية الإيراني إنه يمكن أن يبحث مع نظيره العماني مستقبل الاتفاق."),
    _case(set(), "fa", "وزیر امور خارجه ایران گفت می‌توانیم با همتای عمانی درباره آینده توافق گفتگو کنیم."),
    # a headline's present "discuss", and a group after "with" is one side only
    _case(IRN_OMN, "en", "Iranian foreign minister discusses Gaza with Omani counterpart"),
    _case({("EST", "UKR"), ("LTU", "UKR"), ("LVA", "UKR")}, "en",
          "The Ukrainian president met in Kyiv with the foreign ministers of the three Baltic states."),
])
def test_can_discuss_and_a_headline_discusses(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a conditional meeting is not held ("if", "إذا", "اگر"); a meeting that "was scheduled"
    _case(set(), "en", "If the Iranian foreign minister meets his Omani counterpart, the deal may be saved."),
    _case(set(), "ar", "وإذا التقى وزير الخارجية الإيراني نظيره العماني فقد ينقذ الاتفاق."),
    _case(set(), "fa", "اگر وزیر امور خارجه ایران با همتای عمانی خود دیدار کند توافق نجات می‌یابد."),
    _case(set(), "ar", "أعلن الوزير أن اللقاء الذي كان مقررا بين وزير الخارجية الإيراني ونظيره العماني ألغي."),
    _case(IRN_OMN, "en", "The Iranian foreign minister met his Omani counterpart in Muscat on Monday."),
])
def test_a_conditional_or_scheduled_meeting_is_not_held(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a press conference held with a foreign leader is a meeting (joint, or "with" him)
    _case(IRN_OMN, "ar", "قال الرئيس الإيراني خلال مؤتمر صحفي عقده مع السلطان العماني في مسقط إن العلاقات ممتازة."),
    _case(IRN_OMN, "ar", "وصرح الرئيس الإيراني في مؤتمر صحافي مشترك مع السلطان العماني في مسقط بأن العلاقات ممتازة."),
    _case(IRN_OMN, "en", "The Iranian president told a joint news conference with the Sultan of Oman in Muscat that ties were excellent."),
    _case(IRN_OMN, "fa", "رئیس جمهور ایران در نشست خبری مشترک با سلطان عمان در مسقط گفت روابط عالی است."),
])
def test_a_press_conference_with_a_foreign_leader_is_a_meeting(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # talks sought or wanted are not held ("seeks to", "يسعى إلى", "به دنبال ایجاد")
    _case(set(), "en", "The Iranian foreign minister seeks to hold talks with his Omani counterpart."),
    _case(set(), "ar", "قال الرئيس الإيراني إنه يسعى إلى إجراء محادثات مع السلطان العماني."),
    _case(set(), "fa", "رئیس جمهور ایران به دنبال ایجاد مذاکرات با سلطان عمان است."),
])
def test_talks_sought_are_not_held(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # "أن" before an imperfect verb: a meeting wished or due, not held; a verb joined to a future
    # verb shares its future across a comma; "ahead of a visit" / "قبيل" / "در آستانه"
    _case(set(), "ar", "قال الرئيس الإيراني إن من المهم أن يلتقي بالسلطان العماني وجها لوجه."),
    _case(set(), "ar", "أعلن مسؤول أن وزير الخارجية الإيراني، سيزور مسقط في 14 أيار، ويلتقي نظيره العماني."),
    _case(set(), "en", "The Iranian president will open a trade fair in Muscat on Monday and, together with "
                       "the Omani foreign minister, meet business leaders of both countries."),
    _case(set(), "en", "The Iranian president will open a trade fair in Muscat on Monday and meet the Sultan of Oman."),
    _case({("IRN", "OMN")}, "en", "The Iranian president opened a trade fair in Muscat on Monday and met the Sultan of Oman."),
    _case({("IRN", "OMN")}, "en", "The Iranian president will fly home tomorrow. On Monday he opened a trade fair "
                                  "in Muscat and met the Sultan of Oman."),
    _case(set(), "en", "The Iranian foreign minister said on Monday, ahead of a visit to Muscat, that ties were good."),
    _case(set(), "ar", "جاء ذلك قبيل زيارة رسمية لمسقط يبدأها الرئيس الإيراني الاثنين."),
    _case(set(), "fa", "این سخنان در آستانه سفر رئیس جمهور ایران به عمان بیان شد."),
    # a rank is no sports team ("الفريق طيار"); plural titles take a chain of countries
    _case({("IRN", "OMN")}, "ar", "وصل إلى مسقط الاثنين الفريق طيار مساعد وزير الدفاع الإيراني والتقى بالسلطان العماني."),
    _case({("IRN", "RUS"), ("IRN", "TUR"), ("RUS", "TUR")}, "ar",
          "هيمنت خلافات على اجتماع رؤساء إيران وروسيا وتركيا في طهران الجمعة."),
    _case({("IRN", "RUS"), ("IRN", "TUR"), ("RUS", "TUR")}, "en",
          "The leaders of Iran, Russia and Turkey met in Tehran on Friday."),
])
def test_wished_due_ahead_and_plural_titles(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # "التقى" keeps its alef-lam: "تقييم" (an assessment) is no meeting; "كيف" (how) is no Kyiv
    _case(set(), "ar", "قال الرئيس الإيراني إنه يتفق مع تقييم السلطان العماني لمخاطر التصعيد."),
    _case(IRN_OMN, "ar", "والتقى الرئيس الإيراني السلطان العماني في مسقط الاثنين."),
    _case(set(), "ar", "وأوضح وزير الخارجية الإيراني كيف حل البلدان خلافاتهما مع سلطنة عمان."),
])
def test_a_verb_keeps_its_alef_lam_and_how_is_no_capital(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a contact word's stem inside another word: "الاجتماعي" (social), "تبادل إطلاق النار" (an
    # exchange of fire); and the same in English and Persian: "social media", "exchange of fire"
    _case(set(), "ar", "قال وزير الخارجية الإيراني على وسائل التواصل الاجتماعي إن العلاقات مع سلطنة عمان ممتازة."),
    _case(set(), "ar", "اتهم الرئيس الإيراني إسرائيل بتبادل إطلاق النار مع القوات اللبنانية."),
    _case(set(), "en", "The Iranian foreign minister said on social media that relations with Oman were excellent."),
    _case(set(), "fa", "وزیر امور خارجه ایران در شبکه‌های اجتماعی گفت روابط با عمان عالی است."),
])
def test_a_contact_stem_inside_another_word(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # Persian "سفرای" (ambassadors) is no trip ("سفر"); "دیپلماتیک" no diplomat
    _case(set(), "fa", "وزیر امور خارجه ایران از سفرای عمان و قطر تشکر کرد."),
    _case({("IRN", "OMN"), ("IRN", "QAT")}, "fa", "وزیر امور خارجه ایران با سفرای عمان و قطر دیدار کرد."),
    _case(set(), "fa", "ایران روابط دیپلماتیک خود با عمان را گسترش داد."),
])
def test_ambassadors_are_no_trip(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # "looking for" is no discussion ("تبحث عن"), an invitation "to the talks table" no talks
    _case(set(), "ar", "قال وزير الخارجية الإيراني إن الحكومة العمانية تبحث عن ذريعة للتدخل."),
    _case(set(), "ar", "الرئيس الإيراني يدعو السلطان العماني لطاولة المحادثات."),
    _case(set(), "en", "The Iranian foreign minister said the Omani government was looking for a pretext."),
])
def test_looking_for_is_no_discussion(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a country after "about" is the topic of talks, not a party ("درباره", "حول", "about")
    _case(set(), "fa", "معاون رئیس جمهور آمریکا امروز با مشاوران خود درباره ایران گفتگو کرد."),
    _case(set(), "ar", "ناقش نائب الرئيس الأمريكي مع مستشاريه حول إيران الخطوات المقبلة."),
    _case(set(), "en", "The US vice president talked with his advisers about Iran on Monday."),
    _case(IRN_OMN, "fa", "در این مورد ایران و عمان روز دوشنبه گفتگو کردند."),   # "in this case"
    # Persian subjunctive (دیدار کند/کنه), a time ahead before the closing verb, a plane that
    # landed (به زمین نشست), negotiators (مذاکره کنندگان)
    _case(set(), "fa", "کاخ سفید: رئیس جمهور آمریکا در اجلاس ناتو با رئیس جمهور سوریه دیدار کنه."),
    _case(set(), "fa", "سفر وزیر خارجه ایران به اسلام‌آباد برای روزهای آینده پیش‌بینی می‌شود."),
    _case(set(), "fa", "هواپیمای هیئت ایرانی هم‌اکنون در مسقط عمان به زمین نشست."),
    _case(IRN_OMN, "fa", "وزیر امور خارجه ایران روز دوشنبه در مسقط با همتای عمانی خود دیدار کرد."),
])
def test_about_a_country_subjunctive_and_landing(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # Persian plural "وزیران خارجه" takes its chain of countries; an enclitic pronoun glued to a
    # nisba ("همتای ایرانی‌ام", my Iranian counterpart); "about" reaches a few words on
    _case({("PAK", "SAU"), ("PAK", "TUR"), ("SAU", "TUR")}, "fa", "وزیران خارجه ترکیه، سعودی و پاکستان با هم دیدار کردند."),
    _case({("IRN", "UKR")}, "fa", "وزیر خارجه اوکراین: با همتای ایرانی‌ام تماس گرفتم."),
    _case(set(), "fa", "رئیس جمهور آمریکا امروز با مشاوران ارشد خود درباره تشدید حملات علیه ایران دیدار کرد."),
])
def test_persian_plural_titles_enclitics_and_topics(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text", [
    ("en", "The foreign ministers of Russia, Iran and Turkey met in Moscow on Saturday."),
    ("ar", "التقى السبت في موسكو وزراء خارجية روسيا وإيران وتركيا."),
    ("fa", "وزیران خارجه روسیه، ایران و ترکیه روز شنبه در مسکو دیدار کردند."),
])
def test_gathering_scope_a_small_group_meeting_in_a_members_country(lang, text):
    """A trilateral in one member's country: that member hosts each of the others (a visit); the
    two guests meet at a third country's venue (third-party); where no place is named, an in-person
    meeting (visit, the default: multilateral is for summits and organisations' meetings, as the
    corpus README defines it); a trilateral summit is multilateral."""
    got = {tuple(c.countries): c.mode for c in extract_contacts(
        {"id": "t", "text": text, "lang": lang, "published_at": "2024-03-04"})}
    assert got == {("IRN", "RUS"): "visit", ("RUS", "TUR"): "visit", ("IRN", "TUR"): "third-party"}
    unplaced = {c.mode for c in extract_contacts({"id": "t", "lang": "en", "published_at": "2024-03-04",
        "text": "The foreign ministers of Russia, Iran and Turkey met on Saturday."})}
    assert unplaced == {"visit"}
    summit = {c.mode for c in extract_contacts({"id": "t", "lang": "en", "published_at": "2024-03-04",
        "text": "The presidents of Russia, Iran and Turkey met at a trilateral summit on Saturday."})}
    assert summit == {"multilateral"}
    held = {c.mode for c in extract_contacts({"id": "t", "lang": "en", "published_at": "2024-03-04",
        "text": "The presidents of Russia, Iran and Turkey held a trilateral summit on Saturday."})}
    assert held == {"multilateral"}


@pytest.mark.parametrize("lang, text", [
    ("ar", "ويلتقي زعيم كوريا الشمالية كيم جونغ أون ظهر اليوم الثلاثاء الرئيس الأمريكي دونالد ترامب في قمة تاريخية "
           "في سنغافورة."),
    ("en", "Kim Jong Un, the leader of North Korea, on Tuesday met the American President Donald Trump at a "
           "hotel in Singapore."),
    ("fa", "کیم جونگ اون رهبر کره شمالی روز سه‌شنبه با دونالد ترامپ رئیس جمهور ایالات متحده آمریکا در هتل کاپلا "
           "در جزیره سنتوسا در سنگاپور دیدار کرد."),
])
def test_a_meetings_one_place_far_after_its_verb_is_its_venue(lang, text):
    got = {tuple(c.countries): c.mode for c in extract_contacts(
        {"id": "t", "text": text, "lang": lang, "published_at": "2018-06-12"})}
    assert got == {("PRK", "USA"): "third-party"}


@pytest.mark.parametrize("lang, text, expected", [
    # a state's mediators or negotiators act for it, as its delegation does; a movement's do not
    _case({("EGY", "USA")}, "en", "The US special envoy met Egyptian mediators in Cairo on Sunday."),
    _case({("EGY", "USA")}, "ar", "التقى المبعوث الأمريكي الخاص الوسطاء المصريين في القاهرة يوم الأحد."),
    _case({("EGY", "USA")}, "fa", "فرستاده ویژه آمریکا روز یکشنبه در قاهره با میانجی‌گران مصری دیدار کرد."),
    _case(set(), "en", "Hamas negotiators met Egyptian mediators in Cairo on Sunday."),
    _case(set(), "ar", "التقى وفد حماس المفاوض الوسطاء المصريين في القاهرة يوم الأحد."),
])
def test_actor_type_a_states_mediators(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # the future auxiliary in every person, negated or not
    _case(set(), "fa", "لاریجانی: با ایالات متحده مذاکره نخواهیم کرد"),
    _case(set(), "fa", "وزیر امور خارجه ایران گفت با همتای عمانی خود دیدار خواهیم کرد."),
    # a colon opens a quotation: a future inside it is not the contact's
    _case({("IRN", "IRQ")}, "fa", "عراقچی در تماس با همتای عراقی: به دفاع از خود ادامه خواهیم داد"),
    _case({("IRN", "IRQ")}, "en", "Araghchi in a phone call with his Iraqi counterpart: we will defend ourselves."),
    # hosting troops or bases receives no guest
    _case(set(), "fa", "حمله پهپادی ایران به پایگاه دریایی ابوظبی که میزبان نیروهای فرانسوی است، باعث آتش‌سوزی شد."),
    _case(set(), "en", "The Iranian drone hit a naval base in Abu Dhabi which hosts French troops."),
    _case(set(), "ar", "أصابت مسيرة إيرانية قاعدة بحرية في أبوظبي تستضيف قوات فرنسية."),
    # a press conversation is no consultation
    _case(set(), "fa", "اوباما رئیس جمهور آمریکا در گفتگوی مطبوعاتی خود درباره روسیه سخن گفت."),
])
def test_future_persons_quotations_troops_and_press(lang, text, expected):
    assert pairs(text, lang, published="2026-03-01") == expected


@pytest.mark.parametrize("lang, text", [
    ("en", "The first round of political consultations between Iran, India and Uzbekistan was held in Tehran."),
    ("ar", "عقدت في طهران الجولة الأولى من المشاورات السياسية بين إيران والهند وأوزبكستان."),
    ("fa", "نخستین دور رایزنی‌های سیاسی میان ایران، هند و ازبکستان در تهران برگزار شد."),
])
def test_gathering_scope_a_list_after_between_is_one_meeting(lang, text):
    assert pairs(text, lang) == {("IND", "IRN"), ("IND", "UZB"), ("IRN", "UZB")}


@pytest.mark.parametrize("lang, text", [
    ("en", "US Secretary of State Marco Rubio said talks between Oman and Iran were held on Monday."),
    ("fa", "مارکو روبیو وزیر خارجه آمریکا گفت مذاکراتی میان عمان و ایران روز دوشنبه برگزار شد."),
    ("ar", "قال وزير الخارجية الأمريكي ماركو روبيو إن محادثات بين عمان وإيران جرت الاثنين."),
])
def test_gathering_scope_the_parties_between_are_the_parties(lang, text):
    assert pairs(text, lang, published="2026-03-01") == {("IRN", "OMN")}


@pytest.mark.parametrize("lang, text, expected", [
    # a summit that was held (an occurrence verb with it) is a meeting of the two it names
    _case({("KOR", "PRK")}, "ar", "وجرت قمة تاريخية الجمعة بين كيم جونغ أون ورئيس كوريا الجنوبية مون جاي إن."),
    _case({("KOR", "PRK")}, "en", "A historic summit took place on Friday between Kim Jong Un and South Korean "
                                  "President Moon Jae-in."),
    _case({("KOR", "PRK")}, "fa", "نشست تاریخی سران دو کره روز جمعه میان کیم جونگ اون و مون جه این رئیس جمهور "
                                  "کره جنوبی برگزار شد."),
    _case(set(), "en", "The summit between the US and North Korean leaders will take place in Singapore."),
])
def test_a_summit_held(lang, text, expected):
    assert pairs(text, lang, published="2018-04-28") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # the guest of a state's official meets him
    _case({("EGY", "SAU")}, "ar", "حل ولي العهد السعودي ضيفا على الرئيس المصري في القاهرة أمس."),
    _case({("EGY", "SAU")}, "en", "The Saudi Crown Prince was in Cairo yesterday as a guest of the Egyptian President."),
    _case({("EGY", "SAU")}, "fa", "ولیعهد عربستان دیروز مهمان رئیس جمهور مصر در قاهره بود."),
    _case(set(), "fa", "مهمانان خارجی در مراسم شرکت کردند."),
])
def test_a_guest_of_an_official(lang, text, expected):
    assert pairs(text, lang, published="2018-05-18") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a list of countries after a plural title goes on over "the" ("Egypt, the UAE and Jordan")
    _case({("ARE", "EGY"), ("ARE", "JOR"), ("EGY", "JOR")}, "en",
          "The foreign ministers of Egypt, the UAE and Jordan met in Cairo on Saturday."),
    _case({("IRN", "NLD"), ("IRN", "PHL")}, "en",
          "The Iranian foreign minister met the ambassadors of the Netherlands and the Philippines on Saturday."),
    # calls with the leaders of many states: the caller with each (not a gathering)
    _case({("ARE", "USA"), ("EGY", "USA"), ("JOR", "USA"), ("QAT", "USA"), ("SAU", "USA"), ("TUR", "USA")}, "en",
          "Trump spoke by phone with the leaders of Saudi Arabia, Qatar, the UAE, Egypt, Jordan and Turkey on Saturday."),
    _case({("ARE", "USA"), ("EGY", "USA"), ("JOR", "USA"), ("QAT", "USA"), ("SAU", "USA"), ("TUR", "USA")}, "ar",
          "أجرى ترامب اتصالات هاتفية مع قادة السعودية وقطر والإمارات ومصر والأردن وتركيا يوم السبت."),
    _case({("ARE", "USA"), ("EGY", "USA"), ("JOR", "USA"), ("QAT", "USA"), ("SAU", "USA"), ("TUR", "USA")}, "fa",
          "ترامپ روز شنبه با رهبران عربستان، قطر، امارات، مصر، اردن و ترکیه تلفنی گفتگو کرد."),
])
def test_lists_of_states_after_a_plural_title(lang, text, expected):
    assert pairs(text, lang, published="2026-05-24") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a contact that did not take place, or a trip halted
    _case(set(), "en", "No direct contact has taken place yet between the Syrian president and the Russian side."),
    _case(set(), "ar", "لم يحصل اتصال مباشر بعد بين الرئيس السوري والجانب الروسي."),
    _case(set(), "fa", "هیچ تماس مستقیمی میان رئیس جمهور سوریه و طرف روسی صورت نگرفته است."),
    # Persian: the cancelled contact is the object before the verb (را)
    _case(set(), "fa", "هیئت مذاکره کننده ایرانی سفر خود به سوئیس را به دلیل تداوم حملات اسرائیل متوقف می‌کند."),
    _case(set(), "fa", "وزیر خارجه ایران سفرش به سوئیس را لغو کرد."),
    _case(set(), "fa", "وزیر خارجه ایران دیدار با همتای سوئیسی را به تعویق انداخت."),
    _case(set(), "en", "The Iranian foreign minister postponed his meeting with his Swiss counterpart."),
    # what is cancelled is something else, or in another clause
    _case({("CHE", "IRN")}, "fa", "وزیر خارجه ایران پس از دیدار با همتای سوئیسی روادید مقامات را لغو کرد."),
    _case({("CHE", "IRN")}, "fa", "وزیر خارجه ایران سفر خود به سوئیس را انجام داد و قرارداد لغو شد."),
])
def test_negation_did_not_happen_or_cancelled_as_object(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # setting a date for a meeting: the meeting is still to come
    _case(set(), "en", "Officials gave conflicting statements about setting a date for President Abbas's "
                       "meeting with Israeli Defence Minister Mofaz."),
    _case(set(), "ar", "تضارب في التصريحات حول تحديد موعد لقاء الرئيس الفلسطيني عباس مع وزير الدفاع الإسرائيلي موفاز."),
    _case(set(), "fa", "اظهارات متناقضی درباره تعیین زمان دیدار رئیس جمهور فلسطین عباس با وزیر دفاع اسرائیل منتشر شد."),
])
def test_modality_a_date_set_for_a_meeting(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # "the border with X" names a place, not a partner
    _case(set(), "ar", "وقال سكان إن المقيمين في بلدة البوكمال شرق سوريا على الحدود مع العراق أجروا محادثات "
                       "يوم الاثنين الماضي مع القوات."),
    _case(set(), "fa", "ساکنان شهر البوکمال سوریه در مرز با عراق روز دوشنبه با نیروهای محاصره کننده گفتگو کردند."),
    _case(set(), "en", "Residents of the Syrian town of Albukamal on the border with Iraq held talks on Monday with "
                       "the besieging forces."),
    _case({("IRQ", "SYR")}, "ar", "أجرت سوريا محادثات مع العراق حول الحدود."),
])
def test_attachment_the_border_with_a_country(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # a contact noun that is the subject of a modal or future predicate is still to come
    _case(set(), "en", "US President Trump said his meeting with his North Korean counterpart could produce the "
                       "greatest deal in the world."),
    _case(set(), "ar", "قال الرئيس الأميركي ترمب إن لقاءه بنظيره الكوري الشمالي قد ينجم عنه أعظم اتفاق في العالم."),
    _case(set(), "fa", "ترامپ گفت دیدارش با همتای کره شمالی ممکن است به بزرگترین توافق جهان منجر شود."),
    _case(set(), "ar", "وعبر الرئيس الأميركي عن ثقته حتى موعد المفاوضات التاريخية بينه وبين الرئيس الكوري الشمالي."),
    # a held meeting's own predicate, or a future verb of another clause
    _case({("CHN", "USA")}, "en", "Biden's meeting with the Chinese president on Monday lasted four hours."),
    _case({("CHN", "USA")}, "en", "President Biden met Chinese President Xi and will travel to Japan next."),
    _case({("EGY", "FRA")}, "ar", "وكان الرئيس المصري قد التقى نظيره الفرنسي."),
])
def test_modality_a_contact_noun_with_a_modal_predicate(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected_mode", [
    # "عمان" is Oman and, unvowelled, Amman (a capital left out of the aliases for it): with
    # Jordan a party and Oman not, it is where Jordan hosts
    ("ar", "استقبل العاهل الأردني الملك عبدالله الثاني في عمان اليوم الرئيس الفلسطيني محمود عباس.", "visit"),
    ("ar", "التقى وزير الخارجية الأردني أيمن الصفدي في عمان نظيره التركي.", "visit"),
    ("ar", "التقى وزير الخارجية الإيراني نظيره القطري في عمان.", "third-party"),
    ("fa", "وزیر خارجه ایران در عمان با همتای قطری دیدار کرد.", "third-party"),
    # English puts the counterpart's demonym before it: "in Amman" is where they met
    ("en", "Jordanian Foreign Minister Safadi met his Turkish counterpart in Amman.", "visit"),
])
def test_mode_the_capital_a_states_name_hides(lang, text, expected_mode):
    contacts = extract_contacts({"id": "t", "text": text, "lang": lang, "published_at": "2024-05-05"})
    assert [c.mode for c in contacts] == [expected_mode]


def _release(text: str, lang: str, source: str, title: str | None = None, day: str = "2022-05-22"):
    return {tuple(c.countries) for c in extract_contacts(
        {"id": "t", "text": text, "lang": lang, "published_at": day, "source": source, "title": title})}


@pytest.mark.parametrize("lang, title", [
    # a government's own release (outlets.tsv scope "government": kremlin.ru) speaks of its own
    # state: "Telephone conversation with X" is the home state's call
    ("en", "Telephone conversation with President of China Xi Jinping"),
    ("ar", "محادثة هاتفية مع رئيس الصين شي جين بينغ"),
    ("fa", "گفتگوی تلفنی با رئیس جمهور چین شی جین پینگ"),
])
def test_attachment_a_government_release_speaks_for_its_state(lang, title):
    text = {"en": "The presidents discussed bilateral relations.", "ar": "ناقش الرئيسان العلاقات الثنائية.",
            "fa": "دو رئیس جمهور درباره روابط دوجانبه گفتگو کردند."}[lang]
    assert _release(text, lang, "kremlin.ru", title, "2022-06-15") == {("CHN", "RUS")}
    assert _release(text, lang, "example.com", title, "2022-06-15") == set()


@pytest.mark.parametrize("lang, text, expected", [
    # a short aside between commas does not end the scope of a future
    _case(set(), "en", "The Head of State will, inter alia, meet with Prime Minister of the United Kingdom Boris Johnson."),
    _case(set(), "ar", "سيلتقي الرئيس، على وجه الخصوص، رئيس وزراء بريطانيا بوريس جونسون."),
    # an award received is no visitor
    _case(set(), "en", "Ambassador of Ukraine to the United States Oksana Markarova received the Ronald Reagan "
                       "Freedom Award for President Zelenskyy."),
    _case(set(), "ar", "تسلم سفير أوكرانيا لدى الولايات المتحدة جائزة رونالد ريغان للحرية في واشنطن."),
    _case(set(), "fa", "سفیر اوکراین در آمریکا جایزه آزادی رونالد ریگان را در واشنگتن دریافت کرد."),
])
def test_modality_asides_and_awards(lang, text, expected):
    assert pairs(text, lang, published="2022-05-22") == expected


_BALTIC_SPEAKERS = {("LTU", "UKR"), ("LVA", "UKR"), ("EST", "UKR"), ("LTU", "LVA"), ("EST", "LTU"), ("EST", "LVA")}
_FOUR_IN_KYIV = {("DEU", "FRA"), ("FRA", "ROU"), ("FRA", "ITA"), ("DEU", "ROU"), ("DEU", "ITA"), ("ITA", "ROU"),
                 ("FRA", "UKR"), ("DEU", "UKR"), ("ROU", "UKR"), ("ITA", "UKR")}


@pytest.mark.parametrize("lang, text, expected", [
    # a plural title names each state of the list after it
    _case(_BALTIC_SPEAKERS, "en", "President of Ukraine met with the Speakers of the Parliaments of Lithuania, Latvia "
                                  "and Estonia who arrived in Kyiv."),
    _case(_BALTIC_SPEAKERS, "ar", "التقى الرئيس الأوكراني رؤساء برلمانات ليتوانيا ولاتفيا وإستونيا في كييف."),
    _case(_BALTIC_SPEAKERS, "fa", "رئیس جمهور اوکراین با روسای پارلمان لیتوانی، لتونی و استونی در کی‌یف دیدار کرد."),
    # several states' officials named in one list make one visit together: its destination hosts each
    _case(_FOUR_IN_KYIV, "en", "During yesterday's visit to Kyiv by the leaders of France, Germany, Romania and "
                               "Italy, it was clear."),
    _case(_FOUR_IN_KYIV, "ar", "وصل قادة فرنسا وألمانيا ورومانيا وإيطاليا إلى كييف أمس."),
    _case(_FOUR_IN_KYIV, "fa", "رهبران فرانسه، آلمان، رومانی و ایتالیا دیروز به کی‌یف سفر کردند."),
])
def test_gathering_scope_plural_titles_and_joint_visits(lang, text, expected):
    assert pairs(text, lang, published="2022-06-17") == expected


def test_gathering_scope_a_visit_and_the_one_briefed_on_it_are_no_joint_visit():
    # not one list: the one whose visit it is visits, the one briefed on it does not
    text = ("Howe's main mission in Washington was to brief Shultz on Prime Minister Margaret Thatcher's visit "
            "to the Soviet Union last week.")
    assert ("SUN", "USA") not in pairs(text, "en", published="1987-04-10")


@pytest.mark.parametrize("lang, text, expected", [
    # an intention or an agreement to meet is not a meeting
    _case(set(), "en", "Trump confirmed on Twitter his intention to meet North Korean leader Kim Jong Un."),
    _case(set(), "ar", "وأكد ترامب على حسابه على تويتر عزمه على لقاء الزعيم الكوري الشمالي كيم جونغ أون."),
    _case(set(), "fa", "ترامپ در توییتر گفت در نظر دارد با رهبر کره شمالی کیم جونگ اون دیدار کند."),
    _case(set(), "en", "Trump agrees to meet his North Korean counterpart."),
    _case(set(), "ar", "ترامب يوافق على لقاء نظيره الكوري الشمالي."),
    # a side ignored is excluded
    _case(set(), "ar", "وتحدث الرئيس الفرنسي ماكرون مع وفود الدول المشاركة متجاهلا الجانب الروسي."),
    # a meeting with a television channel is an interview
    _case(set(), "ar", "ما ذكره الرئيس الفرنسي في لقائه مع قناة بي إف إم التلفزيونية عن السعودية."),
    _case(set(), "fa", "رئیس جمهور فرانسه در گفتگو با شبکه بی‌اف‌ام درباره عربستان سخن گفت."),
    _case(set(), "en", "The French president said in an interview with the channel BFM that Saudi Arabia held him."),
])
def test_modality_intentions_and_interviews(lang, text, expected):
    assert pairs(text, lang, published="2018-05-02") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # Persian puts the whole topic between "درباره" and its verb: the states in it are no parties
    _case(set(), "fa", "بر اساس این گزارش، دو طرف درباره روابط دوجانبه، جنگ در ایران و غزه و پیمان دفاعی ترکیه، "
                       "پاکستان و عربستان سعودی گفت‌وگو کردند."),
    _case(set(), "en", "The two sides discussed bilateral relations, the war in Iran and Gaza and the defence pact "
                       "of Turkey, Pakistan and Saudi Arabia."),
    _case(set(), "ar", "وبحث الجانبان العلاقات الثنائية والحرب في إيران وغزة ومعاهدة الدفاع بين تركيا وباكستان "
                       "والسعودية."),
    # ... but a "با" after it names the partner
    _case({("IRN", "PAK")}, "fa", "وزیر خارجه ایران درباره روابط دوجانبه با همتای پاکستانی گفت‌وگو کرد."),
    # the resumption of talks is still to come
    _case(set(), "en", "Araghchi said Tehran has not yet decided on the resumption of talks with the United States."),
    _case(set(), "ar", "قال عراقجي إن طهران لم تقرر بعد استئناف المفاوضات مع الولايات المتحدة."),
    _case(set(), "fa", "عراقچی گفت تهران هنوز تصمیمی برای ازسرگیری مذاکرات با آمریکا نگرفته است."),
])
def test_topics_and_resumptions(lang, text, expected):
    assert pairs(text, lang, published="2026-08-14") == expected


@pytest.mark.parametrize("lang, text", [
    # a match report: "meeting" is a game
    ("ar", "وسجل نيمار الهدف الأول في الدقيقة 51 ليترشح البرازيليون لمواجهة الفائز من اللقاء بين بلجيكا واليابان."),
    ("en", "The goalkeeper saved twice as Belgium met Japan for a place in the quarter-finals."),
    ("fa", "دروازه‌بان بلژیک در دیدار با ژاپن دو بار توپ را مهار کرد."),
])
def test_speech_act_a_match_report(lang, text):
    assert pairs(text, lang, published="2018-07-03") == set()


@pytest.mark.parametrize("lang, text, expected", [
    # a meeting someone is tasked to organise is still to come
    _case(set(), "ar", "وكلف وزير الخارجية التركي هاكان فيدان بتنظيم لقاء مع الرئيس السوري الأسد."),
    _case(set(), "en", "The Turkish foreign minister was tasked to organize a meeting with Syrian President Assad."),
    _case(set(), "fa", "وزیر خارجه ترکیه مأمور ترتیب دیدار با رئیس جمهور سوریه شد."),
    # a departure to continue a tour: the next stop is not reached yet
    _case(set(), "fa", "مرکل پنجشنبه شب عمان را به مقصد بیروت برای ادامه سفر ترک کرد."),
    _case(set(), "ar", "وغادرت ميركل عمان مساء الخميس متوجهة إلى بيروت لاستكمال جولتها في المنطقة."),
    # an opposition council's delegation acts for no state
    _case(set(), "en", "A delegation of the Syrian National Council met the Russian foreign minister in Moscow."),
    _case(set(), "ar", "التقى وفد المجلس الوطني السوري وزير الخارجية الروسي في موسكو."),
    _case(set(), "fa", "هیئتی از شورای ملی سوریه با وزیر خارجه روسیه در مسکو دیدار کرد."),
])
def test_organising_continuing_and_opposition_councils(lang, text, expected):
    assert pairs(text, lang, published="2018-06-20") == expected


# sentences a reviewer of this session's rules found mis-read (each was right at 476936c): held
# contacts that over-broad cues or rules removed, and pairs they added
_REVIEW_10 = [
    ('ar', 'وفي إطار ما تشهده المنطقة من تطورات، بحث الرئيس المصري عبد الفتاح السيسي مع العاهل الأردني الملك عبدالله الثاني في القاهرة اليوم.', [('EGY', 'JOR')], 'spa.gov.sa'),
    ('en', 'MR MILLER: As we saw yesterday, talks between the Israeli Prime Minister and the Egyptian President took place in Cairo.', [('EGY', 'ISR')], 'state.gov'),
    ('fa', 'سخنگوی وزارت امور خارجه: ما از دیدار وزیران خارجه عربستان و امارات در ریاض استقبال می\u200cکنیم.', [('ARE', 'SAU')], 'mfa.ir'),
    ('ar', 'وقال المتحدث: نحن نرحب بالاجتماع الذي عقد بين وزيري خارجية مصر والأردن في القاهرة يوم الخميس.', [('EGY', 'JOR')], 'mofa.gov.sa'),
    ('ar', 'جمع اللقاء في البيت الأبيض يوم الاثنين كلا من الرئيس الأمريكي دونالد ترامب ونظيره الأوكراني فولوديمير زيلينسكي.', [('UKR', 'USA')], None),
    ('ar', 'ضم الاجتماع الذي عقد في القاهرة يوم الاثنين كلا من وزير الخارجية المصري ونظيريه الأردني والسعودي.', [('EGY', 'JOR'), ('EGY', 'SAU'), ('JOR', 'SAU')], None),
    ('fa', 'نشست سه جانبه روز دوشنبه با حضور هر یک از وزیران امور خارجه ایران، روسیه و ترکیه در تهران برگزار شد.', [('IRN', 'RUS'), ('IRN', 'TUR'), ('RUS', 'TUR')], None),
    ('en', 'Riyadh hosted talks between US Secretary of State Marco Rubio and Russian Foreign Minister Sergei Lavrov on Tuesday.', [('RUS', 'USA')], None),
    ('en', 'Oman hosted Iranian Foreign Minister Abbas Araghchi and US envoy Steve Witkoff in Muscat on Saturday for indirect talks.', [('IRN', 'USA')], None),
    ('en', 'The US freeze on military aid dominated talks between Ukrainian President Zelensky and Polish President Duda in Warsaw on Monday.', [('POL', 'UKR')], None),
    ('en', 'Frozen Russian assets were on the agenda of talks between Ukrainian President Zelensky and Belgian Prime Minister De Wever in Brussels on Monday.', [('BEL', 'UKR')], None),
    ('ar', 'تعثرت المحادثات بين وزير الخارجية الإيراني عباس عراقجي والمبعوث الأمريكي ستيف ويتكوف في مسقط يوم السبت بسبب التخصيب.', [('IRN', 'USA')], None),
    ('ar', 'توقفت طائرة وزير الخارجية الإيراني عباس عراقجي في القاهرة حيث التقى نظيره المصري بدر عبد العاطي يوم الاثنين.', [('EGY', 'IRN')], None),
    ('ar', 'أكد الرئيس السيسي أن مصر ترفض تجاهل المجتمع الدولي للأزمة خلال استقباله العاهل الأردني في القاهرة يوم الاثنين.', [('EGY', 'JOR')], None),
    ('ar', 'أكد وزير الخارجية المصري بدر عبد العاطي عزمه على تعزيز العلاقات خلال لقائه نظيره الأردني أيمن الصفدي في عمان يوم الاثنين.', [('EGY', 'JOR')], None),
    ('en', 'Both sides expressed their intention to deepen ties during the meeting between Turkish President Erdogan and Azerbaijani President Aliyev in Ankara on Monday.', [('AZE', 'TUR')], None),
    ('ar', 'حذر وزير الخارجية القطري من أن التصعيد قد يؤدي إلى حرب إقليمية خلال لقائه نظيره الإيراني في طهران يوم الاثنين.', [('IRN', 'QAT')], None),
    ('fa', 'رجب طیب اردوغان رئیس جمهور ترکیه در زمان برگزاری اجلاس ناتو در لاهه با دونالد ترامپ رئیس جمهور آمریکا دیدار کرد.', [('TUR', 'USA')], None),
    ('ar', 'وفي الموعد المحدد استقبل الرئيس المصري عبد الفتاح السيسي أمير قطر الشيخ تميم في القاهرة يوم الاثنين.', [('EGY', 'QAT')], None),
    ('en', 'Lavrov will not attend the summit, officials said, but met US Secretary of State Blinken in Geneva on Monday.', [('RUS', 'USA')], None),
    ('en', "Saudi Crown Prince Mohammed bin Salman's meeting with Syrian President al-Sharaa will be remembered as historic, Gulf officials said on Wednesday.", [('SAU', 'SYR')], None),
    ('fa', 'وزیر خارجه ایران روز دوشنبه با همتای ترکیه\u200cای خود در آنکارا دیدار کرد و سپس به دوحه رفت.', [('IRN', 'TUR')], None),
]


@pytest.mark.parametrize("lang, text, expected, source", _REVIEW_10)
def test_review_of_the_rules_of_2026_12_06(lang, text, expected, source):
    a = {"id": "t", "text": text, "lang": lang, "published_at": "2025-06-02", "source": source}
    assert {tuple(c.countries) for c in extract_contacts(a)} == {tuple(p) for p in expected}


@pytest.mark.parametrize("lang, text, expected", [
    # a trip in the future: Arabic glues the future to the verb that makes the visit
    _case(set(), "ar", "سيقوم الرئيس المصري بزيارة رسمية إلى فرنسا يلتقي خلالها نظيره الفرنسي."),
    _case(set(), "ar", "وسيختتم وزير الخارجية الأمريكي جولته الأفريقية في نيجيريا."),
    _case(set(), "en", "The Egyptian president will make an official visit to France during which he meets his "
                       "French counterpart."),
    _case(set(), "fa", "رئیس جمهور مصر سفری رسمی به فرانسه خواهد داشت و با همتای فرانسوی خود دیدار می‌کند."),
    # ... not what is said during a meeting that took place
    _case({("EGY", "JOR")}, "ar", "أكد الرئيس المصري أن بلاده ستقوم بدعم الأردن خلال استقباله العاهل الأردني في "
                                  "القاهرة اليوم."),
])
def test_modality_a_future_trip_verb(lang, text, expected):
    assert pairs(text, lang) == expected


_CAIRO_GROUP = {("EGY", "USA"), ("QAT", "USA"), ("TUR", "USA"), ("EGY", "QAT"), ("EGY", "TUR"), ("QAT", "TUR")}


@pytest.mark.parametrize("lang, text, expected", [
    # one plural title over several states ("mediators", "الوسطاء", "میانجی‌گران") and one other
    # party: one meeting of all of them
    _case(_CAIRO_GROUP, "en", "US President Trump's envoys met with Egyptian, Qatari and Turkish mediators in Cairo on Sunday."),
    _case(_CAIRO_GROUP, "ar", "التقى مبعوثا الرئيس الأمريكي ترامب الوسطاء المصريين والقطريين والأتراك في القاهرة يوم الأحد."),
    _case(_CAIRO_GROUP, "fa", "نمایندگان دونالد ترامپ، رییس‌جمهوری آمریکا، یکشنبه در قاهره با میانجی‌گران مصری، قطری و "
                              "ترکیه‌ای دیدار کردند."),
])
def test_gathering_scope_a_plural_title_of_mediators_or_representatives(lang, text, expected):
    assert pairs(text, lang, published="2026-08-16") == expected


_G5 = {("BFA", "MLI"), ("MLI", "MRT"), ("MLI", "NER"), ("MLI", "TCD"), ("BFA", "MRT"), ("BFA", "NER"),
       ("BFA", "TCD"), ("MRT", "NER"), ("MRT", "TCD"), ("NER", "TCD")}


@pytest.mark.parametrize("lang, text, expected", [
    # a small group known by its name (country_aliases.tsv kind group) is one meeting of all its
    # members, even of five: not the list of a large gathering
    _case(_G5, "en", "The leaders of the G5 Sahel met in Nouakchott on Sunday on the sidelines of the AU summit."),
    _case(_G5, "ar", "اجتمع قادة دول قوة الساحل - مالي وبوركينا فاسو وموريتانيا والنيجر وتشاد - الأحد على هامش "
                     "قمة الاتحاد الأفريقي."),
    _case(_G5, "fa", "سران گروه پنج ساحل روز یکشنبه در حاشیه اجلاس اتحادیه آفریقا در نواکشوت دیدار کردند."),
    # five states that no name makes one group stay a large gathering's list
    _case(set(), "ar", "اجتمع قادة مالي وبوركينا فاسو وموريتانيا والنيجر وتشاد الأحد على هامش قمة الاتحاد الأفريقي."),
])
def test_gathering_scope_a_named_small_group_of_five(lang, text, expected):
    assert pairs(text, lang, published="2018-07-02") == expected


@pytest.mark.parametrize("lang, text", [
    pytest.param("en", "The foreign ministers of the Visegrad Four met in Budapest on Monday.", id="en:group"),
    pytest.param("ar", "اجتمع وزراء خارجية مجموعة فيشغراد في بودابست يوم الاثنين.", id="ar:group"),
    pytest.param("fa", "وزیران خارجه گروه ویشگراد روز دوشنبه در بوداپست دیدار کردند.", id="fa:group"),
])
def test_gathering_scope_a_named_group_gives_all_its_pairs(lang, text):
    assert pairs(text, lang, published="2024-03-04") == {
        ("CZE", "HUN"), ("CZE", "POL"), ("CZE", "SVK"), ("HUN", "POL"), ("HUN", "SVK"), ("POL", "SVK")}


@pytest.mark.parametrize("lang, text", [
    # attachment: a capital named by its state's adjective is that state, as a destination
    pytest.param("en", "The Syrian foreign minister arrived in the Omani capital, Muscat, on Monday on an official visit."),
    pytest.param("en", "The Syrian foreign minister arrived in the Omani capital on Monday on an official visit."),
    pytest.param("ar", "وصل وزير الخارجية السوري مساء الإثنين إلى العاصمة العمانية في زيارة رسمية."),
    pytest.param("ar", "وصل وزير الخارجية السوري، وليد المعلم، مساء الإثنين، إلى العاصمة العُمانية، مسقط، في زيارة رسمية."),
    pytest.param("fa", "وزیر خارجه سوریه روز دوشنبه در سفری رسمی وارد پایتخت عمان شد."),
    # Arabic puts the visitor (and the day) between the trip verb and its destination
    pytest.param("ar", "وصل وزير الخارجية السوري مساء الإثنين إلى مسقط في زيارة رسمية."),
    # a dateline says where the story was filed: its country is no party
    pytest.param("ar", "دبي، الإمارات العربية المتحدة (CNN)-- وصل وزير الخارجية السوري مساء الإثنين إلى العاصمة "
                      "العمانية في زيارة رسمية."),
    pytest.param("en", "DUBAI, United Arab Emirates (CNN) -- The Syrian foreign minister arrived in Muscat on Monday "
                      "on an official visit."),
    pytest.param("fa", "دبی، امارات متحده عربی (ایرنا) - وزیر خارجه سوریه روز دوشنبه در سفری رسمی وارد مسقط شد."),
])
def test_attachment_the_destination_of_a_trip(lang, text):
    assert {tuple(c.countries): c.mode for c in extract_contacts(
        {"id": "t", "text": text, "lang": lang, "published_at": "2018-03-27"})} == {("OMN", "SYR"): "visit"}


@pytest.mark.parametrize("lang, text, expected", [
    # a cancellation whose subject comes after a contact in a time phrase ("after ...") stops
    # that subject, not the contact; the contact as the subject is still cancelled
    _case({("ISR", "USA")}, "fa", "رئیس‌جمهور آمریکا اعلام کرد پس از گفت‌وگوی تلفنی با نتانیاهو حمله به بیروت "
                                  "متوقف شده است."),
    _case({("ISR", "USA")}, "ar", "أعلن الرئيس الأمريكي أنه بعد اتصال هاتفي مع نتنياهو توقف الهجوم على بيروت."),
    _case({("ISR", "USA")}, "en", "The US president said that after a phone call with Netanyahu the attack on Beirut "
                                  "was stopped."),
    _case(set(), "fa", "سفر وزیر امور خارجه ایران به عمان به تعویق افتاد."),
    _case(set(), "ar", "المحادثات بين إيران وعمان ألغيت."),
])
def test_negation_a_contact_in_an_after_phrase_is_not_what_is_stopped(lang, text, expected):
    assert pairs(text, lang, published="2026-06-01") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # modality: leaving for a visit is the trip just begun, its meetings still to come
    _case(set(), "en", "President Anura Kumara Disanayake departed from Sri Lanka today for a three-day official "
                       "visit to the United Arab Emirates."),
    _case(set(), "en", "With the Sri Lankan President's departure from the country for a State Visit to China, "
                       "five acting ministers have been appointed."),
    _case(set(), "ar", "غادر الرئيس السريلانكي كولومبو اليوم متوجها إلى أبوظبي في زيارة رسمية تستغرق ثلاثة أيام."),
    _case(set(), "fa", "رئیس جمهور سریلانکا امروز برای سفری رسمی سه روزه عازم امارات شد."),
    # ... the visit left behind, or the one held, stays
    _case({("ARE", "LKA")}, "en", "The Sri Lankan president left the UAE on Friday after a three-day official visit "
                                  "during which he met President Mohamed bin Zayed."),
    # a planning participle right after the contact noun (or after it and a comma)
    _case(set(), "en", "The meeting scheduled between the Sri Lankan and German presidents was announced."),
    _case(set(), "en", "The visit, scheduled from June 11 to 13, is carried out at the invitation of German "
                       "President Frank-Walter Steinmeier to the Sri Lankan president."),
    _case(set(), "ar", "الزيارة، المقررة من 11 إلى 13 يونيو، تتم بدعوة من الرئيس الألماني فرانك فالتر شتاينماير "
                       "للرئيس السريلانكي."),
    _case(set(), "fa", "دیدار برنامه‌ریزی‌شده رئیس جمهور سریلانکا و رئیس جمهور آلمان اعلام شد."),
    _case({("DEU", "LKA")}, "en", "The talks between the Sri Lankan and German presidents, held in Berlin, focused "
                                  "on trade."),
])
def test_modality_a_trip_just_begun_and_a_planned_noun(lang, text, expected):
    assert pairs(text, lang, published="2025-06-05") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # actor type: Arabic's dual names two officials with one title and one nisba each in the dual
    # or coordinated ("الرئيسان الروسي والتركي", "المسؤولان الأمريكيان"); Persian and English say
    # it with a plural or a number, which were read before
    _case({("RUS", "TUR")}, "ar", "وبحث الرئيسان الروسي والتركي هاتفيا الوضع في سوريا."),
    _case({("EGY", "JOR")}, "ar", "وعقد الوزيران المصري والأردني اجتماعا في القاهرة."),
    _case({("JOR", "USA")}, "ar", "والتقى المسؤولان الأمريكيان أمس العاهل الأردني الملك عبد الله."),
    _case({("RUS", "TUR")}, "fa", "رؤسای جمهور روسیه و ترکیه تلفنی درباره سوریه گفت‌وگو کردند."),
    _case({("JOR", "USA")}, "fa", "دو مقام آمریکایی دیروز با پادشاه اردن دیدار کردند."),
    _case({("RUS", "TUR")}, "en", "The Russian and Turkish presidents discussed Syria by phone."),
    _case({("JOR", "USA")}, "en", "The two US officials met Jordan's King Abdullah yesterday."),
])
def test_actor_type_two_officials_named_in_the_dual(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # actor type: Arabic inflects titles and verbs for a woman ("رئيسة الوزراء", "التقت",
    # "وصلت"); Persian and English do not
    _case({("GBR", "SAU")}, "ar", "التقت رئيسة الوزراء البريطانية بالعاهل السعودي في الرياض."),
    _case({("BHR", "GBR")}, "ar", "استقبل ملك البحرين رئيسة الوزراء البريطانية."),
    _case({("GBR", "SAU")}, "ar", "وصلت رئيسة الوزراء البريطانية إلى الرياض."),
    _case({("GBR", "SAU")}, "fa", "نخست‌وزیر انگلیس با پادشاه عربستان در ریاض دیدار کرد."),
    _case({("GBR", "SAU")}, "en", "The British prime minister met the Saudi king in Riyadh."),
])
def test_actor_type_a_woman_in_office(lang, text, expected):
    assert pairs(text, lang, published="2017-04-04") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # attachment: a trip verb's object is its destination, also with the visitor between them
    # (Arabic's verb-subject-object, cues/ar/object_visit.txt), and a name that is also a nisba
    # ("السعودية") is the name after a preposition or as that object
    _case({("IRN", "SAU")}, "ar", "زار وزير الخارجية الإيراني الرياض أمس."),
    _case({("IRN", "IRQ")}, "ar", "زار وزير الخارجية الإيراني العراق أمس."),
    _case({("IRN", "SAU")}, "ar", "زار وزير الخارجية الإيراني السعودية أمس."),
    _case({("IRN", "SAU")}, "ar", "وصل وزير الخارجية الإيراني إلى السعودية أمس."),
    _case(set(), "ar", "أشاد وزير الخارجية السعودي بالعلاقات."),
    _case({("IRN", "SAU")}, "fa", "وزیر امور خارجه ایران دیروز به ریاض سفر کرد."),
    _case({("IRN", "SAU")}, "en", "Iran's foreign minister visited Riyadh yesterday."),
    _case({("IRN", "SAU")}, "en", "Iran's foreign minister arrived in Saudi Arabia yesterday."),
])
def test_attachment_the_object_of_a_trip_verb_is_its_destination(lang, text, expected):
    assert pairs(text, lang, published="2024-03-04") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # modality: a planned (or denied) contact verb coordinated after a held one takes the actors
    # of its own clause with it: after the verb in Arabic and English, before it in Persian
    _case({("ESP", "ISR")}, "en", "The Israeli foreign ministry director met the Spanish ambassador on Monday and will "
                                  "meet the Belgian ambassador on Tuesday."),
    _case({("ESP", "ISR")}, "fa", "مدیر وزارت خارجه اسرائیل روز دوشنبه با سفیر اسپانیا دیدار کرد و روز سه‌شنبه با سفیر "
                                  "بلژیک دیدار خواهد کرد."),
    _case({("ESP", "ISR")}, "ar", "وقالت الخارجية الإسرائيلية إن المدير التقى الاثنين سفير إسبانيا وسيلتقي سفير بلجيكا "
                                  "الثلاثاء."),
    _case({("ESP", "ISR")}, "ar", "التقى وزير الخارجية الإسرائيلي الاثنين سفير إسبانيا، على أن يلتقي سفير بلجيكا "
                                  "الثلاثاء."),
    # ... and a held second contact keeps its own
    _case({("BEL", "ISR"), ("ESP", "ISR")}, "en", "The Israeli foreign minister met the Spanish ambassador on Monday "
                                                  "and met the Belgian ambassador on Tuesday."),
])
def test_modality_a_planned_contact_coordinated_after_a_held_one(lang, text, expected):
    assert pairs(text, lang, published="2024-04-30") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # attachment: Persian names the place visited with از before بازدید / دیدن کرد (where از
    # otherwise says where a traveller came from); Arabic and English with the object
    _case({("GBR", "SAU")}, "fa", "نخست‌وزیر انگلیس روز دوشنبه از ریاض دیدن کرد."),
    _case({("IRN", "SAU")}, "fa", "وزیر امور خارجه ایران از عربستان بازدید کرد."),
    _case(set(), "fa", "وزیر امور خارجه ایران پس از بازگشت از عربستان گفت."),
    _case({("IRN", "SAU")}, "ar", "زار وزير الخارجية الإيراني السعودية."),
    _case({("IRN", "SAU")}, "en", "Iran's foreign minister visited Saudi Arabia."),
])
def test_attachment_persian_visits_a_place_with_az(lang, text, expected):
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # mode: "on the sidelines of" a visit is the visit, not a multilateral meeting
    _case({("RUS", "TUR"): "visit"}, "fa", "اردوغان روز دوشنبه در مسکو با پوتین دیدار کرد. در حاشیه این بازدید، پوتین "
                                           "برای اردوغان بستنی خرید."),
    _case({("RUS", "TUR"): "visit"}, "en", "Erdogan met Putin in Moscow on Monday. On the sidelines of the visit, "
                                           "Putin bought Erdogan an ice cream."),
    _case({("RUS", "TUR"): "visit"}, "ar", "التقى أردوغان بوتين في موسكو الاثنين. وعلى هامش الزيارة، اشترى بوتين "
                                           "لأردوغان مثلجات."),
])
def test_mode_the_sidelines_of_a_visit(lang, text, expected):
    assert modes(text, lang) == expected


@pytest.mark.parametrize("lang, text, expected", [
    # modality: the contact noun right after "before" is still ahead of the sentence's own event;
    # not the end of a visit ("before leaving"), nor a clause ("before the two leaders held")
    _case(set(), "en", "Israeli Prime Minister Benjamin Netanyahu consulted his advisers before his meeting "
                       "with US President Donald Trump at the White House."),
    _case(set(), "ar", "وتشاور رئيس الوزراء الإسرائيلي بنيامين نتنياهو مع مستشاريه قبل لقائه الرئيس الأمريكي "
                       "دونالد ترامب في البيت الأبيض."),
    _case(set(), "fa", "بنیامین نتانیاهو، نخست وزیر اسرائیل، پیش از دیدار با دونالد ترامپ رئیس جمهور آمریکا در "
                       "کاخ سفید، با مشاوران خود گفتگو کرد."),
    _case({("GBR", "JPN")}, "en", "The British trade minister repeated the threat of sanctions before leaving "
                                  "Tokyo yesterday at the end of a four-day visit."),
    _case({("GBR", "JPN")}, "ar", "وكرر وزير التجارة البريطاني التهديد بفرض عقوبات قبل مغادرته طوكيو أمس في "
                                  "ختام زيارة استمرت أربعة أيام."),
    _case({("GBR", "JPN")}, "fa", "وزیر تجارت انگلیس دیروز پیش از ترک توکیو در پایان سفری چهار روزه تهدید به "
                                  "تحریم را تکرار کرد."),
    _case({("ISR", "USA")}, "en", "Netanyahu met Trump at the White House on Monday before the two leaders "
                                  "held a press conference."),
    _case({("ISR", "USA")}, "ar", "التقى نتنياهو ترامب في البيت الأبيض الاثنين قبل أن يعقد الزعيمان مؤتمرا "
                                  "صحفيا."),
    _case({("ISR", "USA")}, "fa", "نتانیاهو روز دوشنبه در کاخ سفید با ترامپ دیدار کرد، پیش از آنکه دو رهبر در "
                                  "یک کنفرانس خبری شرکت کنند."),
])
def test_modality_a_contact_after_before(lang, text, expected):
    assert pairs(text, lang, published="2025-06-10") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # gathering scope: coordinated subjects with their own words around "and" (a nisba, "of
    # Armenia") meeting an official are one meeting of the three, whatever the order of verb and
    # subjects; a bare name after coordinated subjects is the topic
    _case({("ARM", "IRN"), ("ARM", "TKM"), ("IRN", "TKM")}, "en",
          "The Armenian prime minister and the Turkmen president met Iranian President Pezeshkian in Ashgabat."),
    _case({("ARM", "IRN"), ("ARM", "TKM"), ("IRN", "TKM")}, "ar",
          "التقى رئيس وزراء أرمينيا ورئيس تركمانستان الرئيس الإيراني مسعود بزشكيان في عشق آباد."),
    _case({("ARM", "IRN"), ("ARM", "TKM"), ("IRN", "TKM")}, "fa",
          "نخست‌وزیر ارمنستان و رئیس جمهور ترکمنستان در عشق‌آباد با مسعود پزشکیان رئیس جمهور ایران دیدار کردند."),
    _case({("ISR", "RUS")}, "en",
          "Russian President Putin and Israeli Prime Minister Netanyahu discussed the situation in Iran."),
    _case({("ISR", "RUS")}, "ar", "بحث الرئيس الروسي بوتين ورئيس الوزراء الإسرائيلي نتنياهو الوضع في إيران."),
    _case({("ISR", "RUS")}, "fa",
          "پوتین رئیس جمهور روسیه و نتانیاهو نخست وزیر اسرائیل درباره اوضاع ایران گفتگو کردند."),
])
def test_gathering_scope_coordinated_subjects_with_their_own_words(lang, text, expected):
    assert pairs(text, lang, published="2025-06-10") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # attachment: unnamed officials "in" a list of states are those states' officials, met one
    # by one (not a venue, not one meeting of them all); officials with a country of their own
    # keep it, and the place after them is where they met
    _case({("IRQ", "USA"), ("JOR", "USA"), ("SAU", "USA")}, "en",
          "The US Secretary of State met senior officials in Jordan, Saudi Arabia and Iraq during a regional tour."),
    _case({("IRQ", "USA"), ("JOR", "USA"), ("SAU", "USA")}, "ar",
          "والتقى وزير الخارجية الأمريكي كبار المسؤولين في الأردن والسعودية والعراق خلال جولة إقليمية."),
    _case({("IRQ", "USA"), ("JOR", "USA"), ("SAU", "USA")}, "fa",
          "وزیر خارجه آمریکا در سفری منطقه‌ای با مقامات ارشد اردن، عربستان سعودی و عراق دیدار کرد."),
    # the officials' own modifiers before "in", an "and" among them included (no coordination
    # of two parties: the verb stands between the subject and it)
    _case({("IRQ", "USA"), ("JOR", "USA")}, "en", "The US Secretary of State met senior civilian and military "
                                                  "officials in Jordan and Iraq during a regional tour."),
    _case({("IRQ", "USA"), ("JOR", "USA")}, "ar", "والتقى وزير الخارجية الأمريكي كبار المسؤولين المدنيين "
                                                  "والعسكريين في الأردن والعراق خلال جولة إقليمية."),
    _case({("IRQ", "USA"), ("JOR", "USA")}, "fa", "وزیر خارجه آمریکا در این سفر با مقام‌های ارشد غیرنظامی و "
                                                  "نظامی در اردن و عراق دیدار کرد."),
    _case({("IRN", "OMN")}, "en", "Iranian officials met Omani Foreign Minister Badr Albusaidi in Muscat on Monday."),
    _case({("IRN", "OMN")}, "ar",
          "التقى المسؤولون الإيرانيون وزير الخارجية العماني بدر البوسعيدي في مسقط يوم الاثنين."),
    _case({("IRN", "OMN")}, "fa", "مقامات ایرانی روز دوشنبه در مسقط با بدر البوسعیدی وزیر خارجه عمان دیدار کردند."),
])
def test_attachment_unnamed_officials_in_a_list_of_states(lang, text, expected):
    assert pairs(text, lang, published="2025-06-10") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # speech act: a welcoming verb whose object is a thing, not a guest (Persian gives it with از
    # before استقبال کرد); a guest right after از, or after an honorific, is received
    _case(set(), "fa", "امانوئل مکرون، رئیس‌جمهوری فرانسه، از توافق میان واشنگتن و تهران استقبال کرد."),
    _case(set(), "fa", "رئیس جمهور ترکیه از آتش‌بس میان ایران و اسرائیل استقبال کرد."),
    _case({("FRA", "IRN")}, "fa",
          "امانوئل مکرون، رئیس‌جمهوری فرانسه، از وزیر خارجه ایران در کاخ الیزه استقبال کرد."),
    _case({("FRA", "IRN")}, "fa",
          "امانوئل مکرون، رئیس‌جمهوری فرانسه، از آقای عراقچی وزیر خارجه ایران در کاخ الیزه استقبال کرد."),
    _case(set(), "en",
          "French President Emmanuel Macron welcomed the agreement between Washington and Tehran."),
    _case({("FRA", "IRN")}, "en",
          "French President Emmanuel Macron received the Iranian foreign minister at the Elysee Palace."),
    _case(set(), "ar", "رحب الرئيس الفرنسي إيمانويل ماكرون بالاتفاق بين واشنطن وطهران."),
    _case({("FRA", "IRN")}, "ar",
          "استقبل الرئيس الفرنسي إيمانويل ماكرون وزير الخارجية الإيراني في قصر الإليزيه."),
])
def test_speech_act_welcoming_a_thing_is_no_reception(lang, text, expected):
    assert pairs(text, lang, published="2025-06-10") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # actor type: a state's military commander is its official (a US regional command, like the
    # Pentagon, stands for the United States); a commander of no state is no actor
    _case({("ISR", "USA")}, "en", "The commander of US Central Command, Admiral Brad Cooper, met Israeli Prime "
                                  "Minister Netanyahu on Monday."),
    _case({("ISR", "USA")}, "en", "CENTCOM commander Admiral Brad Cooper met Israeli Prime Minister Netanyahu on "
                                  "Monday."),
    _case({("ISR", "USA")}, "ar", "التقى قائد القيادة المركزية الأمريكية الأدميرال براد كوبر رئيس الوزراء "
                                  "الإسرائيلي نتنياهو يوم الاثنين."),
    _case({("ISR", "USA")}, "fa", "فرمانده سنتکام روز دوشنبه با نتانیاهو نخست وزیر اسرائیل دیدار کرد."),
    _case({("ISR", "USA")}, "fa", "فرمانده ستاد فرماندهی مرکزی آمریکا روز دوشنبه با نتانیاهو نخست وزیر اسرائیل "
                                  "دیدار کرد."),
    _case(set(), "en", "A Hamas commander met a Hezbollah commander in Beirut on Monday."),
    _case(set(), "ar", "التقى قائد في حركة حماس قائدا في حزب الله في بيروت يوم الاثنين."),
    _case(set(), "fa", "یک فرمانده حماس روز دوشنبه در بیروت با یک فرمانده حزب‌الله دیدار کرد."),
])
def test_actor_type_a_states_military_commander(lang, text, expected):
    assert pairs(text, lang, published="2025-06-10") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # actor type: a leader's spouse is a private person, like the child (the first lady included);
    # "the President and his wife" keeps the President
    _case(set(), "en", "The wife of the US President met the Saudi ambassador."),
    _case(set(), "en", "US First Lady Jill Biden met the wife of the Saudi ambassador in Washington."),
    _case(set(), "en", "The US first lady visited Slovakia and Romania on Monday."),
    _case(set(), "ar", "التقت زوجة الرئيس الأمريكي بالسفير السعودي."),
    _case(set(), "ar", "زارت السيدة الأولى الأمريكية سلوفاكيا ورومانيا يوم الاثنين."),
    _case(set(), "ar", "التقت قرينة الرئيس الأمريكي بالسفير السعودي."),
    _case(set(), "fa", "همسر رئیس جمهور آمریکا با سفیر عربستان دیدار کرد."),
    _case(set(), "fa", "بانوی اول آمریکا روز دوشنبه از اسلواکی و رومانی بازدید کرد."),
    _case({("SAU", "USA")}, "en", "The US President and his wife met the Saudi ambassador."),
])
def test_actor_type_a_leaders_spouse_is_a_private_person(lang, text, expected):
    assert pairs(text, lang, published="2024-06-10") == expected


@pytest.mark.parametrize("lang, text, expected", [
    # other sense: English "called X "..."" names X (Arabic and Persian name with وصف and خواند);
    # a call with a quotation after a comma, or a quoted purpose, stays a call
    _case(set(), "en", "Mr Trump called Kim Jong-un \"little rocket man\" at the United Nations."),
    _case(set(), "en", "Trump called Putin a “killer” on Monday."),
    _case({("RUS", "USA")}, "en", "Trump called Putin on Monday to discuss Ukraine."),
    _case({("RUS", "USA")}, "en", "Trump called Putin on Monday, saying \"we had a great talk\"."),
    _case({("RUS", "USA")}, "en", "The White House said Trump called Putin \"to discuss peace\"."),
    _case(set(), "ar", "ووصف ترامب الزعيم الكوري الشمالي كيم جونغ أون بـ\"رجل الصواريخ الصغير\"."),
    _case(set(), "fa", "ترامپ، کیم جونگ اون رهبر کره شمالی را «مرد موشکی کوچک» خواند."),
    _case({("RUS", "USA")}, "ar", "اتصل ترامب ببوتين يوم الاثنين لبحث أوكرانيا."),
])
def test_other_sense_called_a_name(lang, text, expected):
    assert pairs(text, lang, published="2025-06-10") == expected
