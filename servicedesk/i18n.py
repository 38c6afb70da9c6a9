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


# The catalogue: English messages in the code, their Chinese in locale/zh (tools/catalogue.py).
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")
_catalogues: dict = {}


def _catalogue(lang: str):
    if lang not in _catalogues:
        import gettext  # not at the top: the CLI imports this module for --help

        _catalogues[lang] = gettext.translation("servicedesk", LOCALE_DIR, languages=[lang], fallback=True)
    return _catalogues[lang]


def _(message: str) -> str:
    """`message` (English, with {named} fields) in this command's language."""
    lang = language()
    return message if lang == "en" else _catalogue(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = language()
    if lang == "en":
        return singular if n == 1 else plural
    return _catalogue(lang).ngettext(singular, plural, n)


def pgettext(context: str, message: str, lang: str | None = None) -> str:
    """`message` in `lang` (default: this command's), told apart from the same English
    words elsewhere by `context` (a report label's key)."""
    lang = language(lang)
    return message if lang == "en" else _catalogue(lang).pgettext(context, message)
