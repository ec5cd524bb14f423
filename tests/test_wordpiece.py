"""The lite path's tokenizer: the vocabulary file (index/vocab.py) and the browser's WordPiece
tokenizer (engine/wordpiece.js, run by Node) give exactly the ids HF tokenizers gives, on real
questions, on the demo site's chunks and on awkward text; other kinds of tokenizer are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from conftest import run_node
from sitebot.index import vocab

ROOT = Path(__file__).resolve().parent.parent
WORDPIECE_JS = ROOT / "runtime_js/src/engine/wordpiece.js"
NOTFOUND_JS = ROOT / "runtime_js/src/engine/notfound.js"
DEFAULT = ROOT / "generator/sitebot/data/models/all-MiniLM-L6-v2/tokenizer.json"
MAX_TOKENS = 128

SPECIALS = "what is [MASK] and [CLS] or [SEP][PAD] and [UNK]? [unused5] [mask]"
EDGE_CASES = [
    "",
    " ",
    "café Ångström naïve façade Zürich",
    "ΣΊΣΥΦΟΣ ΟΔΟΣ: Σ and σ and ς, ΣΑΣ",
    "İstanbul DİYARBAKIR ß ẞ ﬁle Ǆ",
    "数据库连接池 の設定 한국어 テスト",
    "emoji 😀👍🏽 👩‍💻 🇫🇷 🥰 ☕",
    "don't can't it's o'clock",
    "e-mail re-install — en–dash … “quoted” «guillemets» ¿qué?",
    "C++ C# F# .NET node.js x86_64 __init__ snake_case",
    "https://www.example.com/path/to/page.html?q=1&x=y#frag and user@example.com",
    "3.14 1,000,000 2024-01-31 10:30pm 1e-9 0x1F",
    "a" * 99,
    "b" * 100,
    "c" * 101,
    "supercalifragilisticexpialidociouspneumonoultramicroscopicsilicovolcanoconiosis",
    "tab\there\nnew line\r\nand\x00nul\x07bell\x1b[0m\u200bzero\u200dwidth\ufeffbom\ufffdreplacement",
    "non\u00a0breaking\u2009thin\u3000ideographic\u2028line\u0085next\u000bvertical",
    SPECIALS,
    "a\u0301 e\u0308 combining, precomposed é, Hangul 한 vs \u1112\u1161\u11ab",
    "ＦＵＬＬＷＩＤＴＨ ｆｕｌｌ　ｗｉｄｔｈ ① ² ½ ℃ ™",
    "Ünïcödé ÀÉÎÕÜ Ønskeliste Łódź Šťastný Đakovo",
    "word " * 200,
    "PostgreSQL's pg_hba.conf: host all all 0.0.0.0/0 md5 -- SELECT * FROM t WHERE a<>b;",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea \u0939\u093f\u0928\u094d\u0926\u0940",
    "newer chars: \u061d \u0897 \u08ca \u2e55 \u2e5d \U00010ead \u166d \u1734 \U000111c9 \U0001171e \U0001fae0",
]


def hf_ids(tokenizer: Tokenizer, texts: list[str]) -> list[list[int]]:
    """What the generator embeds: HF ids, truncated to the first max-1 and the last (embed.token_ids)."""
    out = []
    for enc in tokenizer.encode_batch(texts):
        ids = enc.ids
        out.append(ids if len(ids) <= MAX_TOKENS else ids[: MAX_TOKENS - 1] + ids[-1:])
    return out


def js_ids(tmp_path: Path, lite: vocab.LiteVocab, texts: list[str]) -> list[list[int]]:
    (tmp_path / "vocab.txt").write_bytes(lite.data)
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    out = run_node(
        tmp_path,
        'import { readFileSync } from "node:fs";\n'
        f"import {{ wordpieceTokenizer }} from {json.dumps(WORDPIECE_JS.as_uri())};\n"
        f"const dir = {json.dumps(str(tmp_path))};\n"
        'const vocabText = readFileSync(`${dir}/vocab.txt`, "utf8");\n'
        f"const ids = wordpieceTokenizer(vocabText, {json.dumps(lite.settings)}, {MAX_TOKENS});\n"
        'const texts = JSON.parse(readFileSync(`${dir}/texts.json`, "utf8"));\n'
        "console.log(JSON.stringify(texts.map(ids)));\n",
    )
    return [[lite.ids[row] for row in rows] for rows in out]


def loaded(path: Path) -> Tokenizer:
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()  # the shipped file pads to 128
    tok.no_truncation()
    return tok


def assert_same(texts: list[str], want: list[list[int]], got: list[list[int]]) -> None:
    wrong = [(t[:80], w, g) for t, w, g in zip(texts, want, got, strict=True) if w != g]
    assert not wrong, f"{len(wrong)} of {len(texts)} differ, e.g. {wrong[:3]}"


def real_texts(examples_bundle: Path) -> list[str]:
    questions = [
        json.loads(line)["q"]
        for f in sorted((ROOT / "bench/questions").glob("*.jsonl"))
        for line in f.read_text().splitlines()
    ]
    chunks = [t for f in sorted((examples_bundle / "text").glob("chunks.*.json")) for t in json.loads(f.read_text())]
    assert len(questions) > 300 and len(chunks) > 50
    return questions + chunks


@pytest.mark.parametrize("order", ["id", "sorted"])
def test_the_browser_gives_the_models_ids(tmp_path: Path, examples_bundle: Path, order: vocab.Order) -> None:
    lite = vocab.build(DEFAULT.read_bytes(), order=order)
    assert lite is not None
    texts = real_texts(examples_bundle) + EDGE_CASES
    want = hf_ids(loaded(DEFAULT), texts)
    assert_same(texts, want, js_ids(tmp_path, lite, texts))
    # The edge cases do reach what they are for: [UNK], special tokens in the text, truncation.
    assert any(len(w) == MAX_TOKENS for w in want) and all(w[0] == 101 and w[-1] == 102 for w in want)
    edge = dict(zip(EDGE_CASES, want[-len(EDGE_CASES) :], strict=True))
    assert edge["c" * 101] == [101, 100, 102] and edge["b" * 100] != [101, 100, 102]
    assert 103 in edge[SPECIALS]  # [MASK] typed in the question is the special token


def test_every_character_alone_and_inside_a_word(tmp_path: Path) -> None:
    # The whole Basic Multilingual Plane plus the planes' newer characters: categories
    # (punctuation, marks, controls, spaces) and case mappings must all agree.
    lite = vocab.build(DEFAULT.read_bytes())
    assert lite is not None
    chars = [chr(c) for c in [*range(0xD800), *range(0xE000, 0x10000), *range(0x10000, 0x1FB00, 3)]]
    texts = [f"a{c}b {c}{c.upper()}" for c in chars]
    assert_same(texts, hf_ids(loaded(DEFAULT), texts), js_ids(tmp_path, lite, texts))


def wordpiece_tokenizer(tmp_path: Path, normalizer: Any, pre_tokenizer: Any) -> Path:
    """A BERT-like tokenizer written out with Sequence steps, on the default vocabulary."""
    default = json.loads(DEFAULT.read_text())
    tok = Tokenizer(models.WordPiece(default["model"]["vocab"], unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    tok.post_processor = processors.BertProcessing(("[SEP]", 102), ("[CLS]", 101))
    tok.decoder = decoders.WordPiece()
    tok.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    return path


@pytest.mark.parametrize(
    "normalizer",
    [
        normalizers.Sequence([normalizers.Lowercase()]),
        normalizers.BertNormalizer(lowercase=False),
        normalizers.BertNormalizer(strip_accents=False, handle_chinese_chars=False),
    ],
    ids=["lowercase-only", "cased", "accents-kept"],
)
def test_bert_equivalents_are_reproduced(tmp_path: Path, examples_bundle: Path, normalizer: Any) -> None:
    pre = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    path = wordpiece_tokenizer(tmp_path, normalizer, pre)
    lite = vocab.build(path, order="sorted")
    assert lite is not None, vocab.unsupported(path)
    texts = real_texts(examples_bundle)[:400] + EDGE_CASES
    assert_same(texts, hf_ids(loaded(path), texts), js_ids(tmp_path, lite, texts))


def other_kinds(tmp_path: Path) -> dict[str, Path]:
    bpe = Tokenizer(models.BPE({"a": 0, "b": 1, "ab": 2, "<unk>": 3}, [("a", "b")], unk_token="<unk>"))
    unigram = Tokenizer(models.Unigram([("<unk>", 0.0), ("▁install", -1.0), ("s", -2.0)], unk_id=0))
    strip = normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase(), normalizers.StripAccents()])
    bert_pre = pre_tokenizers.BertPreTokenizer()
    stripping = Tokenizer.from_file(str(wordpiece_tokenizer(tmp_path, strip, bert_pre)))
    whitespace = Tokenizer.from_file(
        str(wordpiece_tokenizer(tmp_path, normalizers.Lowercase(), pre_tokenizers.Whitespace()))
    )
    out = {}
    for name, tok in {"bpe": bpe, "unigram": unigram, "whitespace": whitespace, "stripping": stripping}.items():
        out[name] = tmp_path / f"{name}.json"
        tok.save(str(out[name]))
    return out


def test_other_tokenizers_turn_the_lite_path_off_with_a_reason(tmp_path: Path) -> None:
    kinds = other_kinds(tmp_path)
    for name, path in kinds.items():
        assert vocab.build(path) is None, name
    assert vocab.unsupported(kinds["bpe"]) == "its model is BPE, not WordPiece"
    assert vocab.unsupported(kinds["unigram"]) == "its model is Unigram, not WordPiece"
    # Whitespace splits "...": one pre-token there, three in BERT.
    assert vocab.unsupported(kinds["whitespace"]) == "its pre-tokenizer Whitespace is not BERT's"
    # StripAccents drops every combining mark (हिन्दी's vowel signs too), BERT only nonspacing ones.
    assert (
        vocab.unsupported(kinds["stripping"])
        == "its normalizer sequence NFD+Lowercase+StripAccents is not BertNormalizer"
    )
    assert vocab.unsupported(DEFAULT) is None


def test_the_file_is_the_vocabulary(tmp_path: Path) -> None:
    ids = loaded(DEFAULT).get_vocab()
    by_id = vocab.build(DEFAULT)
    assert by_id is not None and by_id.data.decode().split("\n") == sorted(ids, key=ids.__getitem__)
    assert by_id.settings["size"] == len(by_id.ids) == 30522 and by_id.settings["cls"] == 101
    assert json.loads(json.dumps(by_id.settings)) == by_id.settings  # it goes into sitebot.json as is
    # Sorted and front-coded: the same tokens, each row's model id in `ids`, under half the bytes.
    lite = vocab.build(DEFAULT, order="sorted")
    assert lite is not None and len(lite.data) < len(by_id.data) / 1.7
    (tmp_path / "vocab.txt").write_bytes(lite.data)
    rows = run_node(
        tmp_path,
        f"import {{ vocabularyRows }} from {json.dumps(WORDPIECE_JS.as_uri())};\n"
        'import { readFileSync } from "node:fs";\n'
        f"const text = readFileSync({json.dumps(str(tmp_path / 'vocab.txt'))}, 'utf8');\n"
        f"console.log(JSON.stringify(vocabularyRows(text, {json.dumps(lite.settings)})));\n",
    )
    assert rows == sorted(ids) and {t: lite.ids[i] for i, t in enumerate(rows)} == ids
    assert rows[lite.settings["cls"]] == "[CLS]" and lite.settings["specials"]["[MASK]"] == rows.index("[MASK]")


@pytest.mark.parametrize("order", ["id", "sorted"])
def test_whole_words_from_the_file_are_the_not_found_rules(tmp_path: Path, order: vocab.Order) -> None:
    lite = vocab.build(DEFAULT, order=order)
    assert lite is not None
    (tmp_path / "vocab.txt").write_bytes(lite.data)
    out = run_node(
        tmp_path,
        'import { readFileSync } from "node:fs";\n'
        f"import {{ vocabularyRows, wordpieceTokenizer }} from {json.dumps(WORDPIECE_JS.as_uri())};\n"
        f"import {{ vocabulary }} from {json.dumps(NOTFOUND_JS.as_uri())};\n"
        f"const text = readFileSync({json.dumps(str(tmp_path / 'vocab.txt'))}, 'utf8');\n"
        # The lite encoder's whole words: the vocabulary file's rows its tokenizer's view accepts.
        f"const view = wordpieceTokenizer(text, {json.dumps(lite.settings)}, 128).words;\n"
        f"const rows = vocabularyRows(text, {json.dumps(lite.settings)});\n"
        "const fromFile = new Set(rows.filter((t) => view.has(t)));\n"
        f"const fromJson = vocabulary(JSON.parse(readFileSync({json.dumps(str(DEFAULT))}, 'utf8')));\n"
        "const same = fromFile.size === fromJson.size && [...fromJson].every((w) => fromFile.has(w));\n"
        "const alike = [...rows, 'kettlez', '##s'].every((t) => view.has(t) === fromFile.has(t));\n"
        "console.log(JSON.stringify({ same, alike, size: fromFile.size, install: view.has('install') }));\n",
    )
    assert out == {"same": True, "alike": True, "size": out["size"], "install": True} and out["size"] > 20000
