"""talkgraph: publish scholarly event programmes as validated linked open data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("talkgraph")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
