"""The kiosk's controller: the one place screens call, and the bridge to the background.

It owns the local store, the sync loop and (when configured) the wristband service, which
runs on the background asyncio loop. Screens read its Kivy properties and call its plain
methods on the UI thread; everything that happens elsewhere (a sync cycle, a wristband
alert, a store read) comes back through `Clock.schedule_once` / a Clock trigger before it
touches a property, so widgets only ever change on Kivy's own thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.alarm import Action, AlarmFlow, AlarmState, Origin, Phase
from kiosk.background import BackgroundLoop
from kiosk.catalogue_actions import ACTIVITY_SCREENS, POINTS_SCREENS, CatalogueActions
from kiosk.feedback_actions import FeedbackActions
from kiosk.i18n import Lang, Translator
from kiosk.grocery_actions import GroceryActions
from kiosk.health_actions import HealthActions, HealthReading
from kiosk.idle_watch import DEFAULT_IDLE_S, IdleWatch
from kiosk.points_reading import PointsReading
from kiosk.record_saving import RecordSaving
from kiosk.resident_choice import ResidentChoice
from kiosk.screens.groceries import GroceryOrder, readback
from kiosk.screens.requests import status_words
from kiosk.screens.services import ServiceFlow
from kiosk.service_actions import SERVICE_SCREENS, ServiceActions
from kiosk.speech import NullSpeech, Speech
from kiosk.status import Connection, KioskStatus
from kiosk.theme import apply_font_scale, next_font_scale
from kiosk.voice_control import AudioFactory, RecognizerFactory, VoiceControl
from sync.records import HelpCall, HelpCallState, HelpSource, RecordKind

if TYPE_CHECKING:
    from devices.events import AlertChange
    from devices.service import WristbandService
    from sync import LocalStore, SyncLoop, SyncStatus
    from sync.store_views import RequestView

log = logging.getLogger(__name__)

# Builds the wristband service on the background loop (real BLE, or the simulator for
# demos); gets the store and the "send alarms now" callback.
WristbandFactory = Callable[
    ["LocalStore", Callable[[], None]], AbstractAsyncContextManager["WristbandService"]
]

SCREEN_OF_PHASE = {
    Phase.IDLE: "home",
    Phase.COUNTDOWN: "help_countdown",
    Phase.FALL_CHECK: "fall",
    Phase.LATCHED: "help_alarm",
    Phase.ACKNOWLEDGED: "help_alarm",
}

# Screens of the idle kiosk (not alarms): an idle alarm change does not leave them.
IDLE_SCREENS = frozenset({"home", "groceries", "grocery_confirm", "grocery_sent", "requests",
                          "health", *SERVICE_SCREENS, "listening", "who", "still_there",
                          *ACTIVITY_SCREENS, *POINTS_SCREENS, "feedback", "feedback_thanks"})

# A latched alarm repeats its spoken message this often (SENIOR_UX: audible reminder).
REMINDER_INTERVAL_S = 60.0


@dataclass(frozen=True, slots=True)
class _Observation:
    """What one background poll read from the store and the wristband manager."""

    pending: int
    community_phone: str | None
    bands_paired: int
    bands_connected: int
    help_call_id: uuid.UUID | None
    delivered: bool
    acknowledged: bool
    acknowledged_by: str | None
    requests: tuple[RequestView, ...] = ()  # the resident's requests, newest first
    points: PointsReading | None = None  # while a points screen is shown


class Controller(ResidentChoice, VoiceControl, IdleWatch, ServiceActions, HealthActions,
                 GroceryActions, CatalogueActions, FeedbackActions, RecordSaving,
                 EventDispatcher):
    """View state for the screens (Kivy properties) and the actions they call."""

    lang = StringProperty(Lang.ZH.value)
    font_scale = NumericProperty(1.0)
    screen = StringProperty("home")
    status = ObjectProperty(KioskStatus())
    status_text = StringProperty("")
    alarm = ObjectProperty(AlarmState())
    countdown_shown = NumericProperty(0)
    notice = StringProperty("")  # a short message on the home screen ("coming soon")
    offline = BooleanProperty(False)  # a latched alarm that has reached nobody yet
    grocery = ObjectProperty(GroceryOrder())  # the grocery order being chosen / sent
    requests = ObjectProperty(())  # the resident's requests (RequestView), newest first
    service = ObjectProperty(ServiceFlow())  # the service request being chosen / sent
    health = ObjectProperty(HealthReading())  # My health, read on the background loop

    def __init__(
        self,
        store: LocalStore,
        *,
        sync_loop: SyncLoop | None = None,
        wristbands: WristbandFactory | None = None,
        speech: Speech | None = None,
        translator: Translator | None = None,
        lang: Lang | str = Lang.ZH,
        now: Callable[[], float] = time.monotonic,
        poll_interval: float = 1.0,
        sos_seconds: float = 5.0,
        fall_seconds: float = 30.0,
        close_store: bool = True,
        voice_audio: AudioFactory | None = None,
        voice_recognizer: RecognizerFactory | None = None,
        idle_seconds: float = DEFAULT_IDLE_S,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.sync_loop = sync_loop
        self.speech: Speech = speech or NullSpeech()
        self.translator = translator or Translator()
        self.lang = Lang(lang).value
        self._now = now
        self._poll_interval = poll_interval
        self._close_store = close_store
        self._wristband_factory = wristbands
        self.wristband_service: WristbandService | None = None
        self._wristband_cm: AbstractAsyncContextManager[WristbandService] | None = None
        self.flow = AlarmFlow(sos_seconds=sos_seconds, fall_seconds=fall_seconds)
        self._bg = BackgroundLoop()
        self._sync_status: SyncStatus | None = None
        self._cancel_sync_listener: Callable[[], None] | None = None
        self._cancel_alert_listener: Callable[[], None] | None = None
        self._watched_call: uuid.UUID | None = None  # read by the background poll
        self._wristbands_failed = False
        self._tick_event: Any = None
        self._last_reminder = 0.0
        # Sync bursts (several states within a frame) become one status refresh.
        self._status_trigger = Clock.create_trigger(self._refresh_status, 0)
        self._observation: _Observation | None = None
        self._poll_task: Any = None
        self.idle_seconds = idle_seconds
        self.setup_voice(voice_audio, voice_recognizer)
        self.status = KioskStatus(
            connection=Connection.CONNECTING if sync_loop is not None else Connection.NOT_SET
        )
        self._refresh_status()

    @property
    def background(self) -> BackgroundLoop:
        """The background asyncio loop (wristbands run there; demos and tests use it too)."""
        return self._bg

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._bg.start()
        if self.sync_loop is not None:
            self._cancel_sync_listener = self.sync_loop.on_state(self._on_sync_state)
            if not self.sync_loop.running:
                self.sync_loop.start()
        if self._wristband_factory is not None:
            self._bg.submit(self._start_wristbands())
        self._poll_task = self._bg.submit(self._poll_forever())
        self._tick_event = Clock.schedule_interval(self._tick, 0.1)

    def stop(self) -> None:
        if self._tick_event is not None:
            self._tick_event.cancel()
        self.voice_stop()
        if self._cancel_sync_listener is not None:
            self._cancel_sync_listener()
        if self._bg.running:
            if self._poll_task is not None:
                self._poll_task.cancel()
            if self._wristband_cm is not None:
                with contextlib.suppress(Exception):
                    self._bg.submit(self._stop_wristbands()).result(timeout=15)
            self._bg.stop()
        if self.sync_loop is not None:
            self.sync_loop.stop()
        if self._close_store:
            self.store.close()

    async def _start_wristbands(self) -> None:
        assert self._wristband_factory is not None
        wake = self.sync_loop.wake if self.sync_loop is not None else (lambda: None)
        try:
            self._wristband_cm = self._wristband_factory(self.store, wake)
            service = await self._wristband_cm.__aenter__()
        except Exception:
            # No Bluetooth adapter, say: the kiosk still works; the status line says so.
            log.exception("wristbands unavailable")
            self._wristband_cm = None
            self._wristbands_failed = True
            return
        self.wristband_service = service
        self._cancel_alert_listener = service.on_alert(self._on_alert_background)
        log.info("wristband service running")

    async def _stop_wristbands(self) -> None:
        if self._cancel_alert_listener is not None:
            self._cancel_alert_listener()
        cm, self._wristband_cm = self._wristband_cm, None
        if cm is not None:
            await cm.__aexit__(None, None, None)

    # --- actions the screens call (UI thread) ----------------------------------------------

    def call_for_help(self) -> None:
        """The red button: open the countdown (or show the latched alarm again)."""
        self._apply(self.flow.call_for_help(self._now()))

    def cancel_help(self) -> bool:
        """Cancel inside the countdown: nothing is stored or sent."""
        cancelled = self.flow.cancel()
        if cancelled:
            log.info("help call cancelled within the countdown")
            self._apply(Action.NOTHING, spoken="say.help_cancelled")
        return cancelled

    def fall_ok(self) -> None:
        band = self.flow.fall_ok()
        if band is None:
            return
        service = self.wristband_service
        if service is not None:
            self._bg.call_soon(service.cancel_fall, band, "kiosk")
        self._apply(Action.NOTHING, spoken="say.fall_ok")

    def fall_call_for_help(self) -> None:
        self._apply(self.flow.fall_call_for_help())

    def dismiss_alarm(self) -> None:
        if self.flow.dismiss():
            self._apply(Action.NOTHING)

    def set_language(self, lang: Lang | str) -> None:
        self.lang = Lang(lang).value
        self._refresh_status()
        self.say_screen()

    def cycle_font_scale(self) -> None:
        self.set_font_scale(next_font_scale(self.font_scale))

    def set_font_scale(self, scale: float) -> None:
        apply_font_scale(scale)
        self.font_scale = scale

    def touched(self) -> None:
        """Any touch interrupts speech (49 CFR 27.71: speech must be interruptible)."""
        self.speech.stop()
        self.idle_touched()

    def repeat_speech(self) -> None:
        self.speech.repeat()

    def not_ready(self, tile: str) -> None:
        """A home tile whose screen comes in a later version: say so plainly."""
        log.info("tile %s tapped; its screen is not built yet", tile)
        self.notice = self.text("home.coming_soon")
        self.say("say.coming_soon")

    def _show(self, screen: str, spoken: str | None = "") -> None:
        """An idle screen of the kiosk's own (never over an alarm); spoken as it opens."""
        if self.flow.phase is not Phase.IDLE:
            return
        self.notice = ""
        self.screen = screen
        if spoken:
            self.say(spoken)
        elif spoken == "":
            self.say_screen()

    # --- words -------------------------------------------------------------------------------

    def text(self, key: str, **values: Any) -> str:
        return self.translator.text(key, Lang(self.lang), **values)

    def say(self, key: str, **values: Any) -> None:
        self.speech.speak(self.text(key, **values), self.lang)

    def say_screen(self) -> None:
        """Speak what the current screen is for (on entering it, and on a language change)."""
        state = self.flow.state
        if state.phase is Phase.IDLE:
            self._say_idle_screen()
        elif state.phase is Phase.COUNTDOWN:
            self.say("say.help_countdown")
        elif state.phase is Phase.FALL_CHECK:
            self.say("say.fall_question")
        else:
            self.say_alarm()

    def _say_idle_screen(self) -> None:
        # A mixin speaks its own screens: `_speak_<screen>` (services, health, ...).
        speak_own = getattr(self, f"_speak_{self.screen}", None)
        if speak_own is not None:
            speak_own()
            return
        lang = Lang(self.lang)
        if self._say_catalogue_screen():  # activities, points, feedback
            return
        if self.screen == "groceries":
            self.say("grocery_say.start")
        elif self.screen == "grocery_confirm":
            self.speech.speak(readback(self.translator, lang, self.grocery), self.lang)
        elif self.screen == "grocery_sent":
            order = self.grocery
            if order.failure:
                self.say(f"grocery.{order.failure}")
            elif order.stored:
                self.say("grocery_say.saved", delivery=self.order_progress(order.record_id))
        elif self.screen == "listening":
            self.voice_say_screen()
        elif self.screen == "who":
            self.say("who.say")
        elif self.screen == "still_there":
            self.say("idle.say", seconds=self.idle_left)
        elif self.screen == "requests":
            from kiosk.screens.requests import what_words

            words = [" ".join(filter(None, (*what_words(view, self.translator, lang),
                                            status_words(view, self.translator, lang))))
                     for view in self.requests[:3]]
            summary = "。".join(words) if words else self.text("requests.none")
            self.say("requests.say", summary=summary)
        else:
            self.say("say.home")

    def say_alarm(self) -> None:
        state = self.flow.state
        if state.acknowledged:
            if state.acknowledged_by:
                self.say("say.help_acknowledged", name=state.acknowledged_by)
            else:
                self.say("say.help_acknowledged_anonymous")
        elif self.alarm_offline:
            phone = self.status.community_phone
            if phone:
                self.say("say.help_offline", phone=phone)
            else:
                self.say("say.help_offline_no_phone")
        else:
            self.say("say.help_sent")
        self._last_reminder = self._now()

    @property
    def alarm_offline(self) -> bool:
        """The latched alarm has not reached anyone, and the kiosk cannot say when it will."""
        state = self.flow.state
        if state.delivered or state.acknowledged:
            return False
        return state.save_failed or self.status.connection in (
            Connection.UNREACHABLE, Connection.NOT_SET, Connection.NOT_AUTHORISED,
            Connection.ERROR)

    # --- the alarm ---------------------------------------------------------------------------

    def _apply(self, action: Action, spoken: str | None = None) -> None:
        before = self.alarm
        state = self.flow.state
        if action is Action.SEND_HELP:
            self._send_help(state)
        self._watched_call = state.help_call_id if state.phase is Phase.LATCHED else None
        self.alarm = state
        self.offline = self.alarm_offline
        self.countdown_shown = state.countdown.shown(self._now()) if state.countdown else 0
        screen = SCREEN_OF_PHASE[state.phase]
        if state.phase is Phase.IDLE and before.phase is Phase.IDLE and \
                self.screen in IDLE_SCREENS:
            screen = self.screen  # nothing alarming happened: stay where the resident is
        changed = (before.phase, before.acknowledged) != (state.phase, state.acknowledged)
        if screen != self.screen:
            self.notice = ""
            self.screen = screen
        if spoken is not None:
            self.say(spoken)
        elif changed:
            self.say_screen()

    def _tick(self, _dt: float) -> None:
        now = self._now()
        action = self.flow.tick(now)
        state = self.flow.state
        if action is not Action.NOTHING or state != self.alarm:
            self._apply(action)
        elif state.countdown is not None:
            shown = state.countdown.shown(now)
            if shown != self.countdown_shown:
                self.countdown_shown = shown
        if state.phase is Phase.LATCHED and now - self._last_reminder >= REMINDER_INTERVAL_S:
            self.say_alarm()
        self.voice_tick(now)
        self.idle_tick(now)

    def _send_help(self, state: AlarmState) -> None:
        service = self.wristband_service
        if state.origin is Origin.FALL_KIOSK and state.band is not None and service is not None:
            # The band's fall countdown becomes the alarm now: one help call for one fall,
            # recorded by the wristband service (its notice brings the record id back).
            self._bg.call_soon(service.confirm_fall, state.band, "kiosk")
            return
        source = HelpSource.KIOSK_BUTTON if state.origin is Origin.KIOSK else HelpSource.FALL
        wristband_id = resident_id = None
        if state.band is not None:
            for band in self.store.wristbands():
                if band.ble_address.upper() == state.band.upper():
                    wristband_id, resident_id = band.wristband_id, band.resident_id
        if resident_id is None:
            residents = self.store.residents()
            # One resident at this kiosk: it is them. Several: an alarm never waits for the
            # who-is-using question, so the call goes without a name.
            if len(residents) == 1:
                resident_id = residents[0].resident_id
        payload = HelpCall(source=source, resident_id=resident_id, wristband_id=wristband_id)
        log.info("calling for help (%s)", source.value)
        self._bg.submit(self._save_help(payload))

    async def _save_help(self, payload: HelpCall) -> None:
        delay = 1.0
        while True:
            try:
                call_id = self.store.create_record(RecordKind.HELP_CALL, payload)
            except Exception:
                # A full disk, say: the alarm must not be lost. Keep trying; the screen
                # tells the resident to phone meanwhile.
                log.exception("help call not stored; retrying in %.0f s", delay)
                Clock.schedule_once(lambda _dt: self._on_help_save_failed())
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            break
        if self.sync_loop is not None:
            self.sync_loop.wake()
        Clock.schedule_once(lambda _dt: self._on_help_saved(call_id))

    def _on_help_saved(self, call_id: uuid.UUID) -> None:
        log.info("help call %s stored", call_id)
        self.flow.help_saved(call_id)
        self._apply(Action.NOTHING)

    def _on_help_save_failed(self) -> None:
        self.flow.help_save_failed()
        self._apply(Action.NOTHING)

    # --- background -> UI ----------------------------------------------------------------

    def _on_sync_state(self, status: SyncStatus) -> None:
        # The sync thread: keep the value, let the UI thread pick it up.
        self._sync_status = status
        self._status_trigger()

    def _on_alert_background(self, change: AlertChange) -> None:
        Clock.schedule_once(partial(self.on_wristband_alert, change))

    def on_wristband_alert(self, change: AlertChange, _dt: float = 0) -> None:
        """A wristband alert change, on the UI thread (the service calls back on its loop)."""
        from devices.events import AlertKind

        now = self._now()
        if change.kind is AlertKind.FALL_COUNTDOWN_STARTED:
            seconds = None
            if change.deadline is not None:
                seconds = max(1.0, change.deadline - change.at)
            self._apply(self.flow.fall_detected(change.band, now, seconds))
        elif change.kind is AlertKind.FALL_CANCELLED:
            self.flow.fall_cancelled_by_band(change.band)
            self._apply(Action.NOTHING)
        elif change.is_alarm:
            self.flow.wristband_alarm(change.band)
            if change.record_id is not None and self.flow.state.help_call_id is None:
                # Follow this help call's acknowledgement on the latched alarm screen.
                self.flow.help_saved(change.record_id)
            self._apply(Action.NOTHING)

    async def _poll_forever(self) -> None:
        while True:
            try:
                observation = self._observe()
            except Exception:
                log.exception("kiosk status poll failed")
            else:
                Clock.schedule_once(partial(self._on_observation, observation))
            await asyncio.sleep(self._poll_interval)

    def _observe(self) -> _Observation:
        """Runs on the background loop: the store reads and band states the UI shows."""
        pending = self.store.outbox_status().pending
        info = self.store.kiosk_info()
        paired = {band.ble_address.upper() for band in self.store.wristbands()
                  if band.resident_id is not None}
        connected = 0
        service = self.wristband_service
        if service is not None:
            from devices.band_events import BandState

            connected = sum(1 for address, snap in service.manager.snapshot().items()
                            if address.upper() in paired and snap.state is BandState.CONNECTED)
        call_id = self._watched_call
        delivered = acknowledged = False
        by = None
        if call_id is not None:
            view = self.store.help_call_status(call_id)
            if view is not None:
                delivered = view.delivery.value == "sent"
                acknowledged = view.acknowledged_by is not None or view.state in (
                    HelpCallState.ACKNOWLEDGED, HelpCallState.RESOLVED)
                by = view.acknowledged_by
        resident = self.resident_id()
        requests = tuple(self.store.requests_of(resident)) if resident is not None else ()
        return _Observation(pending, info.community_phone if info else None, len(paired),
                            connected, call_id, delivered, acknowledged, by, requests,
                            self._observe_points())

    def _on_observation(self, observation: _Observation, _dt: float = 0) -> None:
        self._observation = observation
        self._refresh_status()
        if observation.requests != self.requests:
            self._requests_changed(observation.requests)
        if observation.points is not None:
            self._on_points_read(observation.points)
        if observation.help_call_id is not None:
            self.flow.help_status(observation.help_call_id, observation.delivered,
                                  observation.acknowledged, observation.acknowledged_by)
            if self.flow.state != self.alarm:
                if self.flow.state.acknowledged and observation.acknowledged_by:
                    log.info("help call %s acknowledged by %s", observation.help_call_id,
                             observation.acknowledged_by)
                self._apply(Action.NOTHING)

    def _requests_changed(self, requests: tuple[RequestView, ...]) -> None:
        sent = self.grocery.record_id
        before = self.order_progress(sent) if sent is not None else ""
        service_before = self.shown_service_progress()
        self.requests = requests
        self.say_service_progress_change(service_before)
        # The order just sent reached the community, or a volunteer took it: say so.
        if sent is not None and self.screen == "grocery_sent" and \
                self.order_progress(sent) != before:
            self.speech.speak(self.order_progress(sent), self.lang)

    def _refresh_status(self, _dt: float = 0) -> None:
        status = self._sync_status
        if self.sync_loop is None:
            connection = Connection.NOT_SET
        elif status is None:
            connection = Connection.CONNECTING
        else:
            connection = {
                "synced": Connection.OK,
                "pending": Connection.OK,
                "server_unreachable": Connection.UNREACHABLE,
                "not_authorised": Connection.NOT_AUTHORISED,
                "error": Connection.ERROR,
            }[status.state.value]
        seen = self._observation
        was_offline = self.alarm_offline
        self.status = KioskStatus(
            connection=connection,
            pending=seen.pending if seen else (status.pending if status else 0),
            bands_paired=seen.bands_paired if seen else 0,
            bands_connected=seen.bands_connected if seen else 0,
            community_phone=seen.community_phone if seen else None,
        )
        lang = Lang(self.lang)
        words = [self.translator.text(key, lang, **values) for key, values in self.status.phrases()]
        self.status_text = " · ".join(words)
        self.offline = self.alarm_offline
        if self.flow.phase is Phase.LATCHED and self.alarm_offline != was_offline:
            # The resident must hear that the community cannot be reached (and the number).
            self.say_alarm()
