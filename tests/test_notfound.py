"""The calibrated "I couldn't find that" (index/notfound.py, engine/notfound.js): thresholds from
the site's own chunks against off-topic probes, recorded in sitebot.json; the same decision in
Python and in the browser engine's module (run by Node)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import run_node
from sitebot.index import notfound, partition, quantise
from sitebot.index.lexical import BM25, build
from sitebot.retrieve import Retriever

ROOT = Path(__file__).resolve().parent.parent
NOTFOUND_JS = ROOT / "runtime_js/src/engine/notfound.js"
BM25_JS = ROOT / "runtime_js/src/engine/bm25.js"


def test_calibration_is_recorded_in_the_bundle_and_reproducible(examples_bundle: Path) -> None:
    manifest = json.loads((examples_bundle / "sitebot.json").read_text())
    rule = manifest["retrieval"]["not_found"]
    assert rule["probes"] == len(notfound.probe_questions()) >= 150
    assert 0 < rule["floor"] < rule["threshold"] < 1
    # Recomputed from the bundle's own int8 vectors and the probes: the same numbers.
    r = Retriever(examples_bundle)
    from sitebot.evaluate import query_vectors

    probes = notfound.probe_questions()
    covers = notfound.vocabulary_share(r.bm25.index, r.words)
    vectors = query_vectors(examples_bundle, manifest, probes)
    again = notfound.calibrate(r.codes, r.scales, vectors, vocabulary_covers=covers)
    assert again == rule
    assert rule["unknown_min"] == notfound.UNKNOWN_MIN and rule["vocabulary_share"] > 0.8  # an English site


def test_thresholds_are_the_probes_quantiles() -> None:
    # Four unit chunks; a probe's best cosine is its largest coordinate here.
    codes, scales = quantise.quantise(np.eye(4, dtype=np.float32))
    probes = np.array([[0.1 * i, 0, 0, 0] for i in range(1, 21)], dtype=np.float32)
    rule = notfound.calibrate(codes, scales, probes)
    best = np.arange(1, 21) * 0.1
    assert rule["floor"] == pytest.approx(np.quantile(best, notfound.FLOOR_QUANTILE), abs=1e-3)
    assert rule["threshold"] == pytest.approx(np.quantile(best, notfound.THRESHOLD_QUANTILE), abs=1e-3)


def test_the_owners_min_dense_replaces_the_calibration(tmp_path: Path, cache_dir: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<title>Hours</title><main><p>We open at nine every weekday.</p></main>")
    from sitebot import GenerateOptions, generate

    generate(GenerateOptions(source=site, output=tmp_path / "bot", retrieval={"min_dense": 0.4}, cache_dir=cache_dir))
    retrieval = json.loads((tmp_path / "bot/sitebot.json").read_text())["retrieval"]
    assert retrieval["min_dense"] == 0.4 and "not_found" not in retrieval


FRENCH = {
    "index.html": (
        "Accueil",
        "Bienvenue dans le guide de l'administrateur. Ce guide explique comment installer le système, "
        "configurer le réseau et gérer les paquets logiciels sur votre ordinateur.",
    ),
    "reseau.html": (
        "Configuration du réseau",
        "Pour configurer une adresse IP statique, modifiez le fichier des interfaces puis redémarrez "
        "le service réseau. Le serveur DHCP attribue sinon une adresse automatiquement à chaque machine.",
    ),
    "paquets.html": (
        "Gestion des paquets",
        "Utilisez apt pour installer, mettre à jour ou supprimer des paquets. La commande de mise à jour "
        "télécharge la liste des paquets disponibles depuis les dépôts configurés sur le système.",
    ),
}


def test_a_site_in_a_language_the_vocabulary_lacks_decides_by_the_floor_only(tmp_path: Path, cache_dir: Path) -> None:
    # MiniLM's vocabulary is English: on a French site most words would count as unknown.
    site = tmp_path / "site"
    site.mkdir()
    for name, (title, text) in FRENCH.items():
        (site / name).write_text(f'<html lang="fr"><title>{title}</title><main><p>{text}</p></main></html>')
    from sitebot import GenerateOptions, generate

    generate(GenerateOptions(source=site, output=tmp_path / "bot", cache_dir=cache_dir))
    rule = json.loads((tmp_path / "bot/sitebot.json").read_text())["retrieval"]["not_found"]
    assert rule["vocabulary_share"] < notfound.MIN_VOCABULARY_SHARE and rule["unknown_min"] == 1.0
    r = Retriever(tmp_path / "bot")
    from sitebot.evaluate import query_vectors

    question = "Comment recevoir chaque nuit les correctifs de sécurité pour les paquets ?"
    terms = r.bm25.query_terms(question)
    unknown = notfound.unknown_share(terms, r.bm25, r.words)
    assert unknown > notfound.UNKNOWN_MIN  # "recevoir", "nuit", "correctif", "securite"
    vec = query_vectors(tmp_path / "bot", r.manifest, [question])[0]
    best = float(r.dense_scores(vec).max())
    assert best >= rule["floor"]
    assert r.rank(question, vec)[1] is False  # answered: the unknown terms do not count here
    english = {**r.params, "not_found": {**rule, "unknown_min": notfound.UNKNOWN_MIN}}
    assert notfound.not_found(best, unknown, english) is True  # as they would with an English vocabulary


RULE = {"min_dense": 0.25, "not_found": {"floor": 0.3, "threshold": 0.45, "unknown_weight": 2.0, "unknown_min": 0.15}}


@pytest.mark.parametrize(
    ("dense", "unknown", "refused"),
    [
        (0.29, 0.0, True),  # below the floor: off-topic
        (0.31, 0.0, False),  # everyday words only: answered however low above the floor
        (0.60, 0.2, True),  # names something the site lacks: 0.60 - 0.4 < 0.45
        (0.90, 0.2, False),  # ... unless the site is close enough anyway
        (0.40, 0.1, False),  # one odd word in a wordy question: not enough to refuse
    ],
)
def test_the_decision(dense: float, unknown: float, refused: bool) -> None:
    assert notfound.not_found(dense, unknown, RULE) is refused
    assert notfound.not_found(dense, unknown, {"min_dense": 0.25}) is (dense < 0.25)  # an older bundle


WORDPIECE = {
    "model": {
        "type": "WordPiece",
        "vocab": {
            "[CLS]": 0,
            "install": 1,
            "printer": 2,
            "##s": 3,
            "box": 4,
            "fiddle": 5,
            "quit": 6,
            "pm": 7,
            "swap": 8,
        },
    }
}
UNIGRAM = {"model": {"type": "Unigram", "vocab": [["<s>", 0.0], ["▁install", -1.0], ["▁printer", -2.0], ["s", -3.0]]}}


def test_vocabulary_keeps_whole_words() -> None:
    assert notfound.vocabulary(WORDPIECE) == {"install", "printer", "box", "fiddle", "quit", "pm", "swap"}
    assert notfound.vocabulary(UNIGRAM) == {"install", "printer"}
    assert notfound.vocabulary({"model": {"type": "BPE"}}) == frozenset()


INDEX = build(["Install the printer driver.", "The printer box holds paper.", "Double sided printing."])
QUESTIONS = [
    "install the printer",  # every term on the site
    "install WireGuard on the printer box",  # an unknown term
    "boxes of printers",  # plurals of everyday words the site lacks
    "double-sided kubernetes",  # a joined form and an unknown term
    "double sided kubernetes",
    "",
    "zzz qqq",
    "fiddling quitting swapped 7pm 42",  # everyday words, inflected or with digits
    "k8s zzzing",  # neither
]


def test_unknown_share_counts_only_unknown_terms() -> None:
    bm25 = BM25(INDEX)
    words = notfound.vocabulary(WORDPIECE)
    share = {q: notfound.unknown_share(bm25.query_terms(q), bm25, words) for q in QUESTIONS}
    assert share["install the printer"] == 0.0
    assert 0 < share["install WireGuard on the printer box"] < 0.5
    assert share["zzz qqq"] == 1.0 and share[""] == 0.0
    assert share["fiddling quitting swapped 7pm 42"] == 0.0 and share["k8s zzzing"] == 1.0
    # "doublesided" is skipped (its parts speak for it): as if the words were apart.
    assert 0 < share["double-sided kubernetes"] == share["double sided kubernetes"] < 1


def test_python_and_the_browser_module_agree(tmp_path: Path) -> None:
    bm25 = BM25(INDEX)
    words = sorted(notfound.vocabulary(WORDPIECE))
    # The browser's reader over term shards kept in memory, cut small so the terms span several.
    shards: dict[str, object] = {}

    def add(name: str, data: bytes) -> str:
        shards[f"{len(shards)}/{name}"] = json.loads(data)
        return f"{len(shards) - 1}/{name}"

    meta = partition.lexical_files(INDEX, add, shard_bytes=32)
    assert len(meta["shards"]) >= 4
    decisions = [[d, u] for d in (0.29, 0.31, 0.5, 0.7, 0.9) for u in (0.0, 0.1, 0.15, 0.2, 0.3)]
    out = run_node(
        tmp_path,
        f"import {{ unknownShare, notFound, vocabulary }} from {json.dumps(NOTFOUND_JS.as_uri())};\n"
        f"import {{ lexicalReader }} from {json.dumps(BM25_JS.as_uri())};\n"
        f"const shards = {json.dumps(shards)};\n"
        f"const index = lexicalReader({json.dumps(meta)}, {{k1: 1.2, b: 0.75}}, async (f) => shards[f]);\n"
        f"const terms = [];\n"
        f"for (const q of {json.dumps(QUESTIONS)}) terms.push((await index.search(q)).terms);\n"
        f"const words = new Set({json.dumps(words)}); const rule = {json.dumps(RULE)};\n"
        f"console.log(JSON.stringify({{\n"
        f"  shares: terms.map((t) => unknownShare(t, index, words)),\n"
        f"  decisions: {json.dumps(decisions)}.map(([d, u]) => notFound(d, u, rule)),\n"
        f"  vocab: [...vocabulary({json.dumps(WORDPIECE)})].sort(), uni: [...vocabulary({json.dumps(UNIGRAM)})].sort(),\n"
        f"}}));\n",
    )
    wp = frozenset(words)
    assert out["shares"] == [notfound.unknown_share(bm25.query_terms(q), bm25, wp) for q in QUESTIONS]
    assert out["decisions"] == [notfound.not_found(d, u, RULE) for d, u in decisions]
    assert out["vocab"] == words and out["uni"] == sorted(notfound.vocabulary(UNIGRAM))
