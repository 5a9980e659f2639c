"""diplowatch: diplomatic contacts from news streams, counted per country pair, with spike alerts."""

__version__ = "0.1.0"
