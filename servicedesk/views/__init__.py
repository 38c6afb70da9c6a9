"""The read side: every query a list, a `show` or a report runs, in the shapes of cli.md.

Reads only: nothing here writes, and nothing here imports a write service. The services
return these shapes after a change; reports build on them.
"""
