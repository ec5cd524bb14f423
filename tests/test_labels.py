"""Citation labels read "Page title › Section": no section numbers, no repetition
(runtime_js/src/ui/label.js, run by Node)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_node

LABEL_JS = Path(__file__).resolve().parent.parent / "runtime_js/src/ui/label.js"

CASES = [
    # (title, heading path) → label
    (
        ("10.3. Virtual Private Network", "10.3. Virtual Private Network › 10.3.4. PPTP"),
        "Virtual Private Network › PPTP",
    ),
    (("A.1. Preliminaries", "A.1.2. Booting"), "Preliminaries › Booting"),
    (("6.3. Using Individual Components", "6.3.4 Partitioning"), "Using Individual Components › Partitioning"),
    (("Returns and refunds", "30-day return window"), "Returns and refunds › 30-day return window"),
    (("Pricing", "Pricing"), "Pricing"),
    (("Release notes", "2024 plans"), "Release notes › 2024 plans"),  # a year is not a section number
    (("A small guide", ""), "A small guide"),
    (("", ""), ""),
]


def test_labels_drop_numbers_and_repetition(tmp_path: Path) -> None:
    out = run_node(
        tmp_path,
        f"import {{ label }} from {json.dumps(LABEL_JS.as_uri())};\n"
        f"console.log(JSON.stringify({json.dumps([c for c, _ in CASES])}.map(([t, h]) => label(t, h))));\n",
    )
    assert out == [want for _, want in CASES]
