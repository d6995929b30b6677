"""Models that suggest a card's classification from its text: training, evaluation, prediction."""

from .prediction import Prediction, active_model, predict_many
from .training import train

__all__ = ["Prediction", "active_model", "predict_many", "train"]
