"""Rating a finished service: one to five big stars by tap, a few quick words if wanted,
then thanks. The rating (`Rating`) is a plain value the controller owns, so a rating said
by voice (`controller.rate_service`) and a tapped one go through the same steps.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kiosk.i18n import Lang, Translator
from kiosk.screens.base import KioskScreen

STARS = 5
# Quick words, as buttons; stored in Chinese (the words staff read), whatever the language.
QUICK_COMMENTS = ("on_time", "kind", "well_done", "too_slow")
# A request can be rated once it reached one of these.
FINISHED = frozenset({"done", "delivered"})


@dataclass(frozen=True, slots=True)
class Rating:
    """The finished request being rated and what the resident chose so far."""

    request: Any = None  # the sync.store_views.RequestView being rated
    stars: int = 0
    comments: tuple[str, ...] = ()  # QUICK_COMMENTS keys, in button order
    saving: bool = False
    stored: bool = False
    failure: str | None = None  # "not_saved" | "already"

    @property
    def request_id(self) -> uuid.UUID | None:
        return None if self.request is None else self.request.id

    def toggled(self, comment: str) -> Rating:
        if comment not in QUICK_COMMENTS:
            raise KeyError(f"no quick comment {comment!r}")
        chosen = set(self.comments) ^ {comment}
        return Rating(self.request, self.stars, tuple(c for c in QUICK_COMMENTS if c in chosen))


def rateable(view: Any, rated: Any) -> bool:
    """A finished request of the resident's that this kiosk has not rated yet."""
    status = getattr(view.status, "value", view.status)
    return status in FINISHED and view.id not in rated


def what_it_was(view: Any, translator: Translator, lang: Lang) -> str:
    """"买菜代购" / "报名活动（太极拳）": the service being rated, in a few words."""
    from kiosk.screens.requests import what_words

    title, details = what_words(view, translator, lang)
    if not details:
        return title
    return translator.text("feedback.what", lang, title=title, details=details)


class FeedbackScreen(KioskScreen):
    """The question, five stars, the quick words, and Send / Home."""

    def question(self, rating: Rating, lang: str) -> str:
        if rating.request is None:
            return ""
        what = what_it_was(rating.request, self.controller.translator, Lang(lang))
        return self.tr("feedback.question", lang, what=what)

    # kv asks through methods: it re-binds on `rating` itself, not on a plain value's fields.
    @staticmethod
    def star_on(number: int, rating: Rating | None) -> bool:
        return rating is not None and number <= rating.stars

    @staticmethod
    def comment_on(key: str, rating: Rating | None) -> bool:
        return rating is not None and key in rating.comments

    def star_text(self, number: int, rating: Rating) -> str:
        return f"{'★' if number <= rating.stars else '☆'} {number}"

    def count(self, rating: Rating, lang: str) -> str:
        if rating.failure:
            return self.tr(f"feedback.{rating.failure}", lang)
        if not rating.stars:
            return self.tr("feedback.choose_stars", lang)
        return self.tr("feedback.stars", lang, count=rating.stars)

    def comment(self, key: str, lang: str) -> str:
        return self.tr(f"feedback.comment.{key}", lang)


class FeedbackThanksScreen(KioskScreen):
    """Thanks (or why the rating was not kept), and My requests / Home."""

    def headline(self, rating: Rating, lang: str) -> str:
        if rating.failure:
            return self.tr(f"feedback.{rating.failure}", lang)
        return self.tr("feedback.thanks" if rating.stored else "feedback.saving", lang)

    def summary(self, rating: Rating, lang: str) -> str:
        words = [self.tr("feedback.stars", lang, count=rating.stars)] if rating.stars else []
        words += [self.tr(f"feedback.comment.{key}", lang) for key in rating.comments]
        return self.tr("feedback.separator", lang).join(words)
