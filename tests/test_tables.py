"""Tables and definition lists come out as lines a chunk can hold and a card can show: a row
with its column headers, "Term: definition", the same from Markdown; layout tables stay text."""

from __future__ import annotations

from conftest import EXAMPLES
from sitebot.text.extract import Section, extract
from sitebot.text.rows import Cell, Row, parse_row
from sitebot.text.sources import Page, url_for


def html_page(body: str, path: str = "p.html") -> Page:
    doc = f"<!doctype html><html lang='en'><head><title>T</title></head><body><main>{body}</main></body></html>"
    return Page(url=url_for(path, "https://acme.example/"), path=path, kind="html", content=doc.encode())


def lines(page: Page) -> list[str]:
    return extract(page).text.split("\n")


def section(page: Page, heading: str) -> Section:
    return next(s for s in extract(page).sections if s.headings and s.headings[-1] == heading)


def test_shipping_table_rows_carry_their_headers() -> None:
    path = EXAMPLES / "site/policies/shipping.html"
    page = Page(
        url="https://larkbox.example/policies/shipping.html",
        path="policies/shipping.html",
        kind="html",
        content=path.read_bytes(),
    )
    s = section(page, "Delivery times")
    germany = (
        "Germany, France, Denmark, Austria · Carrier: DHL · Standard: 2–3 working days · Express: Next working day"
    )
    assert germany in s.text.split("\n")
    assert germany in s.units  # one unit for the chunker
    assert "Destination" not in s.text  # the header row is not a line of its own: it is in each row
    assert "Netherlands · Carrier: PostNL · Standard: 1 working day" in s.text
    assert parse_row(germany) == Row(
        "Germany, France, Denmark, Austria",
        (Cell("Carrier", "DHL"), Cell("Standard", "2–3 working days"), Cell("Express", "Next working day")),
    )


def test_table_without_header_row_caption_empty_cells_and_spans() -> None:
    got = lines(
        html_page(
            "<p>Opening hours follow.</p><table><caption>Opening hours</caption>"
            "<tr><td>Monday</td><td></td><td>9:00–17:00</td></tr>"
            "<tr><td>Saturday</td><td colspan=2>closed</td></tr></table>"
            "<table><thead><tr><th>Plan</th><th>Seats</th><th>Price</th></tr></thead>"
            "<tr><td rowspan=2>Team</td><td>1–10</td><td>$12</td></tr><tr><td>11+</td><td>$10</td></tr></table>"
        )
    )
    assert lines(html_page("<p>x</p>"))[0] == "x"
    assert got[1:] == [
        "Opening hours",
        "Monday · 9:00–17:00",  # no header row: cells bare; the empty cell left out
        "Saturday · closed",
        "Team · Seats: 1–10 · Price: $12",
        "Team · Seats: 11+ · Price: $10",  # a rowspan cell is read in every row it covers
    ]


def test_layout_tables_stay_plain_text() -> None:
    # DocBook's admonition: an icon cell and a one-cell row of prose; and a page laid out in a
    # table of tables. Neither is a table of data.
    note = (
        '<div class="note"><table border="0" summary="Note"><tr><td rowspan="2"><img alt="[Note]" src="n.png"></td>'
        '<th align="left">Note</th></tr><tr><td><p>Back up your data first. It takes a minute.</p></td></tr></table></div>'
    )
    nested = (
        "<table><tr><td><table><tr><td>Left menu</td><td>More</td></tr></table></td>"
        "<td><p>The article text is here.</p></td></tr></table>"
    )
    text = extract(html_page(note + nested)).text
    assert "Note\nBack up your data first. It takes a minute." in text
    assert "The article text is here." in text.split("\n")
    assert not any(parse_row(ln) for ln in text.split("\n") if "Note" in ln or "article" in ln)
    assert "Left menu · More" in text.split("\n")  # the inner table is data


def test_definition_lists_short_pairs_are_lines_long_ones_stay_prose() -> None:
    long_def = " ".join(["The session executes the statement and returns a result."] * 8)
    page = html_page(
        "<dl><dt>Warranty</dt><dd>Two years on every printer.</dd>"
        "<dt>Parameters:</dt><dd>name – the table's name</dd>"
        f'<dt id="s.execute">Session.execute(statement, params=None)<a class="headerlink">¶</a></dt><dd><p>{long_def}</p>'
        "<p>New in version 1.4.</p></dd></dl>"
    )
    s = extract(page).sections[0]
    got = s.text.split("\n")
    assert got[:2] == ["Warranty: Two years on every printer.", "Parameters: name – the table's name"]
    assert {"Warranty: Two years on every printer.", "Parameters: name – the table's name"} <= s.units
    # The long entry: its signature, then its definition as paragraphs of prose.
    assert got[2].startswith("Session.execute(statement, params=None)")
    assert got[3] == long_def and got[4] == "New in version 1.4."
    assert not s.units & {got[3], got[4]}


def test_markdown_table_comes_out_like_html() -> None:
    md = "# Plans\n\n| Plan | Seats | Price |\n|---|---|---|\n| Team | 1–10 | $12 |\n| Business | 11+ | $10 |\n"
    page = Page(url="https://acme.example/plans", path="plans.md", kind="markdown", content=md.encode())
    assert "Team · Seats: 1–10 · Price: $12\nBusiness · Seats: 11+ · Price: $10" in extract(page).text


def test_prose_is_not_a_row() -> None:
    for prose in (
        "Note: the price includes VAT.",
        "Posted by Ann · ",
        "One · ",
        "Parameters: name – the table's name",
        "a·b·c",
    ):
        assert parse_row(prose) is None, prose
    assert parse_row("bin · Content: Essential command binaries") == Row(
        "bin", (Cell("Content", "Essential command binaries"),)
    )
