"""Sentence vectors for the matcher's third signal: wordllama's small static model (a text's vector is the
average of its word pieces' vectors), loaded from the files inside the installed package, never downloaded."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

CONFIG = "l2_supercat"  # the model whose weights and tokenizer ship inside the wordllama wheel
STORED = 256  # the dimensions of the weights file in the wheel
# The model is trained so that its first dimensions carry the most: the first 128 of 256 match as well on the
# labelled set and halve the memory read for every message (the example vectors are about 1 MB, not 2).
DIMENSIONS = 128


class ModelMissing(RuntimeError):
    """The packaged model's files are not where the installed wordllama keeps them."""


class Embedder:
    """Turns texts into unit-length float32 vectors (a text without known words gives zeros)."""

    def __init__(self, model: Any):
        self._tokenizer = model.tokenizer
        self._table: np.ndarray = model.embedding  # word piece -> vector, float32

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text, each of length 1, or all zeros when the model knows none of its words."""
        vectors = np.zeros((len(texts), self._table.shape[1]), dtype=np.float32)
        for row, text in enumerate(texts):
            # What wordllama's own `embed` computes for one text (the mean of its pieces' vectors), without
            # its batching and padding, which cost more than the sum itself for a single message.
            pieces = np.clip(self._tokenizer.encode(text, add_special_tokens=False).ids, 0, len(self._table) - 1)
            if len(pieces):
                vectors[row] = self._table[pieces].mean(axis=0)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        result: np.ndarray = vectors / np.where(norms == 0, 1.0, norms)
        return result


def model_files(package: Path) -> tuple[Path, Path]:
    """Where the wheel keeps the model: its weights and its tokenizer."""
    return (package / "weights" / f"{CONFIG}_{STORED}.safetensors",
            package / "tokenizers" / f"{CONFIG}_tokenizer_config.json")


@cache
def load_embedder() -> Embedder:
    """The packaged model, loaded once per process; raises ModelMissing rather than downloading anything."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        import wordllama
        from wordllama import WordLlama
    finally:
        # Importing wordllama calls logging.basicConfig(level=INFO): keep the bot's own logging as it was.
        root.handlers[:], root.level = handlers, level
    package = Path(wordllama.__file__).resolve().parent
    missing = [str(path) for path in model_files(package) if not path.is_file()]
    if missing:
        raise ModelMissing(f"wordllama's packaged model is missing ({', '.join(missing)}): reinstall wordllama")
    # `load` looks for the bundled tokenizer in <package>/tokenizer/ but the wheel ships it in <package>/tokenizers/,
    # where it only looks for a cache folder's files: with the package itself as the cache folder both files are
    # found locally, and disable_download turns any miss into an error instead of a request to Hugging Face.
    model = WordLlama.load(config=CONFIG, dim=STORED, trunc_dim=DIMENSIONS, cache_dir=package, disable_download=True)
    return Embedder(model)
