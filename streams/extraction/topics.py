"""Topics of a contact from keyword lists (``knowledge/topics.tsv``).

The keywords are found by the gazetteer's automaton in each paragraph. A paragraph has a topic when
it contains a *strong* keyword (Gaza, Hamas, hostages, طوفان الأقصى ...) or, for events from the
topic's start date on, a *weak* context keyword (Palestine, ceasefire, West Bank ...). A contact gets
the topics of its own paragraph and of the paragraphs its report "owns" in the same story: every
topic paragraph belongs to the nearest contact paragraph before it (the report goes on about that
contact), or, before the first contact, to the first one after it (the headline and lead).
"""
from __future__ import annotations

from streams.knowledge import loader


def paragraph_topics(found: set[tuple[str, str]], ref_day: str | None) -> set[str]:
    """Topics of one paragraph from its (topic, strength) keyword hits; a weak keyword counts
    from its topic's start day on (``knowledge/topic_starts.tsv``: gaza from 7 October 2023)."""
    out = set()
    if not found:
        return out
    starts = loader.load_topic_starts()
    for topic, strength in found:
        if strength == "strong":
            out.add(topic)
        else:
            start = starts.get(topic)
            if start and ref_day and ref_day >= start:
                out.add(topic)
    return out


def assign(paragraph_topic_sets: list[set[str]], contact_paragraphs: list[int]) -> dict[int, set[str]]:
    """Topics per contact paragraph index, from the topics of all paragraphs of one story."""
    owned: dict[int, set[str]] = {p: set(paragraph_topic_sets[p]) for p in contact_paragraphs}
    if not contact_paragraphs:
        return owned
    ordered = sorted(set(contact_paragraphs))
    for i, topics in enumerate(paragraph_topic_sets):
        if not topics or i in owned:
            continue
        before = [p for p in ordered if p < i]
        owner = before[-1] if before else ordered[0]
        owned[owner] |= topics
    return owned
