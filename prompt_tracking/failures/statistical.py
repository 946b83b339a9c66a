"""The statistical fallback: a multinomial naive Bayes over word and character n-grams.

It decides only when no code, class name, status or phrase spoke. The fitted model ships as
`statistical_model.npz` inside this package (vocabulary plus per-reason log weights), loaded
lazily on first use with importlib.resources, never from a network. `fit` is plain numpy so
the evaluation can re-fit it per cross-validation fold without the held-out provider;
`prompt_tracking.failures.train` writes the shipped file from the corpus.
"""
from __future__ import annotations

import dataclasses
import importlib.resources
import io
import logging
import math
import re
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from prompt_tracking.failures.spans import quiet_spans

if TYPE_CHECKING:  # numpy is imported on first use: importing the categorizer stays cheap
    import numpy as np

logger = logging.getLogger(__name__)

MODEL_FILE = "statistical_model.npz"
MAX_CHARS = 400  # the head of a message carries its reason; a cap keeps the cost per message flat
MIN_PROBABILITY = 0.8  # below this the fallback stays silent and the reason is `unknown`
MIN_WORDS = 2  # distinct informative words a text needs before the fallback may guess at all
# Words every failure message may carry: they say that something failed, not why.
_GENERIC_WORDS = frozenset("""error errors failed failure fail fails exception exceptions undefined null none nil
    the and for with was has have had this that not please try again later while when from unknown unexpected
    occurred something went wrong request response api generation generate generating image images task job
    message status code detail details data result true false object""".split())
_WORD = re.compile(r"[a-z][a-z']+|[\u4e00-\u9fff]+|\d{3}")
GRAM_MARK = "#"  # character n-grams are stored as "#" + gram, apart from words of the same spelling


def features(text: str) -> list[str]:
    """Word unigrams and bigrams, status-like numbers, and character 4-grams of words (CJK: 1-2 grams)."""
    terms, grams = feature_parts(text)
    return terms + [GRAM_MARK + gram for gram in grams]


def feature_parts(text: str, raw_windows: bool = False) -> tuple[list[str], list[str]]:
    """`features` as (words, bigrams and numbers; character 4-grams without their mark).

    With `raw_windows`, the grams also hold windows across a word gap (they contain a space);
    no vocabulary gram contains one, so a lookup skips them anyway and the filter is saved.
    """
    head = text[:MAX_CHARS].lower()
    words = _WORD.findall(head)
    if head.isascii():
        terms = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    else:
        terms, previous = [], ""
        for word in words:
            if word[0] >= "\u4e00":  # CJK has no spaces: characters and their pairs stand for words
                terms += list(word)
                terms += [word[i:i + 2] for i in range(len(word) - 1)]
                previous = ""
                continue
            terms.append(word)
            if previous:
                terms.append(previous + " " + word)
            previous = word
        words = [word for word in words if word[0] < "\u4e00"]
    # The 4-character windows of "<word1> <word2> ...", minus those across a space: one flat slice loop.
    joined = " ".join(["<" + word + ">" for word in words if len(word) > 4])
    windows = [joined[i:i + 4] for i in range(len(joined) - 3)]
    return terms, windows if raw_windows else [gram for gram in windows if " " not in gram]


@dataclasses.dataclass(frozen=True)
class Model:
    """Vocabulary index, per-class log weights (classes x features) and class log priors."""

    classes: tuple[str, ...]
    index: dict[str, int]
    weights: np.ndarray[Any, Any]
    priors: np.ndarray[Any, Any]
    _gram_index: dict[str, int] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Grams looked up without their mark: one string concatenation less per gram per message.
        grams = {gram[1:]: i for gram, i in self.index.items() if gram.startswith(GRAM_MARK)}
        object.__setattr__(self, "_gram_index", grams)

    def predict(self, text: str) -> tuple[str, float] | None:
        """The most likely reason and its probability, or None when no known feature is present."""
        terms, grams = feature_parts(text, raw_windows=True)
        ids = [i for i in map(self.index.get, terms) if i is not None]
        ids += [i for i in map(self._gram_index.get, grams) if i is not None]
        if not ids:
            return None
        scores = (self.priors + self.weights.take(ids, axis=1).sum(axis=1)).tolist()
        # Naive Bayes over-counts correlated n-grams; scaling by the feature count tempers its certainty.
        top, scale = max(scores), max(1.0, len(ids) ** 0.5)
        probabilities = [math.exp((score - top) / scale) for score in scores]
        best = max(range(len(scores)), key=scores.__getitem__)
        return self.classes[best], probabilities[best] / sum(probabilities)


def training_features(text: str) -> set[str]:
    """The features of a message as the categorizer shows it to the fallback (names blanked out)."""
    return set(features(quiet_spans(text)))


def fit(texts: Sequence[str], labels: Sequence[str], min_count: int = 2, alpha: float = 0.3) -> Model:
    """Fit a multinomial naive Bayes; features seen fewer than `min_count` times are dropped."""
    grams_per_text = [training_features(text) for text in texts]
    return fit_features(grams_per_text, labels, min_count, alpha)


def fit_features(grams_per_text: Sequence[Iterable[str]], labels: Sequence[str], min_count: int = 2,
                 alpha: float = 0.3) -> Model:
    """`fit` on precomputed feature sets (the evaluation extracts them once for all folds)."""
    import numpy as np

    counts: dict[str, int] = {}
    for grams in grams_per_text:
        for gram in grams:
            counts[gram] = counts.get(gram, 0) + 1
    vocabulary = sorted(gram for gram, count in counts.items() if count >= min_count)
    index = {gram: i for i, gram in enumerate(vocabulary)}
    classes = tuple(sorted(set(labels)))
    class_of = {name: i for i, name in enumerate(classes)}
    matrix = np.zeros((len(classes), len(vocabulary)), dtype=np.float64)
    for grams, label in zip(grams_per_text, labels):
        row = class_of[label]
        for gram in grams:
            column = index.get(gram)
            if column is not None:
                matrix[row, column] += 1.0
    smoothed = matrix + alpha
    weights = np.log(smoothed / smoothed.sum(axis=1, keepdims=True))
    class_counts = np.bincount([class_of[label] for label in labels], minlength=len(classes)).astype(np.float64)
    priors = np.log((class_counts + 1.0) / (class_counts.sum() + len(classes)))
    return Model(classes, index, weights.astype(np.float32), priors.astype(np.float32))


def save(model: Model, path: str) -> None:
    """Write the model as a compressed npz (float16 weights keep the shipped file small)."""
    import numpy as np

    vocabulary = np.array(sorted(model.index, key=model.index.__getitem__))
    np.savez_compressed(path, classes=np.array(model.classes), vocabulary=vocabulary,
                        weights=model.weights.astype(np.float16), priors=model.priors)


def load_bytes(data: bytes) -> Model:
    """A model from the bytes of a saved npz."""
    import numpy as np

    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        vocabulary = [str(gram) for gram in arrays["vocabulary"]]
        return Model(tuple(str(c) for c in arrays["classes"]), {g: i for i, g in enumerate(vocabulary)},
                     arrays["weights"].astype(np.float32), arrays["priors"].astype(np.float32))


_LOCK = threading.Lock()
_STATE: dict[str, Model | None] = {}


def shipped_model() -> Model | None:
    """The packaged model, loaded once; None (and a debug log) when it cannot be read."""
    if "model" in _STATE:
        return _STATE["model"]
    with _LOCK:
        if "model" not in _STATE:
            try:
                data = importlib.resources.files(__package__).joinpath(MODEL_FILE).read_bytes()
                _STATE["model"] = load_bytes(data)
            except Exception:  # a missing or damaged data file only silences the fallback
                logger.debug("statistical failure model unavailable", exc_info=True)
                _STATE["model"] = None
    return _STATE["model"]


def use_model(model: Model | None) -> None:
    """Replace the model the fallback uses (the evaluation installs one fitted per fold)."""
    with _LOCK:
        _STATE["model"] = model


def reset_model() -> None:
    """Forget an installed model so the next call loads the shipped one again."""
    with _LOCK:
        _STATE.pop("model", None)


def informative_words(text: str) -> int:
    """How many distinct words of `text` could say why a call failed (CJK runs count as words)."""
    words = {word for word in _WORD.findall(text[:MAX_CHARS].lower()) if len(word) >= 3 or word[0] >= "\u4e00"}
    return len(words - _GENERIC_WORDS)


def predict(text: str) -> tuple[str, float] | None:
    """The fallback's reason and probability for `text`, or None when it has nothing to say.

    It stays silent on near-empty input ("Error: undefined", "{}", "Job failed"): with fewer
    than `MIN_WORDS` informative words any guess would come from the priors alone.
    """
    model = shipped_model()
    if model is None or informative_words(text) < MIN_WORDS:
        return None
    guess = model.predict(text)
    if guess is None or guess[1] < MIN_PROBABILITY:
        return None
    return guess
