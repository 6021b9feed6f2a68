"""Languages of the pages: simplified Chinese by default, English on request, from Babel catalogues.

The catalogues (``hall/locale/<lang>/LC_MESSAGES/messages.po``) are the only source: they are compiled in memory
the first time a page is rendered, so there is no generated ``.mo`` file to forget to rebuild or to commit.
Message ids are English; ``zh_CN`` translates every one of them (a test checks), ``en`` translates none and
falls back to the ids.

The choice is kept in the ``hall_lang`` cookie (a preference, not a secret); without it a page is Chinese.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from litestar.connection import ASGIConnection

LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"
DEFAULT_LANG: Final = "zh_CN"
LANGUAGES: Final = ("zh_CN", "en")
LANG_COOKIE: Final = "hall_lang"
LANG_TAGS: Final = {"zh_CN": "zh-CN", "en": "en"}  # BCP 47, for <html lang> and the speech synthesiser
LANG_NAMES: Final = {"zh_CN": "中文", "en": "English"}  # each language in its own script: not translated


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel extracts
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


@cache
def translations(lang: str) -> Translations:
    """Return the compiled catalogue of ``lang`` (English ids are shown for anything untranslated)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return Translations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled)


def lang_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Return the language of this request: the ``hall_lang`` cookie if it names one, else Chinese."""
    chosen = connection.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT_LANG


def gettext(lang: str, message: str, **variables: object) -> str:
    """Translate ``message`` for Python-side text (titles, error messages), formatting ``%(name)s`` fields."""
    text = translations(lang).gettext(message)
    return text % variables if variables else text
