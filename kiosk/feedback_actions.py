"""Rating a finished service, mixed into the Controller: open, stars, quick words, send.

A request is rated once: the kiosk remembers it by the Feedback record it stored (the
store's `rated_request_ids`), so My requests stops offering it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from kivy.properties import ObjectProperty
from pydantic import BaseModel

from kiosk.i18n import Lang
from kiosk.screens.feedback import STARS, Rating, rateable, what_it_was
from sync.records import Feedback, RecordKind

log = logging.getLogger(__name__)


class FeedbackActions:
    """Needs the Controller's store, translator, requests, notice, screen, lang, _bg, _show,
    say, text, resident_id and (from RecordSaving) _save_record."""

    rating = ObjectProperty(Rating())  # the rating being given
    rated = ObjectProperty(frozenset())  # request ids rated on this kiosk already

    def refresh_rated(self) -> None:
        """Read which requests were rated here (My requests calls this as it opens)."""
        resident = self.resident_id()
        self.rated = frozenset(self.store.rated_request_ids(resident)) if resident else frozenset()

    def open_feedback(self, request_id: uuid.UUID | str) -> bool:
        """The stars for a finished request; False (and nothing shown) for any other."""
        request_id = uuid.UUID(str(request_id))
        view = next((v for v in self.requests if v.id == request_id), None)
        if view is None:
            log.info("no request %s to rate here", request_id)
            return False
        self.refresh_rated()
        if request_id in self.rated:
            self.rating = Rating(view, failure="already")
            self._show("feedback_thanks")
            return True
        if not rateable(view, self.rated):
            log.info("request %s is not finished; not rated", request_id)
            return False
        self.rating = Rating(view)
        self._show("feedback")
        return True

    def rate_by_voice(self, stars: int | None = None) -> None:
        """"给服务打五颗星": the stars on the feedback screen when it is open; else the newest
        finished request not rated yet opens with them. Nothing to rate: My requests."""
        if self.screen != "feedback":
            self.refresh_rated()
            latest = next((view for view in self.requests if rateable(view, self.rated)), None)
            if latest is None or not self.open_feedback(latest.id):
                self.open_requests()
                return
        if stars is not None:
            self.rate_service(stars)

    def rate_service(self, stars: int, *, send: bool = False) -> bool:
        """Stars 1-5 for the request on the feedback screen (tapped, or said); `send` stores
        it at once. False when no rating is open."""
        rating = self.rating
        if self.screen != "feedback" or rating.request is None or rating.saving or rating.stored:
            return False
        stars = max(1, min(STARS, int(stars)))
        self.rating = replace(rating, stars=stars, failure=None)
        self.notice = ""
        if send:
            self.feedback_send()
        else:
            self.say("feedback_say.stars", count=stars)
        return True

    def feedback_toggle(self, comment: str) -> None:
        rating = self.rating
        if rating.saving or rating.stored:
            return
        self.rating = rating.toggled(comment)
        words = self.text(f"feedback.comment.{comment}")
        chosen = comment in self.rating.comments
        self.say("feedback_say.comment_on" if chosen else "feedback_say.comment_off", comment=words)

    def feedback_send(self) -> None:
        """"提交": one Feedback record (stars and the quick words in Chinese)."""
        rating = self.rating
        if rating.request is None or rating.saving or rating.stored:
            return
        if not rating.stars:
            self.say("feedback_say.no_stars")
            return
        self.rating = replace(rating, saving=True, failure=None)
        self._show("feedback_thanks", spoken=None)
        words = [self.translator.text(f"feedback.comment.{key}", Lang.ZH) for key in rating.comments]

        def payload(resident: uuid.UUID) -> BaseModel:
            return Feedback(resident_id=resident, request_id=rating.request_id,
                            stars=rating.stars, quick_comments=words)

        self._bg.submit(self._save_record(RecordKind.FEEDBACK, payload, self._on_feedback_saved))

    def _on_feedback_saved(self, record_id: uuid.UUID | None, failure: str | None,
                           _dt: float = 0) -> None:
        rating = self.rating
        if record_id is None:
            # Back to the stars, kept as chosen: "提交" again is all it takes.
            self.rating = replace(rating, saving=False, failure="not_saved")
            if self.screen == "feedback_thanks":
                self._show("feedback", spoken="feedback.not_saved")
            return
        self.rating = replace(rating, saving=False, stored=True, failure=None)
        self.rated = self.rated | {rating.request_id}
        if self.screen == "feedback_thanks":
            self._say_feedback_screen()

    def _say_feedback_screen(self) -> bool:
        if self.screen == "feedback":
            request = self.rating.request
            what = what_it_was(request, self.translator, Lang(self.lang)) if request else ""
            self.say("feedback_say.start", what=what)
        elif self.screen == "feedback_thanks":
            rating = self.rating
            if rating.failure:
                self.say(f"feedback.{rating.failure}")
            elif rating.stored:
                self.say("feedback_say.thanks")
        else:
            return False
        return True
