"""The help flow and the status words as plain objects, without a window."""

from __future__ import annotations

import uuid

from kiosk.alarm import Action, AlarmFlow, Countdown, Origin, Phase
from kiosk.i18n import Lang, Translator
from kiosk.status import Connection, KioskStatus


def test_countdown_shows_whole_seconds_and_never_zero_before_it_ends() -> None:
    countdown = Countdown(started_at=10.0, seconds=5.0)
    assert countdown.shown(10.0) == 5
    assert countdown.shown(10.01) == 5
    assert countdown.shown(14.2) == 1
    assert not countdown.expired(14.99)
    assert countdown.expired(15.0) and countdown.shown(15.0) == 0


def test_cancel_within_the_countdown_sends_nothing() -> None:
    flow = AlarmFlow(sos_seconds=5)
    flow.call_for_help(now=0)
    assert flow.phase is Phase.COUNTDOWN
    assert flow.tick(4.9) is Action.NOTHING
    assert flow.cancel() is True
    assert flow.phase is Phase.IDLE
    assert flow.tick(100) is Action.NOTHING


def test_countdown_running_out_sends_once_and_latches_until_acknowledged() -> None:
    flow = AlarmFlow(sos_seconds=5)
    flow.call_for_help(now=0)
    assert flow.tick(5.0) is Action.SEND_HELP
    assert flow.tick(6.0) is Action.NOTHING  # only once
    assert flow.phase is Phase.LATCHED and flow.state.origin is Origin.KIOSK
    assert flow.cancel() is False  # too late to cancel
    assert flow.dismiss() is False  # latched: nobody has acknowledged yet
    flow.call_for_help(now=7)  # the red button again only shows the same alarm
    assert flow.phase is Phase.LATCHED

    call = uuid.uuid4()
    flow.help_saved(call)
    flow.help_status(uuid.uuid4(), True, True, "someone else's call")
    assert flow.phase is Phase.LATCHED
    flow.help_status(call, delivered=True, acknowledged=False, acknowledged_by=None)
    assert flow.state.delivered and flow.phase is Phase.LATCHED
    flow.help_status(call, delivered=True, acknowledged=True, acknowledged_by="王护士")
    assert flow.phase is Phase.ACKNOWLEDGED and flow.state.acknowledged_by == "王护士"
    assert flow.dismiss() is True and flow.phase is Phase.IDLE


def test_fall_question_ok_and_call_for_help() -> None:
    flow = AlarmFlow(fall_seconds=30)
    flow.fall_detected("AA:01", now=0, seconds=None)
    assert flow.phase is Phase.FALL_CHECK and flow.state.countdown.shown(0) == 30
    assert flow.fall_ok() == "AA:01" and flow.phase is Phase.IDLE

    flow.fall_detected("AA:01", now=0)
    assert flow.fall_call_for_help() is Action.SEND_HELP
    assert flow.phase is Phase.LATCHED and flow.state.origin is Origin.FALL_KIOSK

    other = AlarmFlow(fall_seconds=30)
    other.fall_detected("AA:02", now=0)
    assert other.tick(30) is Action.NOTHING  # the wristband service raises that alarm
    assert other.phase is Phase.LATCHED and other.state.origin is Origin.WRISTBAND


def test_a_fall_during_a_latched_alarm_changes_nothing() -> None:
    flow = AlarmFlow()
    flow.wristband_alarm("AA:01")
    flow.fall_detected("AA:02", now=0)
    assert flow.phase is Phase.LATCHED and flow.state.band == "AA:01"


def words(status: KioskStatus, lang: Lang = Lang.EN) -> str:
    translator = Translator()
    text = " · ".join(translator.text(k, lang, **v) for k, v in status.phrases())
    assert not translator.missing
    return text


def test_status_line_in_plain_words() -> None:
    assert words(KioskStatus(Connection.OK, pending=0, bands_paired=1, bands_connected=1)) == (
        "Connected to the community · Everything sent · Wristband connected")
    assert words(KioskStatus(Connection.UNREACHABLE, pending=3, bands_paired=2,
                             bands_connected=1)) == (
        "Cannot reach the community, still trying · 3 not sent to the community yet · "
        "1 wristbands connected, 1 not")
    assert words(KioskStatus(Connection.NOT_SET), Lang.ZH) == "还没有设置社区服务器 · 没有配对手环"
