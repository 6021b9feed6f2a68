"""The pages' Jinja2 environment and the one helper that renders a page in the request's language.

Translations are looked up per render, from the ``translations`` the helper puts in the context, so one shared
environment serves concurrent requests in different languages (nothing global is switched per request).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

import segno
from babel.dates import format_date, format_time
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar import Request
from litestar.datastructures import Cookie
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from markupsafe import Markup

from hall.pages import labels
from hall.pages.i18n import LANG_NAMES, LANG_TAGS, LANGUAGES, lang_of, translations

PACKAGE: Final = Path(__file__).resolve().parents[1]
TEMPLATE_DIR: Final = PACKAGE / "templates"
STATIC_DIR: Final = PACKAGE / "static"
STATIC_PATH: Final = "/static"


@pass_context
def _translate(context: Context, message: str) -> str:
    catalogue: Translations = context["translations"]
    return catalogue.gettext(message)


@pass_context
def _translate_plural(context: Context, singular: str, plural: str, number: int) -> str:
    catalogue: Translations = context["translations"]
    return catalogue.ngettext(singular, plural, number)


@cache
def static_url(path: str) -> str:
    """Return the URL of a static file with its content hash, so browsers may cache it for a long time."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"{STATIC_PATH}/{path}?v={digest}"


def qr_svg(url: str, label: str) -> Markup:
    """Return an inline SVG QR code of ``url``, labelled for screen readers."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, title=label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))  # noqa: S704


@pass_context
def _local_time(context: Context, moment: datetime | None, zone: tzinfo | None = None) -> str:
    if moment is None:
        return ""
    return format_time(moment, "HH:mm", tzinfo=zone or context.get("zone"), locale=context["lang"])


@pass_context
def _local_date(context: Context, moment: datetime | Any, style: str = "medium") -> str:
    if moment is None:
        return ""
    return format_date(moment, style, locale=context["lang"])


@pass_context
def _localized(context: Context, thing: Any) -> str:
    """Return the name of an item or centre in the page's language (the Chinese name when there is no other)."""
    english = getattr(thing, "name_en", "")
    return str(english) if context["lang"] == "en" and english else str(thing.name_zh)


@pass_context
def _bilingual(context: Context, thing: Any, field: str = "label") -> str:
    """Return ``thing.<field>_en`` on an English page (when there is one), else ``thing.<field>_zh``.

    For the texts a service supplies in both languages (the assessment's explanation lines, pay lines).
    """
    english = getattr(thing, f"{field}_en", "")
    return str(english) if context["lang"] == "en" and english else str(getattr(thing, f"{field}_zh"))


def _money(amount: Decimal | None) -> str:
    """Show an amount of yuan to the fen with thousands separators (``4,080.00``; ``−20.00`` when negative)."""
    if amount is None:
        return "—"
    text = f"{abs(amount):,.2f}"
    return f"−{text}" if amount < 0 else text


def _rate(share: Decimal | float | None, places: int = 2) -> str:
    """Show a share (0–1) as a percentage (``0.9947`` → ``99.47%``); ``—`` without one."""
    if share is None:
        return "—"
    return f"{Decimal(str(share)) * 100:.{places}f}%"


def _spaced(number: str) -> str:
    """Return a ticket number with its characters apart (``A 0 2 3``), so a speech synthesiser reads each one."""
    return " ".join(number)


def make_environment() -> Environment:
    """Build the pages' environment: autoescaping, strict variables, gettext through the request's catalogue."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "svg"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        _translate, _translate_plural, newstyle=True
    )
    environment.globals.update(static=static_url, labels=labels, qr_svg=qr_svg, languages=LANGUAGES)
    environment.globals["language_names"] = LANG_NAMES
    environment.filters["local_time"] = _local_time
    environment.filters["local_date"] = _local_date
    environment.filters["localized"] = _localized
    environment.filters["spaced"] = _spaced
    environment.filters["bilingual"] = _bilingual
    environment.filters["money"] = _money
    environment.filters["rate"] = _rate
    return environment


def make_engine() -> JinjaTemplateEngine:
    return JinjaTemplateEngine.from_environment(make_environment())


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The variables every page needs: its language and the current path (the language switch returns to it)."""
    lang = lang_of(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        "lang": lang,
        "lang_tag": LANG_TAGS[lang],
        "translations": translations(lang),
        "here": here,
        "zone": None,
    }


def page(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Template:
    """Render ``template_name`` in the request's language."""
    return Template(
        template_name=template_name,
        context={**base_context(request), **context},
        status_code=status_code,
        headers=dict(headers or {}),
        cookies=cookies,
        media_type="text/html",
    )


def render_string(request: Request[Any, Any, Any], template_name: str, **context: Any) -> str:
    """Render a template to text (for a PDF), in the request's language."""
    engine = request.app.template_engine
    assert isinstance(engine, JinjaTemplateEngine)
    return engine.engine.get_template(template_name).render({**base_context(request), **context})
