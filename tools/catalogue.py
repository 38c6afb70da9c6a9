"""The message catalogue: servicedesk/locale/zh/LC_MESSAGES/servicedesk.po → .mo.

    python tools/catalogue.py            # add the messages the code uses to the .po, compile the .mo
    python tools/catalogue.py --check    # exit 1 when a message has no translation or the .mo is stale

Messages are found where the code asks for them: `_("…")`, `ngettext("…", "…", n)` and
`pgettext("context", "…")` calls (read with ast), and the report words of
servicedesk/render/labels.py (each with its key as the context). Standard library only;
the .mo is written as GNU gettext's msgfmt writes it, so Python's gettext reads it.
"""

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "servicedesk"
PO = PACKAGE / "locale" / "zh" / "LC_MESSAGES" / "servicedesk.po"
MO = PO.with_suffix(".mo")
META = "Content-Type: text/plain; charset=UTF-8\nLanguage: zh\nPlural-Forms: nplurals=1; plural=0;\n"
HEADER = 'msgid ""\nmsgstr ""\n' + "".join(f'"{line}\\n"\n' for line in META.splitlines())
Key = tuple  # (context or None, msgid, plural or None)


def used() -> dict[Key, str]:
    """Every message the code asks for → where (file:line), in source order."""
    found: dict[Key, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                args = [
                    a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args
                ]
                if node.func.id == "_" and args and args[0]:
                    found.setdefault((None, args[0], None), f"{where}:{node.lineno}")
                elif node.func.id == "ngettext" and len(args) >= 2 and args[0] and args[1]:
                    found.setdefault((None, args[0], args[1]), f"{where}:{node.lineno}")
                elif node.func.id == "pgettext" and len(args) >= 2 and args[0] and args[1]:
                    found.setdefault((args[0], args[1], None), f"{where}:{node.lineno}")
    sys.path.insert(0, str(ROOT))
    from servicedesk.render.labels import EN

    for key, text in EN.items():
        found.setdefault((key, text, None), "servicedesk/render/labels.py")
    return found


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())


def read(text: str) -> dict[Key, list[str]]:
    """A .po file's entries: (context, msgid, plural) → [translation, …] (one per plural form)."""
    entries: dict[Key, list[str]] = {}
    field, parts = None, {}

    def flush():
        if "msgid" in parts:
            key = (parts.get("msgctxt"), parts["msgid"], parts.get("msgid_plural"))
            forms = [parts[k] for k in sorted(p for p in parts if p.startswith("msgstr"))]
            if key[1]:
                entries[key] = forms

    for line in text.splitlines() + [""]:
        line = line.strip()
        if not line:
            flush()
            field, parts = None, {}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            parts[field] += _unquote(line)
        else:
            name, _, rest = line.partition(" ")
            field = name.replace("[", "").replace("]", "")
            parts[field] = _unquote(rest)
    return entries


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write(entries: dict[Key, list[str]], where: dict[Key, str]) -> str:
    out = [HEADER]
    for key in sorted(entries, key=lambda k: (where.get(k, "~"), k[0] or "", k[1])):
        context, msgid, plural = key
        lines = [f"#: {where[key]}"] if key in where else ["#~ no longer used"]
        if context is not None:
            lines.append(f"msgctxt {_quote(context)}")
        lines.append(f"msgid {_quote(msgid)}")
        forms = entries[key]
        if plural is not None:
            lines.append(f"msgid_plural {_quote(plural)}")
            lines += [f"msgstr[{i}] {_quote(f)}" for i, f in enumerate(forms or [""])]
        else:
            lines.append(f"msgstr {_quote(forms[0] if forms else '')}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def compile_mo(entries: dict[Key, list[str]]) -> bytes:
    """GNU .mo bytes, as msgfmt makes them (translated entries only)."""
    catalog = {b"": META.encode()}
    for (context, msgid, plural), forms in entries.items():
        if not forms or not all(forms):
            continue
        key = msgid if plural is None else msgid + "\0" + plural
        if context is not None:
            key = context + "\x04" + key
        catalog[key.encode()] = "\0".join(forms).encode()
    keys = sorted(catalog)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(catalog[k])))
        ids += k + b"\0"
        strs += catalog[k] + b"\0"
    start = 7 * 4 + 16 * len(keys)
    table = []
    for id_at, id_len, str_at, str_len in offsets:
        table.append((id_len, start + id_at, str_len, start + len(ids) + str_at))
    out = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    out += b"".join(struct.pack("ii", n, at) for n, at, _, _ in table)
    out += b"".join(struct.pack("ii", n, at) for _, _, n, at in table)
    return out + ids + strs


def main() -> int:
    where = used()
    entries = read(PO.read_text(encoding="utf-8")) if PO.exists() else {}
    if "--check" in sys.argv:
        missing = [f"{w}: {k[1]!r}" for k, w in where.items() if not all(entries.get(k) or [""])]
        stale = not MO.exists() or MO.read_bytes() != compile_mo(entries)
        for line in missing:
            print(f"untranslated: {line}")
        if stale:
            print(f"{MO.relative_to(ROOT)} is not compiled from the .po: run python tools/catalogue.py")
        return 1 if missing or stale else 0
    for key in where:
        entries.setdefault(key, [""] * (2 if key[2] else 1))
    entries = {k: v for k, v in entries.items() if k in where or any(v)}
    PO.parent.mkdir(parents=True, exist_ok=True)
    PO.write_text(write(entries, where), encoding="utf-8")
    MO.write_bytes(compile_mo(entries))
    untranslated = sum(1 for k in where if not all(entries[k]))
    print(f"{len(where)} messages, {untranslated} untranslated: {PO.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
