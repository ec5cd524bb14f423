"""Chunking with the model's own tokenizer: chunks fit, stay in their section, overlap."""

from __future__ import annotations

import pytest

from sitebot.index.embed import count_tokens
from sitebot.index.model import LoadedModel, default_model, load
from sitebot.text.chunk import chunk_document
from sitebot.text.extract import Document, Section, extract
from sitebot.text.rows import parse_row
from sitebot.text.sources import Page


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


def table_section(rows: int) -> Section:
    """A price table as extraction writes it: an intro line, then one row line per country."""
    page = html_page_with_table(rows)
    return next(s for s in extract(page).sections if s.headings == ("Rates",))


def html_page_with_table(rows: int) -> Page:
    body = "".join(
        f"<tr><th>Country {i}</th><td>Carrier {i % 3}</td><td>{i + 2} working days</td><td>€{i}.95</td></tr>"
        for i in range(rows)
    )
    html = (
        "<html><body><main><h1>Shipping</h1><h2>Rates</h2><p>Rates by country. Prices include VAT: see below.</p>"
        f"<table><thead><tr><th>Destination</th><th>Carrier</th><th>Standard</th><th>Price</th></tr></thead>{body}</table>"
        "<p>Allow an extra day around holidays.</p></main></body></html>"
    )
    return Page(url="https://acme.example/shipping", path="shipping.html", kind="html", content=html.encode())


def test_long_table_splits_on_rows_and_every_row_keeps_its_headers(model: LoadedModel) -> None:
    count = lambda t: count_tokens(model, t)  # noqa: E731
    s = table_section(40)
    chunks = chunk_document(doc(s), 0, count=count, max_tokens=128, overlap=24)
    assert len(chunks) >= 4
    seen: set[int] = set()
    for c in chunks:
        assert len(model.tokenizer.encode(c.embed_text).ids) <= 128
        for line in c.text.split("\n"):
            if line.startswith("Country "):
                # A whole row, with its headers, wherever in the table the chunk starts.
                i = int(line.split()[1])
                assert (
                    line == f"Country {i} · Carrier: Carrier {i % 3} · Standard: {i + 2} working days · Price: €{i}.95"
                )
                seen.add(i)
            else:
                assert line in (
                    "Rates by country. Prices include VAT: see below.",
                    "Allow an extra day around holidays.",
                )
    assert seen == set(range(40))  # every row is in some chunk


def test_rows_are_lines_never_joined_to_a_sentence(model: LoadedModel) -> None:
    count = lambda t: count_tokens(model, t)  # noqa: E731
    (c,) = chunk_document(doc(table_section(2)), 0, count=count, max_tokens=256, overlap=24)
    assert c.text == (
        "Rates by country. Prices include VAT: see below.\n"
        "Country 0 · Carrier: Carrier 0 · Standard: 2 working days · Price: €0.95\n"
        "Country 1 · Carrier: Carrier 1 · Standard: 3 working days · Price: €1.95\n"
        "Allow an extra day around holidays."
    )


def test_prose_lines_keep_their_newlines_and_their_sentences(model: LoadedModel) -> None:
    count = lambda t: count_tokens(model, t)  # noqa: E731
    text = "\n".join(sentences(3, f"para{p}") for p in range(8))
    chunks = chunk_document(doc(Section("", ("Guide",), 2, text)), 0, count=count, max_tokens=128, overlap=24)
    for c in chunks:
        # Sentences of a paragraph are joined by a space, paragraphs by a newline.
        for line in c.text.split("\n"):
            assert len({w for w in line.split() if w.startswith("para")}) == 1, line
    assert any("\n" in c.text for c in chunks)


def test_a_row_too_long_for_a_chunk_is_split_into_rows_with_its_key(model: LoadedModel) -> None:
    count = lambda t: count_tokens(model, t)  # noqa: E731
    cells = " · ".join(f"Column {i}: value number {i} of this very wide row" for i in range(30))
    row = f"Germany · {cells}"
    s = Section("", ("Wide",), 2, row, units=frozenset({row}))
    chunks = chunk_document(doc(s), 0, count=count, max_tokens=128, overlap=0)
    lines = [ln for c in chunks for ln in c.text.split("\n")]
    assert len(lines) >= 3 and all(ln.startswith("Germany · Column ") for ln in lines)
    assert all(parse_row(ln) is not None for ln in lines)
