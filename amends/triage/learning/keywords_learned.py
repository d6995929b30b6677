"""The keyword baseline of the evaluation: per value, the words most typical of it in the training
part; a card goes to the values whose words it holds most. What a careful administrator's keyword
rules would do at best, so a model has to beat it to be worth its keep."""

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer  # type: ignore[import-untyped]

from .text import text_normalise

WORDS_PER_VALUE = 20


@dataclass
class KeywordBaseline:
    vectorizer: CountVectorizer
    weights: np.ndarray  # values x words: 1 where the word is one of the value's keywords
    values: list[str]
    fallback: list[str]

    @classmethod
    def fit(cls, texts: list[str], labels: list[str]) -> "KeywordBaseline":
        fallback = [value for value, _ in Counter(labels).most_common(3)]
        vectorizer = CountVectorizer(preprocessor=text_normalise, binary=True, min_df=2, max_features=50_000,
                                     token_pattern=r"(?u)\b\w\w+\b")
        try:
            matrix = vectorizer.fit_transform(texts).tocsc()
        except ValueError:  # no word occurs twice
            return cls(vectorizer=vectorizer, weights=np.zeros((0, 0)), values=[], fallback=fallback)
        values = sorted(set(labels))
        label_array = np.array(labels)
        overall = np.asarray(matrix.mean(axis=0)).ravel() + 1e-3
        weights = np.zeros((len(values), matrix.shape[1]), dtype=np.float32)
        for i, value in enumerate(values):
            rows = matrix[np.flatnonzero(label_array == value)]
            share = np.asarray(rows.mean(axis=0)).ravel()
            # Typical: frequent in the value's cards and much more frequent there than elsewhere.
            lift = share * np.log((share + 1e-3) / overall)
            weights[i, np.argsort(-lift)[:WORDS_PER_VALUE]] = 1
        return cls(vectorizer=vectorizer, weights=weights, values=values, fallback=fallback)

    def rank(self, texts: list[str]) -> list[list[str]]:
        if not self.values:
            return [self.fallback for _ in texts]
        hits = (self.vectorizer.transform(texts) @ self.weights.T)
        hits = np.asarray(hits)
        ranked = []
        for row in hits:
            if row.max() <= 0:
                ranked.append(self.fallback)
                continue
            order = np.argsort(-row, kind="stable")[:3]
            ranked.append([self.values[i] for i in order if row[i] > 0] or self.fallback)
        return ranked
