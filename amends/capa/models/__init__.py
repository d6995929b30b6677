from .actions import Action, EffectivenessCheck
from .nonconformities import (
    Nonconformity,
    NonconformityComplaint,
    NonconformityEvent,
    NonconformitySequence,
    RecordEventAppendOnly,
)
from .norms import CapaSettings, NormBreach, SupplierNorm
from .proposals import Proposal
from .root_cause import FishboneCause, WhyStep

__all__ = [
    "Action", "CapaSettings", "EffectivenessCheck", "FishboneCause", "Nonconformity", "NonconformityComplaint",
    "NonconformityEvent", "NonconformitySequence", "NormBreach", "Proposal", "RecordEventAppendOnly",
    "SupplierNorm", "WhyStep",
]
