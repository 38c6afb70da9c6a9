"""The message catalogue: every message the code speaks has its Chinese, and the compiled
catalogue shipped in the package is the one the .po says."""

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("catalogue", ROOT / "tools" / "catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_a_translation_and_the_mo_is_compiled_from_the_po():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "catalogue.py"), "--check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compiled_catalogue_reads_back_through_gettext(tmp_path):
    import gettext

    tool = _tool()
    entries = {("ctx", "opened", None): ["新梳理"], (None, "closed #{id}", None): ["已办结 #{id}"],
               (None, "{n} ticket", "{n} tickets"): ["{n} 个问题"]}  # fmt: skip
    folder = tmp_path / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "t.mo").write_bytes(tool.compile_mo(entries))
    t = gettext.translation("t", tmp_path, languages=["zh"])
    assert t.pgettext("ctx", "opened") == "新梳理" and t.gettext("closed #{id}") == "已办结 #{id}"
    assert t.ngettext("{n} ticket", "{n} tickets", 5) == "{n} 个问题"
    assert tool.read(tool.write(entries, {})) == entries
