"""Chunking with the model's own tokenizer: chunks fit, stay in their section, overlap."""

from __future__ import annotations

import pytest

from sitebot.index.embed import count_tokens
from sitebot.index.model import LoadedModel, default_model, load
from sitebot.text.chunk import chunk_document
from sitebot.text.extract import Document, Section


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    return load(default_model(), threads=1)


def sentences(n: int, topic: str) -> str:
    return " ".join(f"Sentence {i} explains the {topic} rule number {i} in some detail for readers." for i in range(n))


def doc(*sections: Section) -> Document:
    return Document(url="https://acme.example/p", title="Policies", lang="en", sections=list(sections))


def test_long_sections_split_on_sentences_within_budget(model: LoadedModel) -> None:
    count = lambda t: count_tokens(model, t)  # noqa: E731
    d = doc(
        Section("refunds", ("Refunds",), 2, sentences(40, "refund")),
        Section("shipping", ("Shipping",), 2, sentences(3, "shipping")),
    )
    chunks = chunk_document(d, 0, count=count, max_tokens=128, overlap=24)
    refund = [c for c in chunks if c.anchor == "refunds"]
    assert len(refund) > 3
    for c in chunks:
        assert len(model.tokenizer.encode(c.embed_text).ids) <= 128
        assert c.text.endswith("readers.")  # ends on a sentence boundary
        assert ("refund" in c.text) != ("shipping" in c.text)  # never across sections
    # Consecutive pieces share a sentence (overlap).
    first_last = refund[0].text.split(". ")[-1]
    assert first_last in refund[1].text


def test_embed_text_is_prefixed_with_title_and_headings(model: LoadedModel) -> None:
    count = lambda t: count_tokens(model, t)  # noqa: E731
    d = doc(Section("a", ("Returns", "Damaged items"), 3, sentences(2, "damage")))
    (c,) = chunk_document(d, 0, count=count, max_tokens=128, overlap=24)
    assert c.embed_text.startswith("Policies\nReturns › Damaged items\n")
    assert c.heading == "Returns › Damaged items"


def test_empty_parent_merges_into_first_child(model: LoadedModel) -> None:
    count = lambda t: count_tokens(model, t)  # noqa: E731
    d = doc(
        Section("pricing", ("Pricing",), 2, ""),
        Section("", ("Pricing", "Team"), 3, sentences(2, "team")),
        Section("solo", ("Pricing", "Solo"), 3, sentences(2, "solo")),
    )
    chunks = chunk_document(d, 0, count=count, max_tokens=128, overlap=24)
    assert [(c.anchor, c.headings) for c in chunks] == [("pricing", ("Pricing", "Team")), ("solo", ("Pricing", "Solo"))]


def test_overlong_sentence_is_cut(model: LoadedModel) -> None:
    count = lambda t: count_tokens(model, t)  # noqa: E731
    d = doc(Section("", ("Log",), 2, "word " * 600))
    chunks = chunk_document(d, 0, count=count, max_tokens=128, overlap=24)
    assert len(chunks) >= 5
    assert all(len(model.tokenizer.encode(c.embed_text).ids) <= 128 for c in chunks)
