"""The language of everything made for people: `--lang zh|en`, else SERVICEDESK_LANG, else
the locale (LC_ALL, then LC_MESSAGES, then LANG: the first one set wins, and a value
starting with zh means Chinese). `--format json|csv` on stdout stays English for scripts.

Standard library only: the CLI sets the language once per command, before anything speaks.
"""

import os

LANGS = ("zh", "en")
_chosen: str | None = None  # what --lang or SERVICEDESK_LANG said for this command


def default_lang(environ=None) -> str:
    """zh when the locale says Chinese, else en."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_language(lang: str | None) -> None:
    """The language this command speaks (None: the locale's)."""
    global _chosen
    _chosen = str(lang) if lang in LANGS else None


def language(lang: str | None = None) -> str:
    """`lang` when it is one we speak, else this command's language."""
    if lang in LANGS:
        return str(lang)
    return _chosen or default_lang()
