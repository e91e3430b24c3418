"""What an archive holds: one walk over a folder, the members of its zips and an fsspec URL (``s3://bucket/x``).

Every path becomes a ``Source`` to mine or an ``errors`` row saying why it cannot be (an unreadable folder, a
special file, a symlink leading out, an unsafe or nested zip member). A source's content hash and a local copy
of a remote file or a zip member (refused past its reader's size limit: a zip bomb is never written out whole)
are here too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import DatasetError
from ..limits import DEFAULT as DEFAULT_LIMITS, Limits
from ..readers import READERS
from .store import MANIFEST, first_line as _first_line, is_url, url_fs
from .tables import error_row as _error_row

SUPPORTED = tuple(sorted(READERS)) + (".zip",)


@dataclass(frozen=True)
class Source:
    """A file to mine: on disk, or a member of a .zip (``key`` is then "archive.zip!member")."""

    key: str
    path: str
    member: str | None
    size: int
    mtime: float
    member_index: int | None = None  # the member's place in the zip: names can repeat


# --- walking -------------------------------------------------------------------------------------------------
def _skipped(name: str) -> bool:
    """Hidden files and ``gold/`` folders (annotations, not documents: ``corpus/gold``) are not walked."""
    return name.startswith(".") or name == "gold"


def walk(archive: str | Path, exclude: str | Path | None = None) -> Iterator[Path]:
    """Files minerals can read (zips included), in a stable order (see ``walk_rows``, which also says why
    each path it cannot mine is passed over)."""
    for item in walk_rows(archive, exclude):
        if isinstance(item, Path):
            yield item


def walk_rows(archive: str | Path, exclude: str | Path | None = None) -> Iterator[Path | dict]:
    """Every path under ``archive`` in name order: a readable file as a ``Path``, a path that cannot be mined
    as an ``errors`` row: an unreadable folder, a special file (FIFO, device), a dangling or looping symlink, a
    symlink leaving the archive or to a folder (not followed). The folder ``exclude`` (the dataset being
    written) and any other minerals dataset inside the archive are not walked."""
    root = Path(archive)
    real_root = os.path.realpath(root)
    skip = {os.path.realpath(exclude)} if exclude is not None else set()

    def row(path: str, kind: str, why: str) -> dict:
        return _error_row(path, 0, 0.0, "read", kind, f"{path}: {why}")

    def visit(folder: str) -> Iterator[Path | dict]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            yield row(folder, type(err).__name__, f"folder cannot be read ({err.strerror or err})")
            return
        for e in entries:
            if _skipped(e.name):
                continue
            path = os.path.join(folder, e.name)
            suffix = os.path.splitext(e.name)[1].lower()
            supported = suffix in SUPPORTED or not suffix  # a file without a suffix is read by its content
            try:
                if e.is_symlink():
                    target = os.path.realpath(path)
                    try:
                        st = os.stat(path)
                    except OSError as err:
                        kind = "SymlinkLoop" if err.errno == errno.ELOOP else "DanglingSymlink"
                        yield row(path, kind, f"symlink that leads nowhere ({err.strerror}); not followed")
                        continue
                    if os.path.commonpath([real_root, target]) != real_root:
                        yield row(path, "SymlinkOutside", "symlink leaving the archive; not followed")
                    elif stat.S_ISDIR(st.st_mode):
                        yield row(path, "SymlinkToFolder", "symlink to a folder; not followed (its files are "
                                  "mined where they lie)")
                    elif supported and stat.S_ISREG(st.st_mode):
                        yield Path(path)
                    elif supported:
                        yield row(path, "SpecialFile", "not a regular file")
                    continue
                if e.is_dir(follow_symlinks=False):
                    if os.path.realpath(path) in skip or os.path.exists(os.path.join(path, MANIFEST)):
                        continue  # the dataset being written, or another one: minerals' output, not documents
                    yield from visit(path)
                elif supported and e.is_file(follow_symlinks=False):
                    yield Path(path)
                elif supported:
                    yield row(path, "SpecialFile", "not a regular file (a FIFO, socket or device); not read")
            except OSError as err:  # vanished while walking
                yield row(path, type(err).__name__, f"cannot be read ({err.strerror or err})")

    if os.path.realpath(root) in skip:
        return
    for item in visit(str(root)):
        yield Path(os.path.normpath(item)) if isinstance(item, Path) else item


def sources(archive: str | Path, exclude: str | Path | None = None) -> Iterator[Source | dict]:
    """Every document under ``archive`` (a folder or an fsspec URL), zip members included; a path that cannot
    be mined (an unsafe or nested zip member, an unreadable zip, see ``walk_rows``) becomes an ``errors`` row
    (a dict) instead. Keys are unique: a repeated zip member name gets "#2", "#3"."""
    seen: set[str] = set()
    items = _url_sources(str(archive)) if is_url(archive) else _local_sources(archive, exclude)
    for item in items:
        if isinstance(item, Source):
            key, n = item.key, 1
            while key in seen:
                n += 1
                key = f"{item.key}#{n}"
            if key != item.key:
                item = Source(key, item.path, item.member, item.size, item.mtime, item.member_index)
            seen.add(key)
        yield item


def _local_sources(archive, exclude) -> Iterator[Source | dict]:
    for path in walk_rows(archive, exclude):
        if isinstance(path, dict):
            yield path
            continue
        try:
            st = path.stat()
        except OSError as err:  # gone since the walk
            yield _error_row(str(path), 0, 0.0, "read", type(err).__name__, f"{path}: {err.strerror or err}")
            continue
        if path.suffix.lower() != ".zip":
            yield Source(str(path), str(path), None, st.st_size, st.st_mtime)
            continue
        try:
            with zipfile.ZipFile(path) as zf:
                yield from _zip_sources(zf, str(path))
        except (zipfile.BadZipFile, OSError) as err:
            yield _error_row(str(path), st.st_size, st.st_mtime, "read", type(err).__name__, f"{path}: {err}")


def _zip_sources(zf: zipfile.ZipFile, path: str) -> Iterator[Source | dict]:
    for index, info in enumerate(zf.infolist()):
        if info.is_dir():
            continue
        name = info.filename
        pure = PurePosixPath(name.replace("\\", "/"))
        key = f"{path}!{name}"
        if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
            yield _error_row(key, info.file_size, 0.0, "read", "UnsafeZipPath",
                             f"{key}: path escapes the archive; not extracted")
            continue
        if pure.suffix.lower() == ".zip":
            yield _error_row(key, info.file_size, 0.0, "read", "NestedZip", f"{key}: a zip inside a zip; not opened")
            continue
        if pure.suffix.lower() not in READERS:
            continue
        mtime = dt.datetime(*info.date_time).timestamp()
        yield Source(key, path, name, info.file_size, mtime, index)


# --- fsspec URLs (s3://, gcs://, memory://, file://, …) ---------------------------------------------------------
def _url_join(url: str, rel: str) -> str:
    return url.rstrip("/") + "/" + rel.lstrip("/")


def _info_mtime(info: dict) -> float:
    """The modification time an fsspec ``info`` dict gives, as a POSIX timestamp; 0.0 when the store has none
    (the incremental check then compares the content hash instead)."""
    for key in ("mtime", "LastModified", "last_modified", "updated", "modified", "created", "ctime"):
        value = info.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, dt.datetime):
            return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
        try:
            parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).timestamp()
        except ValueError:
            continue
    return 0.0


def _url_walk(archive: str) -> Iterator[tuple[str, str, dict]]:
    """``(url, path in the filesystem, info)`` of the readable files under an archive URL, as ``walk`` does."""
    fs, root = url_fs(archive)
    root = root.rstrip("/")
    try:
        found = fs.find(root, detail=True)
    except Exception as err:  # noqa: BLE001 - a store's own error types: the message is what the user needs
        raise DatasetError(f"{archive}: cannot list the archive ({_first_line(err)})") from err
    for path in sorted(found):
        info = found[path]
        if info.get("type", "file") != "file":
            continue
        rel = path[len(root):].lstrip("/") if path.startswith(root) else PurePosixPath(path).name
        parts = PurePosixPath(rel).parts
        hidden = any(p.startswith(".") or p == "gold" for p in parts)
        if PurePosixPath(rel).suffix.lower() in SUPPORTED and not hidden:
            yield _url_join(archive, rel), path, info


def _url_sources(archive: str) -> Iterator[Source | dict]:
    fs, _ = url_fs(archive)
    for url, path, info in _url_walk(archive):
        size, mtime = int(info.get("size") or 0), _info_mtime(info)
        if PurePosixPath(path).suffix.lower() != ".zip":
            yield Source(url, url, None, size, mtime)
            continue
        try:  # the central directory is read with ranged reads: the zip is never downloaded whole here
            with fs.open(path, "rb") as f, zipfile.ZipFile(f) as zf:
                yield from _zip_sources(zf, url)
        except Exception as err:  # noqa: BLE001 - BadZipFile, OSError or a store's own error
            yield _error_row(url, size, mtime, "read", type(err).__name__, f"{url}: {err}")


def _download(url: str, suffix: str, tmpdir: str) -> Path:
    """Stream the file at ``url`` to a local temporary file (kept by the caller's ``tmpdir``)."""
    fs, path = url_fs(url)
    target = Path(tmpdir) / ("file" + suffix)
    with fs.open(path, "rb") as fin, target.open("wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    return target


def content_hash(src: Source) -> str | None:
    """The sha256 of a file on disk or on a store (zip members are hashed when read: None)."""
    import hashlib

    if src.member is not None:
        return None
    h = hashlib.sha256()
    if is_url(src.path):
        fs, path = url_fs(src.path)
        opened = fs.open(path, "rb")
    else:
        opened = open(src.path, "rb")
    with opened as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- a local copy to read ------------------------------------------------------------------------------------
@contextlib.contextmanager
def local_file(src: Source, limits: Limits = DEFAULT_LIMITS) -> Iterator[str | Path]:
    """A path on this machine holding ``src``: its own path, or a temporary copy (a file on a store streamed
    down, a zip member extracted) deleted when the block ends."""
    remote = is_url(src.path)
    if src.member is None and not remote:
        yield src.path
        return
    tmpdir = tempfile.mkdtemp(prefix="minerals-url-" if src.member is None else "minerals-zip-")
    try:
        if src.member is None:
            yield _download(src.path, PurePosixPath(src.path).suffix, tmpdir)
            return
        target = Path(tmpdir) / ("member" + PurePosixPath(src.member).suffix)
        if remote:
            fs, path = url_fs(src.path)
            with fs.open(path, "rb") as fz, zipfile.ZipFile(fz) as zf:
                _extract_member(zf, src, target, limits)
        else:
            with zipfile.ZipFile(src.path) as zf:
                _extract_member(zf, src, target, limits)
        yield target
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _member_limit(name: str, limits: Limits = DEFAULT_LIMITS) -> int:
    """The most bytes a zip member may hold: the limit its reader puts on a file on disk."""
    suffix = PurePosixPath(name.lower()).suffix
    return {".pdf": limits.pdf_bytes, ".docx": limits.office_bytes, ".doc": limits.office_bytes}.get(
        suffix, limits.text_bytes)


def _extract_member(zf: zipfile.ZipFile, src: Source, target: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Copy one member to ``target``, refusing it once either its declared or its actual size passes the
    limit (a zip bomb is never written out whole)."""
    from ..errors import FileTooLargeError

    info = zf.infolist()[src.member_index] if src.member_index is not None else zf.getinfo(src.member)
    limit = _member_limit(src.member, limits)
    if info.file_size > limit:
        raise FileTooLargeError(src.key, info.file_size, limit)
    written = 0
    with zf.open(info) as fin, target.open("wb") as fout:
        while chunk := fin.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise FileTooLargeError(src.key, written, limit)
            fout.write(chunk)


