"""attkit: the Arms Trade Treaty implementation toolkit."""

__version__ = "0.1.0"
