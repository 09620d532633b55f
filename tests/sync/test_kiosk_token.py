"""kiosk_id_from_token: the kiosk learns its own id offline from its token."""

from __future__ import annotations

import uuid

import pytest

from sync import InvalidTokenError, SyncError, kiosk_id_from_token


def test_reads_the_kiosk_id() -> None:
    kiosk = uuid.uuid4()
    assert kiosk_id_from_token(f"lk1.{kiosk.hex}.abc_DEF-123") == kiosk
    assert kiosk_id_from_token(f"lk1.{kiosk.hex.upper()}.x.y.z") == kiosk  # dots in the secret


@pytest.mark.parametrize(
    "token",
    [
        "",
        "lk1",
        "lk2.{hex}.Zq9xWv",
        "lk1.{hex}",
        "lk1.{hex}.",
        "lk1.{short}.Zq9xWv",
        "lk1.{hex}zz.Zq9xWv",
        "lk1.{dashed}.Zq9xWv",
        "lk1.{hex}.Zq9 xWv",
        " lk1.{hex}.Zq9xWv",
        "lk1.{hex}.Zq9xWv\n",
        "lk1.{hex}.密码",
    ],
)
def test_malformed_tokens_are_refused_without_echoing_them(token: str) -> None:
    kiosk = uuid.uuid4()
    token = token.format(hex=kiosk.hex, short=kiosk.hex[:30], dashed=str(kiosk)[:32])
    with pytest.raises(InvalidTokenError) as caught:
        kiosk_id_from_token(token)
    assert isinstance(caught.value, SyncError)
    assert "linli admin register-kiosk" in str(caught.value)
    assert "Zq9" not in str(caught.value)


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidTokenError):
        kiosk_id_from_token(None)  # type: ignore[arg-type]


def test_the_package_exports_what_it_lists() -> None:
    import sync

    assert set(sync.__all__) == set(sync._EXPORTS)
    for name in sync.__all__:
        assert getattr(sync, name) is not None
