"""Errors a user can cause. The CLI turns each into one line on stderr and exit 1."""


class ServicedeskError(Exception):
    """A mistake in the user's input or data, with a message written for the officer."""


class NotFound(ServicedeskError):
    """A reference (enterprise, officer, ticket, category) matches nothing."""


class Ambiguous(ServicedeskError):
    """A reference matches more than one record."""


class InvalidInput(ServicedeskError):
    """A value the user typed cannot be used (bad date, bad category, empty text)."""


class DateError(InvalidInput):
    """A date or week the parser cannot read."""


class InvalidTransition(ServicedeskError):
    """A ticket cannot move that way (closing a closed ticket, a close dated too early)."""


class DatabaseError(ServicedeskError):
    """The database file cannot be used (not SQLite, not ours, from a newer version)."""


class NoLedger(DatabaseError):
    """Nothing at the path yet: a read never creates a ledger, only a command that records something."""

    def __init__(self, path):
        super().__init__(f"no ledger at {path}")
        self.path = path


class Damaged(DatabaseError):
    """SQLite, or a value stored in the file, says the file is damaged."""

    def __init__(self, detail: str, advice: str = "run `servicedesk doctor`, or restore a backup"):
        super().__init__(f"the ledger file is damaged: {detail}; {advice}")
        self.detail, self.advice = detail, advice


class Unwritable(DatabaseError):
    """The ledger can be read but not written: a read-only file, directory or mount, or a full disk."""


class ImportFailed(ServicedeskError):
    """A row of an imported file is wrong; nothing was written."""


class Notice(UserWarning):
    """Something the person should know that is not an error (a year's holidays unknown):
    raised with warnings.warn, shown by the CLI as one `warning: …` line on stderr."""
