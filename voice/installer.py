"""Installing a Vosk model: download (resumable) -> sha256 check -> unpack aside -> rename.

A kiosk must never see half a model: a cut download stays in the hidden `.downloads/`
directory (the next run resumes it), unpacking happens in a hidden `.installing-*`
directory next to the target, and only a validated model is renamed into place (a rename
within one filesystem is atomic). Any failure removes the temporary directory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from voice.errors import (
    ArchiveCorrupt,
    ChecksumMismatch,
    ChecksumRequired,
    DownloadFailed,
    ModelAlreadyInstalled,
    ModelInvalid,
    VoiceError,
)
from voice.models import catalogue_entry, model_problem, models_dir

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)

_DOWNLOADS = ".downloads"
_CHUNK = 256 * 1024


@dataclass(slots=True, frozen=True)
class InstallResult:
    name: str
    path: Path
    sha256: str | None  # of the zip that was installed (None for a directory)
    verified: bool  # the hash matched a known or given checksum


def install(
    source: str,
    *,
    directory: Path | None = None,
    sha256: str | None = None,
    accept_unverified: bool = False,
    force: bool = False,
    name: str | None = None,
    progress: Progress | None = None,
    timeout: float = 30.0,
) -> InstallResult:
    """Install from a catalogue name, an http(s) URL, a local .zip or a model directory."""
    directory = directory or models_dir()
    expected = sha256.lower() if sha256 else None
    path = Path(source).expanduser()
    if path.is_dir():
        return install_dir(path, directory, name=name, force=force)
    if path.is_file():
        digest = file_sha256(path)
        _check(str(path), expected, digest)
        return install_zip(path, directory, name=name, force=force, digest=digest,
                           verified=expected is not None)
    entry = catalogue_entry(source)
    if entry is not None:
        url, expected, name = entry.download_url, expected or entry.sha256, name or entry.name
    elif source.startswith(("http://", "https://")):
        url = source
    else:
        raise VoiceError(
            f"{source!r} is not a known model name, an http(s) URL, a zip file or a model "
            "directory. `linli voice models` lists the known names."
        )
    if expected is None and not accept_unverified:
        raise ChecksumRequired(name or url.rsplit("/", 1)[-1], url)
    directory.mkdir(parents=True, exist_ok=True)
    zip_name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "model.zip"
    archive = download(url, directory / _DOWNLOADS / zip_name, progress=progress, timeout=timeout)
    digest = file_sha256(archive)
    try:
        _check(url, expected, digest)
    except ChecksumMismatch:
        archive.unlink(missing_ok=True)  # damaged or substituted: never reuse it
        raise
    if expected is None:
        log.warning("installed without a verified checksum; sha256 of %s is %s", url, digest)
    result = install_zip(archive, directory, name=name, force=force, digest=digest,
                         verified=expected is not None)
    archive.unlink(missing_ok=True)
    return result


def _check(source: str, expected: str | None, actual: str) -> None:
    if expected is not None and expected != actual:
        raise ChecksumMismatch(source, expected, actual)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, target: Path, *, progress: Progress | None = None,
             timeout: float = 30.0) -> Path:
    """Stream `url` to `target`, resuming a `.part` left by an earlier cut download."""
    import requests

    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with requests.get(url, stream=True, headers=headers, timeout=timeout) as response:
            if have and response.status_code == 416:
                # Our .part is not a prefix the server can continue; start over next time.
                part.unlink(missing_ok=True)
                raise DownloadFailed(url, "the partial download did not match", resumable=False)
            if response.status_code >= 400:
                part.unlink(missing_ok=True)
                raise DownloadFailed(url, f"HTTP {response.status_code}", resumable=False)
            resumed = have > 0 and response.status_code == 206
            if have and not resumed:
                log.info("server ignored the range request; downloading %s from the start", url)
                have = 0
            length = response.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else None
            if resumed:
                log.info("resuming %s at byte %d", url, have)
            done = have
            with part.open("ab" if resumed else "wb") as handle:
                for block in response.iter_content(_CHUNK):
                    handle.write(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
    except requests.RequestException as exc:
        raise DownloadFailed(url, _reason(exc), resumable=part.exists()) from exc
    if total is not None and done != total:
        raise DownloadFailed(url, f"got {done} of {total} bytes", resumable=True)
    os.replace(part, target)
    return target


def _reason(exc: Exception) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def install_zip(archive: Path, directory: Path, *, name: str | None = None,
                force: bool = False, digest: str | None = None,
                verified: bool = False) -> InstallResult:
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=directory))
    try:
        unpacked = staging / "unpacked"
        _extract(archive, unpacked)
        root = _model_root(unpacked, archive)
        final_name = _safe_name(name or (root.name if root != unpacked else _stem(archive)))
        target = directory / final_name
        _move_into_place(root, target, force)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("installed model %s from %s", final_name, archive)
    return InstallResult(final_name, target, digest, verified)


def install_dir(source: Path, directory: Path, *, name: str | None = None,
                force: bool = False) -> InstallResult:
    root = _model_root(source, source)
    final_name = _safe_name(name or root.name)
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=directory))
    try:
        copy = staging / final_name
        shutil.copytree(root, copy)
        _move_into_place(copy, directory / final_name, force)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("installed model %s from directory %s", final_name, source)
    return InstallResult(final_name, directory / final_name, None, False)


def _extract(archive: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.infolist():
                parts = PurePosixPath(member.filename).parts
                if member.filename.startswith(("/", "\\")) or ".." in parts:
                    raise ArchiveCorrupt(archive, f"unsafe path {member.filename!r}")
            # extractall checks every member's CRC while writing: a damaged zip fails here.
            zf.extractall(into)
    except zipfile.BadZipFile as exc:
        raise ArchiveCorrupt(archive, str(exc)) from exc
    except (EOFError, zlib.error, NotImplementedError) as exc:
        raise ArchiveCorrupt(archive, _reason(exc)) from exc


def _model_root(base: Path, source: Path) -> Path:
    """`base` itself, or its single top-level directory (how the official zips are laid out)."""
    if model_problem(base) is None:
        return base
    children = [
        p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "__MACOSX"))
    ] if base.is_dir() else []
    for child in (*children, base / "model"):
        if model_problem(child) is None:
            return child
    detail = model_problem(children[0]) if len(children) == 1 else model_problem(base)
    raise ModelInvalid(source, detail or "no model directory inside")


def _move_into_place(source: Path, target: Path, force: bool) -> None:
    if target.exists():
        if not force:
            raise ModelAlreadyInstalled(target)
        retired = target.with_name(f".replaced-{target.name}-{os.getpid()}")
        os.rename(target, retired)
        try:
            os.rename(source, target)
        except OSError:
            os.rename(retired, target)
            raise
        shutil.rmtree(retired, ignore_errors=True)
        return
    os.rename(source, target)


def _stem(archive: Path) -> str:
    return archive.name[:-4] if archive.name.lower().endswith(".zip") else archive.stem


def _safe_name(name: str) -> str:
    if not name or name.startswith(".") or "/" in name or "\\" in name:
        raise VoiceError(f"{name!r} cannot be a model directory name")
    return name
