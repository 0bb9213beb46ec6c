"""The engine: dense networks, losses and optimizers in pure numpy. Knows nothing of the web."""

from app.nn.activations import ACTIVATIONS
from app.nn.init import INITS
from app.nn.losses import OUTPUTS
from app.nn.network import Network
from app.nn.optimizers import OPTIMIZERS, make_optimizer
from app.nn.trainer import Trainer

__all__ = ["ACTIVATIONS", "INITS", "OPTIMIZERS", "OUTPUTS", "Network", "Trainer", "make_optimizer"]
