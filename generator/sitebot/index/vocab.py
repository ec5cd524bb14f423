"""The vocabulary file of the lite query path: the model's WordPiece vocabulary, one token a row,
and the few settings the browser's tokenizer (runtime_js/src/engine/wordpiece.js) needs to give
exactly the ids HF tokenizers gives. Rows are in id order, or ("sorted") in code point order and
front-coded, half the bytes on the wire, with `LiteVocab.ids` giving each row's model id. Only BERT-style WordPiece tokenizers qualify;
for anything else `unsupported` says why and `build` returns None (the lite path is then off).
Layout: docs/bundle-format.md "Vocabulary file (lite path)"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Order = Literal["id", "sorted"]

# Normalizer sequences the browser reproduces, as (clean_text, chinese_chars, strip_accents,
# lowercase). A StripAccents step is not BERT's: it drops every combining mark (Mc and Me too),
# from other Unicode tables, where BertNormalizer drops only nonspacing marks (Mn).
_SEQUENCES: dict[tuple[str, ...], tuple[bool, bool, bool, bool]] = {
    ("Lowercase",): (False, False, False, True),
}


@dataclass(frozen=True)
class LiteVocab:
    """`data`: the vocabulary file (UTF-8, one row a token, rows joined by "\\n").
    `settings`: a small JSON-able dict for sitebot.json, the second argument of wordpieceTokenizer;
    its token numbers (unk, cls, sep, specials) are rows, like the tokenizer's output.
    `ids`: the model id of each row (row i is id i in "id" order)."""

    data: bytes
    settings: dict[str, Any]
    ids: list[int]


class _Unsupported(Exception):
    pass


def _load(tokenizer: dict[str, Any] | bytes | str | Path) -> dict[str, Any]:
    if isinstance(tokenizer, Path):
        tokenizer = tokenizer.read_bytes()
    if isinstance(tokenizer, bytes | str):
        tokenizer = json.loads(tokenizer)
    assert isinstance(tokenizer, dict)
    return tokenizer


def _normalizer(n: dict[str, Any] | None) -> tuple[bool, bool, bool, bool]:
    if n is None:
        return (False, False, False, False)
    if n.get("type") == "BertNormalizer":
        lower = bool(n.get("lowercase", True))
        strip = n.get("strip_accents")
        return (
            bool(n.get("clean_text", True)),
            bool(n.get("handle_chinese_chars", True)),
            lower if strip is None else bool(strip),
            lower,
        )
    if n.get("type") == "Sequence":
        steps = n.get("normalizers") or []
        if len(steps) == 1:
            return _normalizer(steps[0])
        kinds = tuple(str(s.get("type")) for s in steps)
        if kinds in _SEQUENCES:
            return _SEQUENCES[kinds]
        raise _Unsupported(f"its normalizer sequence {'+'.join(kinds)} is not BertNormalizer")
    if n.get("type") == "Lowercase":
        return _SEQUENCES[("Lowercase",)]
    raise _Unsupported(f"its normalizer {n.get('type')} is not BertNormalizer")


def _pre_tokenizer(p: dict[str, Any] | None) -> None:
    if p and p.get("type") == "BertPreTokenizer":
        return
    if p and p.get("type") == "Sequence":
        steps = p.get("pretokenizers") or []
        kinds = [s.get("type") for s in steps]
        if kinds == ["BertPreTokenizer"]:
            return
        # WhitespaceSplit then Punctuation (isolated) is BERT's split, written out.
        if kinds == ["WhitespaceSplit", "Punctuation"] and steps[1].get("behavior", "Isolated") == "Isolated":
            return
        raise _Unsupported(f"its pre-tokenizer sequence {'+'.join(map(str, kinds))} is not BERT's")
    raise _Unsupported(f"its pre-tokenizer {p and p.get('type')} is not BERT's")


def _post_processor(p: dict[str, Any] | None) -> tuple[int | None, int | None]:
    """(cls, sep) ids wrapped around the text, or (None, None) when nothing is added."""
    if p is None:
        return (None, None)
    if p.get("type") == "BertProcessing":
        return (int(p["cls"][1]), int(p["sep"][1]))
    if p.get("type") == "TemplateProcessing":
        single = p.get("single") or []
        shape = [next(iter(step)) for step in single]
        if shape == ["SpecialToken", "Sequence", "SpecialToken"]:
            ids = []
            for step in (single[0], single[2]):
                special = p.get("special_tokens", {}).get(step["SpecialToken"]["id"], {})
                if len(special.get("ids", [])) != 1:
                    raise _Unsupported("its post-processor adds more than one token at an end")
                ids.append(int(special["ids"][0]))
            return (ids[0], ids[1])
        if shape == ["Sequence"]:
            return (None, None)
    raise _Unsupported(f"its post-processor {p.get('type')} does not simply add [CLS] and [SEP]")


def _specials(added: list[dict[str, Any]], vocab: dict[str, int]) -> dict[str, int]:
    out = {}
    for t in added:
        if t.get("normalized") or t.get("lstrip") or t.get("rstrip") or t.get("single_word"):
            raise _Unsupported(f"its added token {t.get('content')!r} is matched in a way the browser does not")
        if vocab.get(t["content"]) != t["id"] or not t["content"]:
            raise _Unsupported(f"its added token {t.get('content')!r} is not the vocabulary's")
        out[str(t["content"])] = int(t["id"])
    return out


def _settings(tok: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    model = tok.get("model") or {}
    if model.get("type") != "WordPiece":
        raise _Unsupported(f"its model is {model.get('type') or 'unknown'}, not WordPiece")
    vocab: dict[str, int] = model.get("vocab") or {}
    rows = sorted(vocab, key=vocab.__getitem__)
    if [vocab[t] for t in rows] != list(range(len(rows))):
        raise _Unsupported("its vocabulary ids are not 0…n−1")
    if any("\n" in t or "\r" in t for t in rows):
        raise _Unsupported("a vocabulary token holds a line break")
    if model.get("unk_token") not in vocab:
        raise _Unsupported("its unknown token is not in the vocabulary")
    clean, chinese, strip, lower = _normalizer(tok.get("normalizer"))
    _pre_tokenizer(tok.get("pre_tokenizer"))
    cls, sep = _post_processor(tok.get("post_processor"))
    if any(i is not None and not 0 <= i < len(rows) for i in (cls, sep)):
        raise _Unsupported("its [CLS]/[SEP] ids are not in the vocabulary")
    settings = {
        "clean_text": clean,
        "chinese_chars": chinese,
        "strip_accents": strip,
        "lowercase": lower,
        "prefix": str(model.get("continuing_subword_prefix", "##")),
        "unk": vocab[model["unk_token"]],
        "max_chars": int(model.get("max_input_chars_per_word", 100)),
        "cls": cls,
        "sep": sep,
        "specials": _specials(tok.get("added_tokens") or [], vocab),
        "size": len(rows),
    }
    return rows, settings


def unsupported(tokenizer: dict[str, Any] | bytes | str | Path) -> str | None:
    """Why the browser's WordPiece tokenizer cannot reproduce this tokenizer.json, as the end of
    "the lite path is off: the model's tokenizer …"; None when it can."""
    try:
        _settings(_load(tokenizer))
    except _Unsupported as e:
        return str(e)
    return None


def _front_coded(rows: list[str]) -> str:
    """Each row as one base-36 digit, the UTF-16 units it shares with the row before, then the
    rest. Shared prefixes stop at a character outside the BMP, where units and code points part."""
    out, prev = [], ""
    for t in rows:
        k = 0
        while k < min(len(t), len(prev), 35) and t[k] == prev[k] and ord(t[k]) < 0x10000:
            k += 1
        out.append(f"{_DIGITS[k]}{t[k:]}")
        prev = t
    return "\n".join(out)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def build(tokenizer: dict[str, Any] | bytes | str | Path, *, order: Order = "id") -> LiteVocab | None:
    """The vocabulary file and its settings, or None when `unsupported` gives a reason."""
    try:
        by_id, settings = _settings(_load(tokenizer))
    except _Unsupported:
        return None
    if order == "id":
        return LiteVocab("\n".join(by_id).encode(), {**settings, "order": "id"}, list(range(len(by_id))))
    rows = sorted(by_id)
    row = {t: i for i, t in enumerate(rows)}
    settings = {
        **settings,
        "order": "sorted",
        "unk": row[by_id[settings["unk"]]],
        "cls": None if settings["cls"] is None else row[by_id[settings["cls"]]],
        "sep": None if settings["sep"] is None else row[by_id[settings["sep"]]],
        "specials": {t: row[t] for t in settings["specials"]},
    }
    model_id = {t: i for i, t in enumerate(by_id)}
    return LiteVocab(_front_coded(rows).encode(), settings, [model_id[t] for t in rows])
