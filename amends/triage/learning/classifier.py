"""The classifier: TF-IDF over word 1-2-grams and character 3-5-grams, plus the card's organisation
(one column per organisation seen on two training cards or more), a linear SVM, and a softmax over
its scores whose temperature is fitted on a validation slice, so that a confidence of 0.8 is right
about eight times in ten.

Everything a prediction needs (vocabulary, weights, temperature, the scripts seen) is one object,
pickled into the model file."""

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

from amends.core.pauses import pause_point

from .text import text_normalise, text_scripts

TOP = 3
# Long narratives add little past their first pages and cost time in the character n-grams.
MAX_CHARS = 4000
# The regularisation is chosen on models of at most this many cards (the newest before each validation
# slice): the choice holds at scale and costs a fraction of a full fit per candidate.
SEARCH_CARDS = 20_000
# Fewer texts than this are scored one by one with the weights taken out of the SVM; a batch goes
# through the pipeline, whose fixed cost per call is then shared.
BATCH = 32
# One slice of the newest cards is a narrow judge (a few days of one kind of complaint): the choice is
# the mean over this many slices, going back in time.
FOLDS = 3
# The organisation's column weighs half a text's (a text's TF-IDF vector has length 1): chosen among
# 0.5, 1 and 2 on the validation slice of the CFPB complaints, where the company is the organisation.
ORGANISATION_WEIGHT = 0.5
TEMPERATURES = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 30.0)


def features_new(*, min_df: int = 2, max_features: int = 200_000) -> FeatureUnion:
    return FeatureUnion([
        ("words", TfidfVectorizer(
            lowercase=False, ngram_range=(1, 2), sublinear_tf=True, min_df=min_df,
            max_features=max_features, token_pattern=r"(?u)\b\w+\b", dtype=np.float32,
        )),
        ("chars", TfidfVectorizer(
            lowercase=False, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
            min_df=min_df, max_features=max_features, dtype=np.float32,
        )),
    ])


def prepared(texts: list[str]) -> list[str]:
    """Normalised once for both vectorisers."""
    return [text_normalise((text or "")[:MAX_CHARS]) for text in texts]


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    scaled = scores * temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    np.exp(scaled, out=scaled)
    scaled /= scaled.sum(axis=1, keepdims=True)
    return scaled


def organisation_columns(organisations: list[str]) -> dict[str, int]:
    """A column for each organisation seen on two cards or more (one seen once cannot be learned)."""
    counts = Counter(organisation for organisation in organisations if organisation)
    return {name: i for i, name in enumerate(sorted(name for name, count in counts.items() if count > 1))}


def organisation_matrix(organisations: list[str], columns: dict[str, int]) -> sparse.csr_matrix:
    found = [(row, columns[name]) for row, name in enumerate(organisations) if name in columns]
    rows, cols = zip(*found, strict=True) if found else ((), ())
    data = np.full(len(found), ORGANISATION_WEIGHT, dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(organisations), len(columns)), dtype=np.float32)


def svm_fit(matrix: sparse.csr_matrix, labels: np.ndarray, c: float, weight: str | None = None) -> LinearSVC:
    pause_point()  # each fit takes seconds at a million cards: the worker's intake goes first
    return LinearSVC(C=c, class_weight=weight, dual="auto", max_iter=2000).fit(matrix, labels)


def scores_of(svm: LinearSVC, matrix) -> np.ndarray:
    scores = svm.decision_function(matrix)
    if scores.ndim == 1:  # two classes: one score for the second
        scores = np.column_stack([-scores, scores])
    return scores


def temperature_fit(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature with the least log-loss on held-apart cards."""
    best, best_loss = 1.0, float("inf")
    rows = np.arange(len(truth))
    for temperature in TEMPERATURES:
        probabilities = softmax(scores.copy(), temperature)
        loss = -np.log(np.clip(probabilities[rows, truth], 1e-12, None)).mean()
        if loss < best_loss:
            best, best_loss = temperature, loss
    return best


@dataclass
class TextClassifier:
    features: FeatureUnion
    svm: LinearSVC
    temperature: float
    scripts: set[str] = field(default_factory=set)
    # What was chosen on the validation slices: C, class weights, temperature, a slice's size, how many.
    hyper: dict = field(default_factory=dict)
    # The organisations the SVM has a column for, after the text's features.
    organisations: dict[str, int] = field(default_factory=dict)

    @property
    def classes(self) -> list[str]:
        return [str(value) for value in self.svm.classes_]

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_fast", None)  # rebuilt from the SVM after loading, not written into the file twice
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({"organisations": {}, **state})  # a file written before organisations counted

    def _weights(self) -> tuple[np.ndarray, list[tuple], np.ndarray]:
        """The SVM's intercepts; per vectoriser its analyser, vocabulary, idf and the SVM's weights of
        its features as rows (feature x class); the organisations' rows: taken out of the pipeline once,
        so that scoring a text is a few look-ups."""
        fast = self.__dict__.get("_fast")
        if fast is None:
            coef, intercept = self.svm.coef_, self.svm.intercept_
            if coef.shape[0] == 1:  # two classes: one score for the second
                coef, intercept = np.vstack([-coef, coef]), np.hstack([-intercept, intercept])
            parts, start = [], 0
            for _name, vectorizer in self.features.transformer_list:
                end = start + len(vectorizer.vocabulary_)
                # A view, not a copy: a model of many values and words would otherwise take twice its memory.
                parts.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_.astype(np.float64),
                              coef[:, start:end].T))
                start = end
            fast = self.__dict__["_fast"] = (intercept, parts, ORGANISATION_WEIGHT * coef[:, start:].T)
        return fast

    def matrix(self, texts: list[str], organisations: list[str] | None = None) -> sparse.csr_matrix:
        text = self.features.transform(prepared(texts))
        return sparse.hstack([text, organisation_matrix(organisations or [""] * len(texts), self.organisations)],
                             format="csr")

    def scores(self, text: str, organisation: str = "") -> np.ndarray:
        """The SVM's scores of one normalised text, as the pipeline gives them, without its per-call
        checks (most of the time of a single card)."""
        intercept, parts, by_organisation = self._weights()
        total = intercept.astype(np.float64)
        for analyzer, vocabulary, idf, weights in parts:
            counts = Counter(analyzer(text))
            columns = np.fromiter((vocabulary.get(gram, -1) for gram in counts), np.int64, len(counts))
            known = columns >= 0
            if known.any():
                columns = columns[known]
                values = (1.0 + np.log(np.fromiter(counts.values(), np.float64, len(counts))[known])) * idf[columns]
                values /= np.sqrt(values @ values)  # sublinear tf times idf, L2-normalised as the pipeline does
                total = total + values @ weights[columns]
        if organisation in self.organisations:
            total = total + by_organisation[self.organisations[organisation]]
        return total

    def probabilities(self, texts: list[str], organisations: list[str] | None = None) -> np.ndarray:
        """`organisations`: each text's organisation ("" for none), or None when no text has one."""
        if len(texts) < BATCH:
            scores = np.array([
                self.scores(text, organisation)
                for text, organisation in zip(prepared(texts), organisations or [""] * len(texts), strict=True)
            ]).reshape(len(texts), -1)
        else:
            scores = scores_of(self.svm, self.matrix(texts, organisations))
        return softmax(scores, self.temperature)

    def top(self, texts: list[str], k: int = TOP, organisations: list[str] | None = None,
            ) -> list[list[tuple[str, float]]]:
        if not texts:
            return []
        probabilities = self.probabilities(texts, organisations)
        classes = self.classes
        order = np.argsort(-probabilities, axis=1)[:, :k]
        return [[(classes[j], float(row[j])) for j in best] for row, best in zip(probabilities, order, strict=True)]

    def knows_script(self, text: str) -> bool:
        return not self.scripts or bool(text_scripts(text) & self.scripts) or not text_scripts(text)


def _slice_fit(matrix, labels: np.ndarray, cut: int, end: int, c: float, weight: str | None,
               ) -> tuple[LinearSVC, float] | None:
    """A candidate fitted on the cards before `cut` (at most SEARCH_CARDS of them) and its top-1 on the
    slice cut:end; None when there is nothing to fit."""
    start = max(0, cut - SEARCH_CARDS)
    if cut <= start or len(set(labels[start:cut])) < 2:
        return None
    svm = svm_fit(matrix[start:cut], labels[start:cut], c, weight)
    return svm, float((svm.predict(matrix[cut:end]) == labels[cut:end]).mean())


def classifier_fit(texts: list[str], labels: list[str], *, validation: int, organisations: list[str] | None = None,
                   cs=(0.1, 0.3, 1.0), weights=(None, "balanced")) -> TextClassifier:
    """Fit on `texts` (oldest first) and their `organisations`: the regularisation and the class weights
    are chosen by their mean top-1 on the newest FOLDS slices of `validation` cards, each candidate
    fitted on the cards before its slice; the temperature on the newest slice. Then the SVM is refitted
    on all of them with that choice."""
    features = features_new()
    organisations = organisations or [""] * len(texts)
    columns = organisation_columns(organisations)
    matrix = sparse.hstack([features.fit_transform(prepared(texts)), organisation_matrix(organisations, columns)],
                           format="csr")
    labels_array = np.array(labels)
    cut = len(texts) - validation
    best, best_accuracy, best_svm = (cs[-1], weights[0]), -1.0, None
    ends = range(len(texts), len(texts) - FOLDS * validation, -validation) if validation else range(0)
    for c in cs:
        # Balanced weights count a rare value's cards more: they may win where the values' shares move.
        for weight in weights:
            found = [fitted for fitted in (_slice_fit(matrix, labels_array, end - validation, end, c, weight)
                                           for end in ends) if fitted is not None]
            if not found:
                continue
            accuracy = float(np.mean([accuracy for _svm, accuracy in found]))
            if accuracy > best_accuracy:
                best, best_accuracy, best_svm = (c, weight), accuracy, found[0][0]
    temperature = 5.0
    if best_svm is not None:
        known = np.isin(labels_array[cut:], best_svm.classes_)
        if known.any():
            index = {value: i for i, value in enumerate(best_svm.classes_)}
            truth = np.array([index[value] for value in labels_array[cut:][known]])
            temperature = temperature_fit(scores_of(best_svm, matrix[cut:][known]), truth)
    svm = svm_fit(matrix, labels_array, *best)
    scripts: set[str] = set()
    for text in texts:
        scripts |= text_scripts(text, share=0.5)
    hyper = {"C": best[0], "class_weight": best[1] or "none", "temperature": temperature, "validation": validation,
             "folds": FOLDS, "organisations": len(columns)}
    return TextClassifier(features=features, svm=svm, temperature=temperature, scripts=scripts, hyper=hyper,
                          organisations=columns)
