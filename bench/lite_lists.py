"""How the lite path's chunk vectors rank when cut into k-means lists and probed a few at a time (issue 16).

    python bench/lite_lists.py BUNDLE=QUESTIONS.jsonl [BUNDLE=QUESTIONS.jsonl ...]

The lite path answers first, so the bytes of its vectors count against the first answer's budget
on every site. For each built bundle (format 2, with a lite path) this re-partitions its lite
vectors (index/lists.py, as `sitebot generate` would) into lists of 64, 100 and 150 rows and
ranks the question set on the lite path (the browser's ranking, retrieve.py) probing 2 to 8
lists, beside the exhaustive search of all of them. Printed per setting: R@5 by page over the
answerable questions, the refusal rate over the unanswerable ones, and the KB a question's
probe fetches (nprobe × rows × 132 B, before the centroids file). From LITE_GROUPS_FROM lists
it also ranks with the centroids grouped as the build groups them, and prints the share of the
flat probe's lists the grouped probe picks. The settings the build uses are LITE_LIST_ROWS,
LITE_NPROBE and LITE_GROUP_PROBE in bundle/manifest.py.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from lite import score as ranked  # noqa: E402
from sitebot.bundle.manifest import LITE_GROUP_PROBE, LITE_GROUPS_FROM, LITE_NPROBE  # noqa: E402
from sitebot.evaluate import load_questions, open_bundle  # noqa: E402
from sitebot.index.lists import Partitions, partition  # noqa: E402

ROWS = (64, 100, 150)
NPROBES = (2, 3, 4, 5, 6, 8)
ROW_BYTES = 132  # 128 int8 dims + a float32 scale


def measure(bundle: Path, questions: Path) -> None:
    retriever = open_bundle(bundle, "lite")
    qs = load_questions(questions)
    assert retriever.lite is not None
    vecs = retriever.lite.vectors([q.text for q in qs])
    codes, scales = retriever.dense.matrix()
    n = len(codes)

    def score(parts: Partitions, nprobe: int | None) -> tuple[float, float]:
        retriever.dense = parts
        retriever.params["nprobe"] = nprobe
        got = ranked(retriever, qs, vecs)  # bench/lite.py's figures, as it prints them
        return float(got["R@5"] or 0.0), float(got["refusal"] or 0.0)

    whole = Partitions.from_arrays(codes, scales, np.zeros(n, dtype=np.int64), np.zeros((1, codes.shape[1])))
    r5, refused = score(whole, None)
    print(
        f"{bundle} ({n} chunks): one list (exhaustive) R@5 {r5:.3f}, refusal {refused:.2f}, {n * ROW_BYTES / 1000:.0f} KB"
    )
    for rows in ROWS:
        k = max(1, round(n / rows))
        parts = Partitions.from_arrays(*partition(codes, scales, lists=k))
        for nprobe in NPROBES:
            if nprobe < k:
                r5, refused = score(parts, nprobe)
                kb = nprobe * rows * ROW_BYTES / 1000
                print(
                    f"  lists of {rows:3d} ({k:4d}), nprobe {nprobe}: R@5 {r5:.3f}, refusal {refused:.2f}, ~{kb:.0f} KB"
                )
        if k >= LITE_GROUPS_FROM:  # the build's grouped centroids (√lists groups, LITE_GROUP_PROBE opened)
            cut = partition(codes, scales, lists=k)
            flat = Partitions.from_arrays(*cut)
            grouped = Partitions.from_arrays(*cut, groups=round(math.sqrt(k)), group_probe=LITE_GROUP_PROBE)

            # Lists compared by their first chunk: grouping renumbers them.
            def firsts(parts: Partitions, v: np.ndarray) -> set[int]:
                return {int(parts.list_rows(int(i))[0][0]) for i in parts.nearest_lists(v, LITE_NPROBE)}

            same = [len(firsts(flat, v) & firsts(grouped, v)) / LITE_NPROBE for v in vecs if v is not None]
            r5, refused = score(grouped, LITE_NPROBE)
            opened = LITE_GROUP_PROBE * k / len(grouped.groups) + len(grouped.groups)
            print(
                f"  lists of {rows:3d} ({k:4d}), nprobe {LITE_NPROBE}, centroids in {len(grouped.groups)} groups "
                f"({LITE_GROUP_PROBE} opened): R@5 {r5:.3f}, refusal {refused:.2f}, the flat probe's lists "
                f"{sum(same) / len(same):.2f}, ~{opened * ROW_BYTES / 1000:.0f} KB of centroids "
                f"(flat {k * ROW_BYTES / 1000:.0f} KB)"
            )


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for spec in sys.argv[1:]:
        bundle, _, questions = spec.partition("=")
        measure(Path(bundle), Path(questions))


if __name__ == "__main__":
    main()
