"""The build cuts a chunk into the units the browser's cards show (generator/sitebot/text/units.py
against runtime_js/src/shared/marking.js unitsOf, run by Node): the unit signatures in a bundle
are read by position, so one unit more or less on either side would score the wrong sentences."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_node
from sitebot.text.units import units_of

ROOT = Path(__file__).resolve().parent.parent
MARKING_JS = ROOT / "runtime_js/src/shared/marking.js"

TEXTS = [
    "It works. Really!\nNext line",
    # Rows: one unit each, however many full stops their cells hold; a one-cell line is prose.
    "Delivery times by country.\nGermany · Carrier: DHL. Express · Standard: 2–3 working days. Sat. too\n"
    "France · Carrier: Colissimo · Standard: 3–4 days\nJust one cell · \nKey: value only",
    # Abbreviations and lower-case continuations do not end a sentence; a digit or a capital does.
    "See e.g. the manual. Use ver. 2 of it. Then stop! Why? because. 3 more. ok",
    # Unicode capitals, digits of other scripts, no-break and ideographic spaces, a BOM.
    "Zürich ist schön. Élan vital. Ωmega is last. Ärger\u00a0hier. \u0661\u0662 Arabic digits.\u3000Next one.\ufeff",
    # Blank lines, lines of spaces, tabs and CRLF.
    "\n\n  First.   \n \t \nSecond line.\r\nThird. \u2028Fourth.\n\n",
    "   ",
    "",
    "One sentence only",
    "Numbers 1.5 and 2. 3.4 stays. Done.\u00a0Next.",
    "Quote: “Done.” Next. (Aside.) After.",
    "a · b · c\n · x · \nHeader: v · Other: w",
]


def test_the_build_splits_units_as_the_browser_does(tmp_path: Path) -> None:
    script = (
        f"import {{ unitsOf }} from {json.dumps(MARKING_JS.as_uri())};\n"
        f"console.log(JSON.stringify({json.dumps(TEXTS)}.map(unitsOf)));\n"
    )
    browser = run_node(tmp_path, script)
    assert [units_of(t) for t in TEXTS] == browser
    # The split is not trivial on these texts: rows stay whole, sentences split.
    assert units_of(TEXTS[1])[1].startswith("Germany · Carrier: DHL. Express")
    assert len(units_of(TEXTS[3])) >= 4


def test_each_shard_has_a_units_file_of_its_chunks_sign_bits(examples_bundle: Path) -> None:
    """docs/bundle-format.md, "Units files": per chunk a count byte (0 for a one-unit chunk), then
    that many signatures of dims/8 bytes, bit d set when the unit's vector has d > 0."""
    import numpy as np

    from sitebot.evaluate import query_vectors

    manifest = json.loads((examples_bundle / "sitebot.json").read_text())
    dims = manifest["model"]["dims"]
    signed: list[tuple[str, bytes]] = []
    for shard in manifest["files"]["shards"]:
        texts = json.loads((examples_bundle / shard["file"]).read_text())
        data = (examples_bundle / shard["units"]).read_bytes()
        at = 0
        for text in texts:
            units, n = units_of(text), data[at]
            assert n == (len(units) if len(units) > 1 else 0), text
            for u in range(n):
                signed.append((units[u], data[at + 1 + u * dims // 8 : at + 1 + (u + 1) * dims // 8]))
            at += 1 + n * dims // 8
        assert at == len(data)
    assert len(signed) > 100
    # A few units embedded as the browser embeds a question: their signs are what the file holds.
    sample = signed[:: len(signed) // 8][:8]
    vectors = query_vectors(examples_bundle, manifest, [t for t, _ in sample])
    for (text, sig), v in zip(sample, vectors, strict=True):
        bits = np.unpackbits(np.frombuffer(sig, dtype=np.uint8), bitorder="little")[:dims]
        assert (bits == (v > 0)).all(), text
