"""`demo` sizes have a ceiling: a clear usage error, at once, instead of a MemoryError or a run without end."""

import pytest


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--enterprises", "1000000000000"), "--enterprises"),
        (("--enterprises", "100001"), "--enterprises"),
        (("--enterprises", "100000", "--weeks", "5200"), "--weeks"),
        (("--weeks", "5201"), "--weeks"),
        (("--problems", "10000001"), "--problems"),
        (("--open", "10000001"), "--open"),
    ],
)
def test_demo_sizes_beyond_the_ceiling_are_refused_before_anything_is_written(sd, db, args, named):
    result = sd("demo", *args, ok=False)

    assert result.exit_code == 2, result.output
    assert named in result.stderr and "Traceback" not in result.stderr
    assert not db.exists()


def test_the_benchmark_park_is_within_the_ceiling(sd, monkeypatch):
    """bench/README's 1M park: --enterprises 2000 --weeks 520 --problems 1000000 --open 1500."""
    from servicedesk.services import demo

    asked = {}

    def build(store, **sizes):  # what the command would build, without building it
        asked.update(sizes)
        raise SystemExit(0)

    monkeypatch.setattr(demo, "build", build)
    sd("demo", "--enterprises", "2000", "--weeks", "520", "--problems", "1000000", "--open", "1500")
    assert asked["enterprises"] == 2000 and asked["problems"] == 1_000_000
