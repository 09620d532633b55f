"""The kiosk's grocery order and "my requests" actions, mixed into the Controller.

The screens call these on the UI thread; the order is stored on the background loop like
the help call. Kept apart from the controller's alarm and life-cycle code for size.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace


from kiosk.i18n import Lang
from kiosk.screens.groceries import GroceryOrder, line_text
from kiosk.screens.requests import progress_words
from sync.records import GroceryDetails, GroceryItem, RecordKind, ServiceRequest

log = logging.getLogger(__name__)


class GroceryActions:
    """Needs the Controller's store, sync_loop, translator, grocery, requests, notice,
    screen, lang, _bg, _show, say, say_screen and text."""

    def go_home(self) -> None:
        self._show("home")

    def open_groceries(self) -> None:
        """The groceries tiles; a finished order makes room for a new one."""
        if self.grocery.stored or self.grocery.failure == "no_resident":
            self.grocery = GroceryOrder()
        self._show("groceries")

    def open_requests(self) -> None:
        self._show("requests")

    def grocery_add(self, item: str, delta: int) -> None:
        """+ (1) or - (-1) on an item tile; says the new amount."""
        order = self.grocery
        if order.saving or order.stored:
            return
        self.grocery = order.changed(item, delta)
        self.notice = ""
        count = self.grocery.quantity(item)
        if count:
            from kiosk.screens.groceries import unit_of

            self.say("grocery_say.quantity", line=line_text(
                self.translator, Lang(self.lang), item, count, unit_of(item)))
        else:
            self.say("grocery_say.removed", name=self.text(f"grocery.item.{item}"))

    def grocery_page(self, page: int) -> None:
        from kiosk.screens.groceries import PAGES

        self.grocery = replace(self.grocery, page=page % len(PAGES))

    def grocery_review(self) -> None:
        """"选好了": the read-back question, or a word that nothing is chosen yet."""
        if self.grocery.empty:
            self.notice = self.text("grocery.empty")
            self.say("grocery_say.empty")
            return
        self.notice = ""
        self._show("grocery_confirm")

    def grocery_change(self) -> None:
        """"不对": back to the tiles with the same amounts; nothing is stored."""
        self._show("groceries", spoken="grocery_say.change")

    def grocery_confirm(self) -> None:
        """"对": one ServiceRequest(grocery), stored on the background loop."""
        order = self.grocery
        if order.empty or order.saving or order.stored:
            return
        self.grocery = replace(order, saving=True, failure=None)
        self._show("grocery_sent", spoken=None)
        items = [GroceryItem(name=item, quantity=quantity, unit=unit)
                 for item, quantity, unit in order.lines()]
        self._bg.submit(self._save_record(
            RecordKind.SERVICE_REQUEST,
            lambda resident: ServiceRequest(resident_id=resident,
                                            details=GroceryDetails(items=items)),
            self._on_grocery_saved, what="grocery order"))

    def order_progress(self, record_id: uuid.UUID | None, lang: str | None = None) -> str:
        """Whether a stored order has reached the community (or what the server said)."""
        return progress_words(self.requests, record_id, self.translator,
                              Lang(lang or self.lang), "grocery")

    def _on_grocery_saved(self, record_id: uuid.UUID | None, failure: str | None,
                          _dt: float = 0) -> None:
        self.grocery = replace(self.grocery, saving=False, record_id=record_id, failure=failure)
        if self.screen == "grocery_sent":
            self.say_screen()

