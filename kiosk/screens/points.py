"""My points: the balance and its history in plain words, and redeeming points for a reward
from the community's catalogue (chosen, read back, confirmed).

The wallet (`Wallet`) is a plain value the controller owns; the store is read on the
background loop (`kiosk.points_reading`) and each reading merged in. The screens only show
it and call the controller.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from kiosk.i18n import Lang, Translator, other_language
from kiosk.paging import on_page, page_count
from kiosk.screens.base import KioskScreen

# Reward cards on one page: three cards and More / My points / Home make six choices.
PER_PAGE = 3
HISTORY_LINES = 3
# The server writes a redemption's ledger line as "redeemed: <name>" (server/services/apply.py).
REDEEMED_PREFIX = "redeemed: "


@dataclass(frozen=True, slots=True)
class Wallet:
    """The resident's points as last read from the store, and the redemption being made."""

    loaded: bool = False  # a reading of this opening has arrived (until then: "reading")
    balance: int = 0
    uncounted: int = 0  # points of redemptions the server has not answered yet
    history: tuple[Any, ...] = ()  # sync.store_views.PointsEntryView, newest first
    rewards: tuple[Any, ...] = ()  # sync.catalogue_views.RewardView, cheapest first
    page: int = 0
    chosen: Any = None  # the RewardView tapped
    saving: bool = False
    record_id: uuid.UUID | None = None  # stored: the PointsRedemption's record id
    failure: str | None = None  # "no_resident" | "not_saved"
    outcome: str | None = None  # the server's word on the stored redemption (see progress_key)

    @property
    def available(self) -> int:
        return max(0, self.balance - self.uncounted)

    @property
    def stored(self) -> bool:
        return self.record_id is not None

    @property
    def pages(self) -> int:
        return page_count(self.rewards, PER_PAGE)

    def on_page(self, slot: int) -> Any:
        return on_page(self.rewards, self.page, slot, PER_PAGE)

    def find(self, reward_id: Any) -> Any:
        return next((r for r in self.rewards if str(r.reward_id) == str(reward_id)), None)

    def with_reading(self, reading: Any) -> Wallet:
        """This wallet with a store reading (kiosk.points_reading.PointsReading) merged in.

        The outcome is taken only if it was read for this wallet's redemption: one stored
        after the read began is answered by the next reading.
        """
        outcome = reading.outcome if reading.record_id == self.record_id else self.outcome
        return replace(self, loaded=True, balance=reading.balance, uncounted=reading.uncounted,
                       history=reading.history, rewards=reading.rewards, outcome=outcome)


def history_line(entry: Any, translator: Translator, lang: Lang) -> str:
    """"加 120 分：社区志愿活动" / "减 100 分：换了一袋大米"."""
    reason = entry.reason
    if reason.startswith(REDEEMED_PREFIX):
        reason = translator.text("points.redeemed", lang, name=reason[len(REDEEMED_PREFIX):])
    key = "points.earned" if entry.delta > 0 else "points.spent"
    return translator.text(key, lang, points=abs(entry.delta), reason=reason)


def progress_key(status: str | None, note: str | None, delivery: str | None) -> str:
    """Where a stored redemption is, as a catalogue key."""
    if status == "cancelled":
        return "points.refused" if note == "insufficient_points" else "points.refused_other"
    if status is not None:
        return "points.received"
    return "points.not_sent" if delivery == "pending" else "points.sent"


class PointsScreen(KioskScreen):
    """Balance, the latest lines of the ledger, and Redeem / My requests / Home."""

    def balance(self, wallet: Wallet, lang: str) -> str:
        if not wallet.loaded:
            return self.tr("points.reading", lang)
        return self.tr("points.balance", lang, points=wallet.balance)

    def reserved(self, wallet: Wallet, lang: str) -> str:
        return self.tr("points.reserved", lang, points=wallet.uncounted) if wallet.uncounted else ""

    def history(self, wallet: Wallet, lang: str) -> str:
        if not wallet.loaded:
            return ""
        if not wallet.history:
            return self.tr("points.history_none", lang)
        translator = self.controller.translator
        return "\n".join(history_line(entry, translator, Lang(lang))
                         for entry in wallet.history[:HISTORY_LINES])


class RewardsScreen(KioskScreen):
    """PER_PAGE reward cards, and More / My points / Home."""

    # kv reads these through a method: it re-binds on `controller.<value>` only, not on
    # the attributes of a plain value.
    @staticmethod
    def any_items(catalogue: Any) -> bool:
        return bool(getattr(catalogue, "activities", None) or getattr(catalogue, "rewards", None))

    @staticmethod
    def page_count(catalogue: Any) -> int:
        return catalogue.pages

    def card(self, slot: int, wallet: Wallet, lang: str) -> tuple[str, str, str, str]:
        """(reward id, name, cost, the second language's line) of card `slot`."""
        reward = wallet.on_page(slot)
        if reward is None:
            return "", "", "", ""
        chosen, other = Lang(lang), other_language(Lang(lang))
        name = reward.name(chosen.value)
        second = reward.name(other.value)
        if second == name:
            second = self.controller.translator.text("points.cost", other, points=reward.points)
        return (str(reward.reward_id), name, self.tr("points.cost", lang, points=reward.points),
                second)

    def hint(self, wallet: Wallet, notice: str, lang: str) -> str:
        if notice:
            return notice
        if not wallet.loaded:
            return self.tr("points.reading", lang)
        if not wallet.rewards:
            return self.tr("points.rewards_none", lang)
        return self.tr("points.rewards_hint", lang, points=wallet.available)


class RewardConfirmScreen(KioskScreen):
    """"用 100 分换：一袋大米。对吗？" with 对 / 不对 / Home."""

    def question(self, wallet: Wallet, lang: str, other: bool = False) -> str:
        reward = wallet.chosen
        if reward is None:
            return ""
        chosen = other_language(Lang(lang)) if other else Lang(lang)
        return self.controller.translator.text("points.readback", chosen, points=reward.points,
                                               name=reward.name(chosen.value))


class RewardSentScreen(KioskScreen):
    """After "对": saving, saved (and what the community said), or why not."""

    def headline(self, wallet: Wallet, lang: str) -> str:
        return self.saving_headline("points", wallet, lang)

    def details(self, wallet: Wallet, lang: str) -> str:
        reward = wallet.chosen
        if reward is None:
            return ""
        return self.tr("points.separator", lang).join(
            (reward.name(lang), self.tr("points.cost", lang, points=reward.points)))

    def progress(self, wallet: Wallet, lang: str) -> str:
        return self.tr(wallet.outcome, lang) if wallet.stored and wallet.outcome else ""

    def warn(self, wallet: Wallet) -> bool:
        """Not at the community yet, or refused: the yellow panel."""
        return wallet.stored and wallet.outcome in ("points.not_sent", "points.refused",
                                                    "points.refused_other")
