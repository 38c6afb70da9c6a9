"""servicedesk: weekly enterprise visits, problem tickets and closure-rate reports."""

__version__ = "0.1.0"
