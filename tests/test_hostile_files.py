"""Hostile files: a device or FIFO given as --db, a damaged ledger, a full disk, a read-only
file, directory or mount, another program's WAL file, killed backups, an old schema, a
mistyped path. Each is refused in one line, or read, and nothing that is not ours is touched.

Root-only cases (mknod, mounting a small tmpfs, chattr, running as nobody) are skipped
where the test does not run as root or the system refuses.
"""

import hashlib
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import assert_user_error

from servicedesk.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from servicedesk.store import Store

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="needs root (mknod, mount, chattr, setpriv)")

READS = [("info",), ("ticket", "list", "--status", "all"), ("report", "weekly"), ("enterprise", "list")]
WRITES = [("enterprise", "add", "华鑫化工"), ("demo",)]


def small_park(run):
    run("demo", "--enterprises", "8", "--weeks", "2")


def demo_park(run):
    run("demo")


def listing(folder: Path) -> dict:
    """Every entry beside the ledger: its type and mode (a new -journal, -wal or -shm shows)."""
    return {p.name: stat.filemode(p.lstat().st_mode) for p in folder.iterdir()}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def user_version(path) -> int:
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1", uri=True)  # creates nothing
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def run(db, *args, user=None, env=None):
    """servicedesk as a real process (as `nobody` with user="nobody")."""
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if user == "nobody" else []
    full_env = {**os.environ, "SERVICEDESK_DB": str(db), **(env or {})}
    full_env.pop("SERVICEDESK_OFFICER", None)
    return subprocess.run(
        [*prefix, sys.executable, "-m", "servicedesk", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def assert_one_line_error(result, *fragments):
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@contextmanager
def tmpfs(folder: Path, size: str = "2m"):
    if not ROOT:
        pytest.skip("mounting a tmpfs needs root")
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        # Lazily if a failed command left a file open there, so no mount outlives the test.
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def remount_readonly(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the file system of `folder`, leaving about `leave` bytes free."""
    fs = os.statvfs(folder)
    with open(folder / "filler", "wb", buffering=0) as f:
        try:
            f.write(b"\0" * max(0, fs.f_bavail * fs.f_frsize - leave))
            while leave == 0:
                f.write(b"\0" * 4096)
        except OSError:
            pass


@pytest.fixture
def nobody_dir():
    """A directory that `nobody` can reach (pytest's tmp_path is root's own), removed after."""
    if not ROOT or not shutil.which("setpriv"):
        pytest.skip("running as nobody needs root and setpriv")
    folder = Path(tempfile.mkdtemp(prefix="servicedesk-nobody-"))
    folder.chmod(0o755)
    probe = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", "import servicedesk"],
        capture_output=True,
    )
    if probe.returncode:
        shutil.rmtree(folder)
        pytest.skip("nobody cannot import servicedesk from this checkout")
    yield folder
    subprocess.run(["chmod", "-R", "u+w", str(folder)])
    shutil.rmtree(folder)


# Special files --------------------------------------------------------------------


@pytest.mark.parametrize("command", READS + WRITES, ids=lambda c: " ".join(c))
def test_a_fifo_given_as_the_database_is_refused_and_left_as_it_was(sd, tmp_path, command):
    fifo = tmp_path / "ledger.db"
    os.mkfifo(fifo)
    fifo.chmod(0o644)
    before = listing(tmp_path)
    assert_user_error(sd("--db", fifo, *command, ok=False), str(fifo), "named pipe (FIFO), not a regular file")
    assert listing(tmp_path) == before  # still 0644, and no -journal, -wal or -shm beside it


@needs_root
@pytest.mark.parametrize("command", READS + WRITES, ids=lambda c: " ".join(c))
def test_a_character_device_is_refused_and_left_as_it_was(sd, tmp_path, command):
    device = tmp_path / "null.db"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    device.chmod(0o666)
    link = tmp_path / "link.db"
    link.symlink_to(device)
    before = listing(tmp_path)
    for path in (device, link):
        assert_user_error(sd("--db", path, *command, ok=False), "a character device, not a regular file")
    assert listing(tmp_path) == before  # still crw-rw-rw-, nothing created beside it


@needs_root
def test_a_backup_onto_a_device_is_refused(sd, db, tmp_path, built):
    built("small", small_park, db)
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    device.chmod(0o666)
    before = listing(tmp_path)
    assert_user_error(sd("backup", device, "--force", ok=False), "not a regular file")
    assert listing(tmp_path) == before


# Damage ---------------------------------------------------------------------------


def corrupt_table(db: Path, table: str) -> None:
    """Overwrite the header of the table's root page, as a bad sector would."""
    conn = sqlite3.connect(db)
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:
        f.seek((page - 1) * size + (100 if page == 1 else 0))
        f.write(b"\xff" * 16)


def set_value(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "command",
    [
        ("ticket", "list", "--status", "all"),
        ("report", "weekly", "--week", "last"),
        ("demo", "--force"),
        ("visit", "log", "1", "--problem", "用工:缺焊工"),
        ("ticket", "close", "1", "--resolution", "已解决"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_damaged_table_is_one_line_and_nothing_is_written(sd, db, built, command):
    built("demo", demo_park, db)
    corrupt_table(db, "tickets")
    before = digest(db)
    assert_user_error(sd(*command, ok=False), "the ledger file is damaged", "servicedesk doctor", "restore a backup")
    assert digest(db) == before
    assert not db.with_name("park.db-wal").exists() or db.with_name("park.db-wal").stat().st_size == 0


def test_damage_that_stops_doctor_itself_says_to_restore_a_backup(sd, db, built):
    built("demo", demo_park, db)
    corrupt_table(db, "tickets")
    result = sd("doctor", ok=False)
    assert_user_error(result, "the ledger file is damaged", "restore a backup")
    assert "servicedesk doctor" not in result.stderr


def test_a_stored_date_with_a_flipped_bit_is_damage_not_a_traceback(sd, db, built):
    built("demo", demo_park, db)
    # '2' → 'r' is one flipped bit (0x32 → 0x72), as in the torture run's 'r026-11-27'.
    set_value(db, "UPDATE tickets SET opened_on = 'r' || substr(opened_on, 2) WHERE status != 'closed'")
    for command in (("report", "weekly"), ("report", "weekly", "--week", "last")):
        result = sd(*command, ok=False)
        assert_user_error(result, "the ledger file is damaged: tickets #", "has opened_on = 'r0", "servicedesk doctor")


def test_text_that_is_not_utf8_in_the_file_is_damage(sd, db, built):
    built("small", small_park, db)
    set_value(db, "UPDATE enterprises SET name = CAST(x'e5a4a9ff' AS TEXT) WHERE id = 1")
    assert_user_error(sd("enterprise", "list", ok=False), "the ledger file is damaged", "UTF-8")


def test_a_programming_error_on_a_sound_ledger_is_not_called_damage(sd, db, built, monkeypatch):
    built("small", small_park, db)

    def broken(*args, **kwargs):
        raise ValueError("a bug, not damage")

    monkeypatch.setattr(Store, "table_counts", broken)
    with pytest.raises(ValueError, match="a bug"):
        sd("info", ok=False)


def test_after_damage_is_found_the_store_writes_nothing(db, built):
    from servicedesk.diagnosis import explain
    from servicedesk.errors import Damaged

    built("small", small_park, db)
    store = Store(db)
    try:
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
        assert isinstance(explain(error, store, db), Damaged)
        with pytest.raises(Damaged), store.write():
            pytest.fail("a write was attempted after damage was found")
    finally:
        store.close()


def flip_bits(path: Path, seed: int, bits: int = 16, spread: int = 30000) -> None:
    data = bytearray(path.read_bytes())
    rnd, middle = random.Random(seed), len(data) // 2
    for _ in range(bits):
        data[middle + rnd.randrange(-spread, spread)] ^= 1 << rnd.randrange(8)
    path.write_bytes(data)


@pytest.mark.parametrize("seed", range(8))
def test_sixteen_flipped_bits_never_end_in_a_traceback(sd, db, built, seed):
    """The torture run's case: whatever the damage reaches, each command succeeds or says
    in one line what is wrong (an in-process traceback would fail this test)."""
    built("demo", demo_park, db)
    flip_bits(db, seed)
    for command in (
        ("info",),
        ("report", "weekly", "--week", "last"),
        ("ticket", "list", "--status", "all"),
        ("visit", "list"),
        ("enterprise", "list"),
        ("enterprise", "add", "新企业"),
        ("backup", db.with_name("copy.db"), "--force"),
        ("demo", "--force"),
    ):
        result = sd(*command, ok=False)
        assert result.exit_code in (0, 1), (command, result.exit_code, result.stderr)
        if result.exit_code:
            assert_user_error(result)


def test_a_backup_of_a_damaged_ledger_is_refused_in_one_short_line(sd, db, built, tmp_path):
    built("demo", demo_park, db)
    corrupt_table(db, "visits")
    result = sd("backup", tmp_path / "copy.db", ok=False)
    assert_user_error(result, "the ledger file is damaged", "copy.db was not written")
    assert len(result.stderr) < 400
    assert sorted(p.name for p in tmp_path.iterdir() if "copy" in p.name) == []


# Full disks -----------------------------------------------------------------------


def test_a_full_disk_is_named_reads_still_work_and_nothing_is_left(sd, db, built, tmp_path):
    built("small", small_park, db)
    with tmpfs(tmp_path / "disk") as disk:
        ledger = disk / "park.db"
        shutil.copyfile(db, ledger)
        fill(disk)
        before, content = listing(disk), digest(ledger)
        assert json.loads(sd("--db", ledger, "info", "--json").stdout)["counts"]["enterprises"] == 8
        sd("--db", ledger, "report", "weekly", "--week", "last")
        assert_user_error(sd("--db", ledger, "enterprise", "add", "华鑫化工", ok=False), "full", "free some space")
        assert_user_error(sd("--db", disk / "new.db", "enterprise", "add", "华鑫化工", ok=False), "full")
        assert listing(disk) == before  # no 3-byte -shm, no 0-byte new.db
        assert digest(ledger) == content


def test_a_write_that_fills_the_disk_is_rolled_back_and_named(sd, db, built, tmp_path):
    built("small", small_park, db)
    with tmpfs(tmp_path / "disk") as disk:
        ledger = disk / "park.db"
        shutil.copyfile(db, ledger)
        fill(disk, leave=300 * 1024)  # room to open, not for a whole demo park
        before, counts = listing(disk), json.loads(sd("--db", ledger, "info", "--json").stdout)["counts"]
        assert_user_error(sd("--db", ledger, "demo", "--force", ok=False), "full", "nothing was recorded")
        assert json.loads(sd("--db", ledger, "info", "--json").stdout)["counts"] == counts
        assert_user_error(sd("--db", disk / "new" / "park.db", "demo", ok=False), "full")
        assert listing(disk) == before  # no new directory, file or journal


# Read-only ------------------------------------------------------------------------


def test_a_ledger_on_a_read_only_mount_is_read_and_writes_say_why(sd, db, built, tmp_path):
    built("small", small_park, db)
    with tmpfs(tmp_path / "disk") as disk:
        shutil.copyfile(db, disk / "park.db")
        remount_readonly(disk)
        ledger = disk / "park.db"
        assert json.loads(sd("--db", ledger, "info", "--json").stdout)["counts"]["enterprises"] == 8
        sd("--db", ledger, "report", "weekly", "--week", "last")
        sd("--db", ledger, "ticket", "list", "--status", "all")
        assert_user_error(sd("--db", ledger, "enterprise", "add", "华鑫化工", ok=False), "read-only file system")
        assert_user_error(sd("--db", disk / "new.db", "enterprise", "add", "华鑫化工", ok=False), "read-only")


def schema_1_ledger(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("BEGIN")
    MIGRATIONS[0](conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO enterprises (id, name, created_at) VALUES (1, '天能电池', '2022-05-10T09:00:00+08:00')")
    conn.execute(
        """INSERT INTO tickets (id, enterprise_id, category, title, opened_on, opened_week, due_on, status)
        VALUES (1, 1, 'labour', '缺焊工20人', '2022-05-10', '2022-W19', '2022-05-25', 'open')"""
    )
    conn.execute(
        """INSERT INTO events (ticket_id, kind, on_date, week, at, actor)
        VALUES (1, 'opened', '2022-05-10', '2022-W19', '2022-05-10T09:00:00+08:00', '王伟')"""
    )
    conn.commit()
    conn.close()


def test_an_old_ledger_that_cannot_be_written_is_read_through_a_copy_migrated_in_memory(sd, tmp_path):
    with tmpfs(tmp_path / "disk") as disk:
        ledger = disk / "old.db"
        schema_1_ledger(ledger)
        remount_readonly(disk)
        before = digest(ledger)
        result = sd("--db", ledger, "ticket", "list", "--json")
        assert [t["title"] for t in json.loads(result.stdout)] == ["缺焊工20人"]
        assert "schema 1" in result.stderr and "migrated in memory" in result.stderr
        assert digest(ledger) == before and user_version(ledger) == 1


def test_a_read_only_directory_lets_the_ledger_be_read(built, db, nobody_dir):
    built("small", small_park, db)
    folder = nobody_dir / "ro"
    folder.mkdir()
    ledger = folder / "park.db"
    shutil.copyfile(db, ledger)
    os.chown(folder, 65534, 65534)
    os.chown(ledger, 65534, 65534)
    folder.chmod(0o555)
    before = listing(folder)
    for command in (("info",), ("report", "weekly", "--week", "last"), ("ticket", "list")):
        result = run(ledger, *command, user="nobody")
        assert result.returncode == 0, result.stderr
    assert_one_line_error(run(ledger, "enterprise", "add", "华鑫化工", user="nobody"), "directory", "read-only")
    assert listing(folder) == before


def test_a_read_only_file_is_read_without_leaving_a_wal_beside_it(built, db, nobody_dir):
    built("small", small_park, db)
    ledger = nobody_dir / "park.db"
    shutil.copyfile(db, ledger)
    ledger.chmod(0o444)
    before = listing(nobody_dir)
    assert run(ledger, "info", user="nobody").returncode == 0
    assert_one_line_error(run(ledger, "enterprise", "add", "华鑫化工", user="nobody"), "the file is read-only", "chmod")
    assert listing(nobody_dir) == before


def test_an_immutable_ledger_is_read_and_writes_say_why(sd, db, built):
    built("small", small_park, db)
    if not ROOT or subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode:
        pytest.skip("chattr +i needs root and a file system that supports it")
    try:
        sd("info")
        assert_user_error(sd("enterprise", "add", "华鑫化工", ok=False), "immutable", "chattr -i")
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)


# Another program's WAL file -------------------------------------------------------


def wal_pair(folder: Path, name: str, sql: list[str], checkpoint: bool) -> Path:
    """A WAL-mode file copied with its -wal (no -shm), as when a program's files are copied
    while it runs, or it crashed and its -shm was cleaned away."""
    source = folder / f"source-{name}"
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    if checkpoint:
        conn.execute("CREATE TABLE earlier (x)")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    target = folder / name
    shutil.copyfile(source, target)
    shutil.copyfile(f"{source}-wal", f"{target}-wal")
    conn.close()
    return target


@pytest.mark.parametrize("checkpointed", [True, False], ids=["tables-in-main-file", "all-in-wal"])
def test_another_programs_wal_file_is_refused_with_nothing_created_beside_it(sd, tmp_path, checkpointed):
    folder = tmp_path / "other"
    folder.mkdir()
    path = wal_pair(
        folder, "photos.db", ["CREATE TABLE photos (path)", "INSERT INTO photos VALUES ('a.jpg')"], checkpointed
    )
    before = listing(folder)
    for command in (("info",), ("enterprise", "add", "华鑫化工")):
        assert_user_error(sd("--db", path, *command, ok=False), "not a servicedesk database")
    assert listing(folder) == before


def test_our_ledger_copied_with_its_wal_opens_with_every_row(sd, db, built, tmp_path):
    built("small", small_park, db)
    folder = tmp_path / "copied"
    folder.mkdir()
    shutil.copyfile(db, folder / "source-park.db")
    path = wal_pair(
        folder,
        "park.db",
        ["INSERT INTO enterprises (name, created_at) VALUES ('只在日志里', '2022-05-10T09:00:00+08:00')"],
        checkpoint=False,
    )
    names = [e["name"] for e in json.loads(sd("--db", path, "enterprise", "list", "--json").stdout)]
    assert "只在日志里" in names


# Backups --------------------------------------------------------------------------


def test_backup_removes_copies_left_by_killed_backups_and_leaves_others(sd, db, built, tmp_path):
    built("small", small_park, db)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(finished.stdout)  # a pid no longer running, as after kill -9
    (tmp_path / f".copy.db.{dead}.partial").write_bytes(b"x" * 4096)
    (tmp_path / f".copy.db.{os.getppid()}.partial").write_bytes(b"x")  # a running process's: not ours to remove
    (tmp_path / ".other.db.1.partial").write_bytes(b"x")
    sd("backup", tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")) == [
        f".copy.db.{os.getppid()}.partial",
        ".other.db.1.partial",
    ]
    assert stat.S_IMODE((tmp_path / "copy.db").stat().st_mode) == 0o600


# Migrating ------------------------------------------------------------------------


def test_migrating_keeps_a_private_copy_of_the_old_file_and_says_where(sd, tmp_path):
    ledger = tmp_path / "old.db"
    schema_1_ledger(ledger)
    result = sd("--db", ledger, "ticket", "list", "--json")
    copy = tmp_path / "old.db.bak-schema1"
    assert f"migrated {ledger} from schema 1 to {SCHEMA_VERSION}; a copy of the old file is at {copy}" in result.stderr
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert user_version(copy) == 1 and user_version(ledger) == SCHEMA_VERSION
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT id, title, status FROM tickets").fetchall() == [(1, "缺焊工20人", "open")]
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db", "old.db.bak-schema1"]
    assert "migrated" not in sd("--db", ledger, "ticket", "list").stderr  # once only

    # An earlier copy is never overwritten.
    ledger.unlink()
    schema_1_ledger(ledger)
    result = sd("--db", ledger, "info")
    assert f"a copy of the old file is at {copy}.2" in result.stderr
    assert user_version(copy) == 1


# A path with no ledger ------------------------------------------------------------

MISSING_READS = [
    ("info",),
    ("ticket", "list"),
    ("ticket", "show", "1"),
    ("report", "weekly"),
    ("enterprise", "list"),
    ("visit", "list"),
    ("category", "list"),
    ("export", "EXPORT"),
    ("backup", "BACKUP"),
]


@pytest.mark.parametrize("command", MISSING_READS, ids=lambda c: " ".join(c))
def test_a_read_of_a_path_with_no_ledger_says_so_and_creates_nothing(sd, tmp_path, command):
    path = tmp_path / "typo" / "park.db"
    command = [str(tmp_path / "out" / c) if c in ("EXPORT", "BACKUP") else c for c in command]
    before = listing(tmp_path)
    result = sd("--db", path, *command, ok=False)
    assert_user_error(result, f"no ledger at {path}; check --db or SERVICEDESK_DB", "creates it")
    assert listing(tmp_path) == before  # no file, no directory


def test_an_empty_file_reads_as_no_ledger_and_a_write_makes_it_one(sd, db):
    db.write_bytes(b"")
    assert_user_error(sd("info", ok=False), "no ledger at")
    assert "created a new ledger" in sd("enterprise", "add", "天能电池").stderr
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


SHEETS = {
    "ROSTER": ("企业.csv", "企业名称,行业\n天能电池,化工\n华鑫化工,化工\n"),
    "OFFICERS": ("干部.csv", "姓名,职级\n王伟,县级\n"),
    "LEDGER": ("台账.csv", "企业名称,问题类别,问题描述,提出日期\n天能电池,用工,缺焊工,2022-05-10\n"),
}


def _sheets(tmp_path: Path, command) -> list[str]:
    """The command with each sheet's placeholder replaced by a file written for it."""
    out = []
    for word in command:
        if word in SHEETS:
            name, text = SHEETS[word]
            (tmp_path / name).write_text(text, encoding="utf-8")
            word = str(tmp_path / name)
        out.append(word)
    return out


@pytest.mark.parametrize(
    ("command", "check"),
    [
        (("demo", "--enterprises", "3", "--weeks", "1"), ("enterprise", "list")),
        (("enterprise", "add", "天能电池"), ("enterprise", "show", "天能电池")),
        (("--as", "园区办", "enterprise", "add", "天能电池"), ("enterprise", "show", "天能电池")),
        (("officer", "add", "王伟"), ("officer", "show", "王伟")),
        (("category", "add", "environment", "--label", "Environment"), ("category", "list")),
        (("enterprise", "import", "ROSTER"), ("enterprise", "show", "华鑫化工")),
        (("officer", "import", "OFFICERS"), ("officer", "show", "王伟")),
        (("ticket", "import", "LEDGER", "--create-missing"), ("ticket", "show", "1")),
    ],
    ids=lambda c: " ".join(c[:3]) if isinstance(c, tuple) else "",
)
def test_a_command_that_records_something_creates_the_ledger_and_says_so(sd, tmp_path, command, check):
    path = tmp_path / "new" / "park.db"
    command = _sheets(tmp_path, command)
    result = sd("--db", path, *command)
    assert f"created a new ledger at {path}" in result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and user_version(path) == SCHEMA_VERSION
    sd("--db", path, *check)


@pytest.mark.parametrize(
    "command",
    [
        ("ticket", "close", "12", "--resolution", "已解决"),
        ("assign", "王伟", "天能电池"),
        ("visit", "log", "天能电池"),
        ("enterprise", "import", "ROSTER", "--dry-run"),
        ("category", "add", "BAD CODE", "--label", "x"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_failed_write_on_a_new_path_leaves_nothing(sd, tmp_path, command):
    path = tmp_path / "new" / "park.db"
    command = _sheets(tmp_path, command)
    before = listing(tmp_path)
    result = sd("--db", path, *command, ok=False)
    assert_user_error(result)
    assert "created" not in result.stderr
    assert listing(tmp_path) == before
