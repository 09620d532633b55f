"""My requests: the resident's requests and where each one is, in plain words.

The list is `controller.requests`, refreshed by the controller's background poll of the
store (so a status pulled from the server shows without a tap).
"""

from __future__ import annotations

from typing import Any

from kiosk.i18n import Lang, Translator
from kiosk.screens.base import KioskScreen
from kiosk.screens.groceries import items_text

# Rows on one screen: more would push the buttons off it at text size 1.5.
ROWS = 3
_MAX_ITEMS_SHOWN = 3


def status_words(view: Any, translator: Translator, lang: Lang) -> str:
    """Where a request is: not yet sent / sent, waiting / 已收到 / 志愿者已接单 / 已送到 ..."""
    delivery = getattr(view.delivery, "value", view.delivery)
    if delivery == "dead":
        return translator.text("requests.dead", lang)
    if view.status is None:
        if delivery == "pending":
            return translator.text("requests.not_sent", lang)
        return translator.text("requests.waiting", lang)
    status = getattr(view.status, "value", view.status)
    if status == "claimed" and view.handled_by:
        return translator.text("requests.status_claimed_by", lang, name=view.handled_by)
    return translator.text(f"requests.status_{status}", lang)


def not_at_community(requests: Any, record_id: Any) -> bool:
    """A request stored here that the server does not have yet (or the poll has not read)."""
    view = next((v for v in requests if v.id == record_id), None)
    return view is None or (view.status is None and view.delivery.value == "pending")


def progress_words(requests: Any, record_id: Any, translator: Translator, lang: Lang,
                   area: str) -> str:
    """Where a request stored here is, for the sent screens of `area` (grocery, services,
    activity): "<area>.not_sent", then "<area>.sent", then its status in plain words."""
    if not_at_community(requests, record_id):
        return translator.text(f"{area}.not_sent", lang)
    view = next(v for v in requests if v.id == record_id)
    if view.status is None and view.delivery.value == "sent":
        return translator.text(f"{area}.sent", lang)
    return status_words(view, translator, lang)


def what_words(view: Any, translator: Translator, lang: Lang) -> tuple[str, str]:
    """(what kind of request, its details): ("买菜代购", "鸡蛋 2 斤，大米 1 袋"), ("报修", "水管漏水")."""
    from kiosk.screens.services import callback_words, detail_words

    kind = getattr(view.kind, "value", view.kind)
    if kind == "callback_request":
        return (translator.text("requests.type_callback", lang),
                callback_words(translator, lang, view.payload or {}))
    details = (view.payload or {}).get("details") or {}
    request_type = details.get("type", "")
    title = translator.text(f"requests.type_{request_type}", lang)
    if request_type == "activity_booking":
        return title, str(details.get("activity_name") or "")
    if request_type != "grocery":
        return title, detail_words(translator, lang, details)
    lines = [(item["name"], _plain_number(item["quantity"]), item["unit"])
             for item in details.get("items", [])]
    text = items_text(translator, lang, lines[:_MAX_ITEMS_SHOWN])
    if len(lines) > _MAX_ITEMS_SHOWN:
        text += " …"
    return title, text


def _plain_number(value: Any) -> str:
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


class RequestsScreen(KioskScreen):
    """The newest requests first, ROWS at a time; Groceries and Home below."""

    def row(self, index: int, requests: Any, lang: str) -> tuple[str, str, str]:
        """(title, details, status words) of row `index`, or empty texts for no request."""
        if index >= len(requests):
            return "", "", ""
        translator = self.controller.translator
        view = requests[index]
        title, details = what_words(view, translator, Lang(lang))
        return title, details, status_words(view, translator, Lang(lang))

    def on_pre_enter(self, *_args: Any) -> None:
        self.controller.refresh_rated()  # which finished requests still get a "rate it"

    def request_id(self, index: int, requests: Any) -> str:
        return str(requests[index].id) if index < len(requests) else ""

    def rateable(self, index: int, requests: Any, rated: Any) -> bool:
        """Finished and not rated on this kiosk yet: the row offers "评价"."""
        from kiosk.screens.feedback import rateable

        return index < len(requests) and rateable(requests[index], rated)

    def summary(self, requests: Any, lang: str) -> str:
        if not requests:
            return self.tr("requests.none", lang)
        if len(requests) > ROWS:
            return self.tr("requests.more", lang, count=len(requests) - ROWS)
        return ""
