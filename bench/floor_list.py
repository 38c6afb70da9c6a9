"""The floor for `ticket list` and the reports: a bare Typer command that opens the same
SQLite file with sqlite3, reads 20 ticket rows and prints them as a rich Table.

bench.py runs `python floor_list.py DB` with the same interpreter as servicedesk. The
newest 20 by rowid, whatever their status: always 20 rows, at the same cost at any size.
"""

import sqlite3

import typer

app = typer.Typer()

SQL = """
SELECT t.id, e.name, t.category, t.title, t.status, t.priority, o.name, t.opened_on, t.due_on
FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id LEFT JOIN officers o ON o.id = t.owner_id
ORDER BY t.id DESC LIMIT 20
"""


@app.command()
def main(db: str):
    from rich.console import Console
    from rich.table import Table

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute(SQL).fetchall()
    table = Table("id", "enterprise", "category", "title", "status", "priority", "owner", "opened_on", "due_on")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console(width=240).print(table)


if __name__ == "__main__":
    app()
