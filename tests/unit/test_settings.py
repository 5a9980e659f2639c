"""streams.settings: environment parsing, fallbacks, validation, and the docs kept in step."""
from __future__ import annotations


import pytest

from streams.settings import PREFIX, SPECS, Settings, settings_help, settings_table

from tests.paths import ROOT


def test_defaults_and_derived_internal_topics():
    s = Settings.from_env({})
    assert s.app_id == "diplowatch"
    assert s.topic_articles == "articles" and s.topic_dead_letter == "articles.dead-letter"
    assert s.topic_dedupe == "diplowatch-dedupe" and s.topic_extract == "diplowatch-extract"
    assert s.dedupe_partitions == 1 and s.store == "memory://"


def test_internal_topics_follow_the_app_id_unless_set():
    s = Settings.from_env({"DIPLOWATCH_APP_ID": "t1", "DIPLOWATCH_TOPIC_EXTRACT": "x"})
    assert s.topic_dedupe == "t1-dedupe" and s.topic_extract == "x" and s.topic_sources == "t1-sources"


def test_bootstrap_prefers_prefixed_variable_then_kafka_bootstrap():
    assert Settings.from_env({"KAFKA_BOOTSTRAP": "a:1"}).kafka_bootstrap == "a:1"
    env = {"KAFKA_BOOTSTRAP": "a:1", "DIPLOWATCH_KAFKA_BOOTSTRAP": "b:2"}
    assert Settings.from_env(env).kafka_bootstrap == "b:2"


def test_types_are_parsed_and_overrides_win():
    env = {"DIPLOWATCH_PARTITIONS": "8", "DIPLOWATCH_WEB_ENABLED": "no",
           "DIPLOWATCH_DEDUP_HORIZON_SECONDS": "3600.5", "DIPLOWATCH_WEB_PORT": "7000"}
    s = Settings.from_env(env, web_port=7100, app_id=None)
    assert s.partitions == 8 and s.web_enabled is False and s.dedup_horizon_seconds == 3600.5
    assert s.web_port == 7100 and s.app_id == "diplowatch"


@pytest.mark.parametrize("env, fragment", [
    ({"DIPLOWATCH_PARTITIONS": "four"}, "DIPLOWATCH_PARTITIONS"),
    ({"DIPLOWATCH_PARTITIONS": "0"}, "DIPLOWATCH_PARTITIONS must be >= 1"),
    ({"DIPLOWATCH_WEB_ENABLED": "maybe"}, "DIPLOWATCH_WEB_ENABLED"),
    ({"DIPLOWATCH_WEB_PORT": "70000"}, "WEB_PORT"),
    ({"DIPLOWATCH_SPIKE_ALPHA": "1.5"}, "SPIKE_ALPHA"),
    ({"DIPLOWATCH_RETAIN_DAYS": "10"}, "RETAIN_DAYS"),
    # 7-day window + 12 weeks of history + SETTLE_DAYS 1 + 1: 93 days at least
    ({"DIPLOWATCH_RETAIN_DAYS": "92"}, "RETAIN_DAYS must cover the window, its history and SETTLE_DAYS"),
    ({"DIPLOWATCH_RETAIN_DAYS": "100", "DIPLOWATCH_SETTLE_DAYS": "9"}, "RETAIN_DAYS"),
    ({"DIPLOWATCH_MIN_CONFIDENCE": "1.2"}, "MIN_CONFIDENCE must be in"),
])
def test_bad_values_name_the_variable(env, fragment):
    with pytest.raises(ValueError, match=fragment):
        Settings.from_env(env)


def test_unknown_override_is_an_error():
    with pytest.raises(TypeError):
        Settings.from_env({}, no_such_setting=1)


def test_to_env_round_trips():
    s = Settings.from_env({"DIPLOWATCH_APP_ID": "rt", "DIPLOWATCH_WEB_ENABLED": "false",
                           "DIPLOWATCH_PARTITIONS": "3"})
    assert Settings.from_env(s.to_env()) == s


def test_every_field_has_one_spec_and_every_spec_is_documented():
    assert [s.name for s in SPECS] == list(Settings.__dataclass_fields__)
    doc = (ROOT / "docs" / "configuration.md").read_text()
    assert settings_table() in doc, "docs/configuration.md is out of date: regenerate the table"
    helptext = settings_help()
    for spec in SPECS:
        assert spec.env.startswith(PREFIX) and spec.env in helptext


def test_detection_defaults_match_the_spike_model():
    from streams.detection.model import SpikeParams
    d, s = SpikeParams(), Settings.from_env({})
    assert (s.window_days, s.history_weeks, s.spike_alpha, s.spike_min_count, s.spike_min_ratio,
            s.cooldown_days, s.spike_min_reports, s.spike_strong_alpha, s.spike_corroborate_by,
            s.spike_reports_per_contact, s.spike_reports_per_expected, s.spike_unseen_pair_reports,
            s.spike_min_ratio_new, s.spike_min_reported_contacts, s.spike_contact_reports,
            s.spike_count_unit, s.spike_report_dispersion, s.spike_busy_expected) == (
        d.window_days, d.history_weeks, d.alpha, d.min_count, d.min_ratio, d.cooldown_days,
        d.min_reports, d.strong_alpha, d.corroborate_by, d.reports_per_contact,
        d.reports_per_expected, d.unseen_pair_reports, d.min_ratio_new, d.min_reported_contacts,
        d.contact_reports, d.count_unit, d.report_dispersion, d.busy_expected)
    # and the pipeline's alert stage passes every one of them on
    from streams.pipeline.alert import spike_params
    assert spike_params(s) == d
