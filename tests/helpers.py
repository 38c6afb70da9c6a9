"""Assertions shared by the test modules."""

# The keys of a ticket in `ticket list --json` (cli.md).
TICKET_KEYS = {
    "id",
    "enterprise",
    "enterprise_id",
    "category",
    "title",
    "status",
    "outcome",
    "priority",
    "owner",
    "department",
    "opened_on",
    "due_on",
    "closed_on",
    "overdue",
    "supervised",
    "urged",
    "follow_up",
    "light",
}


def assert_user_error(result, *fragments):
    """Exit 1, one `error:` line on stderr naming the fragments, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stdout + result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
