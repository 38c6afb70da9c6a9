"""The floor for `servicedesk --help`: a bare Typer app with two commands, nothing else.

bench.py runs `python floor_help.py --help` with the same interpreter as servicedesk.
"""

import typer

app = typer.Typer(help="A bare Typer app: the least a Typer CLI's --help can cost.", no_args_is_help=True)


@app.command()
def hello(name: str = typer.Argument("world", help="Who to greet.")):
    """Say hello."""
    typer.echo(f"hello {name}")


@app.command()
def bye(name: str = typer.Option("world", "--name", help="Who to see off.")):
    """Say goodbye."""
    typer.echo(f"bye {name}")


if __name__ == "__main__":
    app()
