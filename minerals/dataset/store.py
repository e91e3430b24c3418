"""The dataset on disk (or on an fsspec store): Parquet parts, one manifest that commits them, one writer.

Layout: ``DATASET/minerals-dataset.json`` (the manifest) and ``DATASET/<table>/part-<group>[.v<commit>].parquet``.
The manifest names every live part; it is the only commit point. A commit writes its new parts (and, for
rows it removes, filtered copies of the parts that held them, under new names), then replaces the manifest
in one atomic step: a kill at any instant leaves the old manifest (the old rows) or the new one (the new
rows), never a mixture. Parts the manifest no longer names are deleted afterwards, and by the next writer.

The manifest also marks the folder as minerals' own: a writer refuses a non-empty folder without one, and
deletes only files whose names it gives parts (``part-…parquet``, ``.part-…tmp``) that the manifest does not
name, never anything else. ``.minerals.lock`` (pid, host, process start) keeps a second writer out; a lock
whose process is gone on this host is stale and taken over.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import uuid
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from ..errors import DamagedDatasetError, DatasetError, NotADatasetError
from .tables import ITEM_TABLES, TABLES, stored_schemas

MANIFEST = "minerals-dataset.json"
LOCK = ".minerals.lock"
FORMAT = "minerals-dataset"
VERSION = 3  # 3: columns that were SQL keywords renamed, dates as DATE, lists as lists (docs/CHANGELOG.md)
# names this module gives files inside a table folder: the only files it ever deletes there
_OWN = re.compile(r"^(part-[0-9a-f]{8}-\d{6}(\.v\d+)?\.parquet|\.part-[^/]*\.tmp)$")
_GROUP = re.compile(r"^part-([0-9a-f]{8}-\d{6})")


def is_url(path) -> bool:
    """An fsspec URL ("s3://bucket/x"), as opposed to a local path. (``Path`` would fold "s3://" to "s3:/".)"""
    return "://" in str(path)


def first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def url_fs(url: str):
    """``(filesystem, path inside it)`` for an fsspec URL; a ``DatasetError`` naming the missing driver or the
    unknown protocol instead of a traceback."""
    try:
        import fsspec.core
    except ImportError as err:  # pragma: no cover - fsspec is a dependency of dask
        raise DatasetError(f"{url}: URLs need fsspec: pip install fsspec") from err
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as err:  # a known protocol whose driver is not installed: "Install s3fs to access S3"
        raise DatasetError(f"{url}: {first_line(err)}") from err
    except Exception as err:  # noqa: BLE001 - "Protocol not known: nosuch", a malformed URL, bad credentials
        raise DatasetError(f"{url}: cannot open this URL ({first_line(err)})") from err


# protocols whose rename is atomic and whose partly written files are visible: files go to a temporary name
# first. On object stores (s3, gcs, az, memory, …) an object appears only once completely put.
_RENAMING = {"file", "local", "sftp", "ssh", "smb", "hdfs", "arrow_hdfs", "webhdfs", "ftp"}


def _proc_start(pid: int) -> str | None:
    """The start time of process ``pid`` (Linux /proc), so that a reused pid is not taken for the lock holder."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """One dataset folder or URL: reads what the manifest commits; writes under a lock, one commit at a time."""

    def __init__(self, root: str | Path):
        self.url = str(root)
        if is_url(root):
            self.fs, path = url_fs(self.url)
            self.path = path.rstrip("/") or path
            protocols = self.fs.protocol if isinstance(self.fs.protocol, (tuple, list)) else (self.fs.protocol,)
            self.renaming = bool(set(protocols) & _RENAMING)
        else:
            self.fs = None
            self.path = str(root)
            self.renaming = True
        self._manifest: dict | None = None
        self._keys: dict[tuple[str, str], set[str]] = {}  # (table, part) → its keys, read when first needed
        self._obsolete: set[str] = set()
        self._locked = False

    # --- the file operations, local or through fsspec --------------------------------------------------------
    def _join(self, *names: str) -> str:
        names = [n for n in names if n]
        return "/".join([self.path.rstrip("/"), *names]) if self.fs is not None else os.path.join(self.path, *names)

    def _exists(self, rel: str) -> bool:
        full = self._join(rel)
        try:
            return bool(self.fs.exists(full)) if self.fs is not None else os.path.lexists(full)
        except Exception as err:  # noqa: BLE001 - a store's own error types
            raise DatasetError(f"{self.url}: cannot read the dataset here ({first_line(err)})") from err

    def _names(self, rel: str = "") -> list[str]:
        """The names in a folder of the dataset (none when it is missing)."""
        full = self._join(rel) if rel else self.path
        try:
            if self.fs is not None:
                if not self.fs.isdir(full):
                    return []
                return sorted(PurePosixPath(p.rstrip("/")).name for p in self.fs.ls(full, detail=False))
            return sorted(os.listdir(full)) if os.path.isdir(full) else []
        except FileNotFoundError:
            return []
        except OSError as err:
            raise DatasetError(f"{full}: cannot list ({err.strerror or err})") from err

    def _get(self, rel: str) -> bytes:
        full = self._join(rel)
        if self.fs is not None:
            return self.fs.cat_file(full)
        with open(full, "rb") as f:
            return f.read()

    def _put(self, rel: str, data: bytes | None = None, table=None) -> None:
        """Write ``data`` (or a pyarrow ``table`` as Parquet) at ``rel`` so that it appears whole or not at all."""
        import pyarrow.parquet as pq

        final = self._join(rel)
        folder, name = os.path.split(rel)
        tmp = self._join(folder, f".{name}.{uuid.uuid4().hex[:6]}.tmp") if self.renaming else final
        if self.fs is not None:
            try:
                self.fs.makedirs(self._join(folder) if folder else self.path, exist_ok=True)
                with self.fs.open(tmp, "wb") as f:
                    pq.write_table(table, f) if table is not None else f.write(data)
                if tmp != final:
                    self.fs.mv(tmp, final)
            except OSError:
                raise
            except Exception as err:  # noqa: BLE001 - a store's own error types: what was being put never appears
                raise OSError(first_line(err)) from err
            return
        os.makedirs(self._join(folder) if folder else self.path, exist_ok=True)
        with open(tmp, "wb") as f:
            pq.write_table(table, f) if table is not None else f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
        self._step()

    def _rm(self, rel: str) -> None:
        full = self._join(rel)
        if self.fs is not None:
            try:
                self.fs.rm(full)
            except FileNotFoundError:
                pass
            return
        try:
            os.unlink(full)
        except FileNotFoundError:
            pass
        self._step()

    def _step(self) -> None:
        """Called after each change on disk; the crash tests kill the process here, at every one in turn."""

    # --- reading ----------------------------------------------------------------------------------------------
    def manifest(self) -> dict | None:
        """The manifest; None where there is none. A dataset of another version is refused (``_check_version``)."""
        if self._manifest is not None:
            return self._manifest
        try:
            raw = self._get(MANIFEST)
        except FileNotFoundError:
            raw = None
        except (OSError, IsADirectoryError) as err:
            raise DatasetError(f"{self._join(MANIFEST)}: cannot read ({getattr(err, 'strerror', None) or err})") from err
        if raw is not None:
            try:
                m = json.loads(raw)
                assert m.get("format") == FORMAT and isinstance(m.get("parts"), dict)
            except (ValueError, AssertionError, AttributeError) as err:
                raise DatasetError(f"{self._join(MANIFEST)}: damaged manifest; move the folder aside and mine "
                                   "the archive again") from err
            self._check_version(m.get("version"))
            self._manifest = m
            return m
        if "_batches" in self._names():  # written before the manifest (version 1): its columns are older too
            self._check_version(1)
        return None

    def _check_version(self, version) -> None:
        """Refuse, in one line, a dataset whose tables this minerals does not write (older or newer columns)."""
        if version == VERSION:
            return
        if isinstance(version, int) and version > VERSION:
            raise DatasetError(f"{self.url}: written by a newer minerals (dataset version {version}; this one "
                               f"reads {VERSION}); upgrade minerals")
        raise DatasetError(f"{self.url}: written by an older minerals (dataset version {version}; this one reads "
                           f"{VERSION}: columns renamed and retyped, see docs/CHANGELOG.md); mine the archive "
                           "again into a new folder")

    def exists(self) -> bool:
        return self.manifest() is not None

    def commits(self) -> int:
        m = self.manifest()
        return m["commit"] if m else 0

    def parts(self, table: str) -> list[str]:
        m = self.manifest()
        return [self._join(table, n) for n in (m["parts"].get(table, []) if m else [])]

    def read_part(self, part: str, columns: list[str] | None = None):
        import pyarrow.parquet as pq

        try:
            return pq.read_table(part, columns=columns, filesystem=self.fs)
        except FileNotFoundError as err:
            raise DamagedDatasetError(f"{part}: a committed part is missing", self.url) from err
        except Exception as err:  # noqa: BLE001 - ArrowInvalid, OSError: a damaged file
            raise DamagedDatasetError(f"{part}: damaged part ({first_line(err)})", self.url) from err

    def check_part(self, part: str) -> None:
        """Raise the ``read_part`` error for a part whose footer cannot be read (truncated, overwritten)."""
        import pyarrow.parquet as pq

        try:
            pq.read_metadata(part, filesystem=self.fs)
        except Exception:  # noqa: BLE001 - let read_part name the trouble
            self.read_part(part)

    def part_tables(self, table: str, columns: list[str] | None = None) -> list:
        return [self.read_part(p, columns) for p in self.parts(table)]

    def read(self, table: str, columns: list[str] | None = None):
        import pandas as pd
        import pyarrow as pa


        schema = stored_schemas()[table]
        tables = self.part_tables(table, columns)
        if not tables:
            empty = schema if columns is None else pa.schema([schema.field(c) for c in columns])
            return empty.empty_table().to_pandas()
        return pd.concat([t.to_pandas() for t in tables], ignore_index=True)

    # --- writing ----------------------------------------------------------------------------------------------
    def open_for_writing(self) -> None:
        """Make or adopt the dataset and take its lock; refuse a non-empty folder that is not a dataset."""
        self._check_writable()
        m = self.manifest()
        if m is None:
            names = [n for n in self._names() if not n.startswith(".probe-") and n != LOCK]
            if names:
                raise NotADatasetError(f"{self.url}: not a minerals dataset and not empty ({len(names)} entries, e.g. "
                                       f"{names[0]!r})")
        self._lock()
        try:
            self._adopt()
        except BaseException:
            self.release()
            raise

    def _adopt(self) -> None:
        """Under the lock: write the manifest of a new dataset, then clear a killed writer's files."""
        self._manifest = None
        if self.manifest() is None:

            self._write_manifest({"format": FORMAT, "version": VERSION, "created": time.time(),
                                  "commit": 0, "parts": {t: [] for t in TABLES}})
        self.cleanup()

    def _check_writable(self) -> None:
        """Fail at the start, clearly, on a read-only or full output folder."""
        import shutil

        probe = f".probe-{uuid.uuid4().hex}"
        try:
            if self.fs is not None:
                self.fs.makedirs(self.path, exist_ok=True)
                with self.fs.open(self._join(probe), "wb") as f:
                    f.write(b"\0" * 65536)
                self.fs.rm(self._join(probe))
                return
            os.makedirs(self.path, exist_ok=True)
            with open(self._join(probe), "wb") as f:
                f.write(b"\0" * 65536)
                f.flush()
                os.fsync(f.fileno())
            os.unlink(self._join(probe))
        except Exception as err:  # noqa: BLE001 - OSError, a store's own error types
            raise DatasetError(f"{self.url}: cannot write the dataset here "
                               f"({getattr(err, 'strerror', None) or first_line(err)})") from err
        if shutil.disk_usage(self.path).free < 50_000_000:
            raise DatasetError(f"{self.url}: less than 50 MB free on this disk")

    def _lock(self) -> None:
        me = {"pid": os.getpid(), "host": socket.gethostname(), "start": _proc_start(os.getpid()),
              "since": time.strftime("%Y-%m-%d %H:%M:%S"), "token": uuid.uuid4().hex}
        data = json.dumps(me).encode()
        for _ in range(3):
            if self._create_lock(data):
                self._locked = True
                self._token = me["token"]
                return
            try:
                held = json.loads(self._get(LOCK))
            except (OSError, ValueError):
                held = None
            if held is None or self._stale(held):
                self._rm(LOCK)  # its holder is gone: the lock is taken over
                continue
            raise DatasetError(f"{self.url}: another minerals run is writing this dataset (pid {held.get('pid')} on "
                               f"{held.get('host')}, since {held.get('since')}); wait for it to finish, or delete "
                               f"{self._join(LOCK)} if that run is gone")
        raise DatasetError(f"{self.url}: cannot take the dataset's lock {self._join(LOCK)}")

    def _create_lock(self, data: bytes) -> bool:
        full = self._join(LOCK)
        if self.fs is None:
            try:
                fd = os.open(full, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            return True
        if self.fs.exists(full):  # stores have no exclusive create: write, then read back whose it is
            return False
        self.fs.pipe_file(full, data)
        return self.fs.cat_file(full) == data

    @staticmethod
    def _stale(held: dict) -> bool:
        if held.get("host") != socket.gethostname() or not isinstance(held.get("pid"), int):
            return False  # another machine's run: only its owner can tell
        pid = held["pid"]
        return not _pid_alive(pid) or (held.get("start") is not None and _proc_start(pid) != held["start"])

    def release(self) -> None:
        """Delete obsolete parts and give the lock back."""
        if not self._locked:
            return
        for rel in sorted(self._obsolete):
            self._rm(rel)
        self._obsolete.clear()
        try:
            if json.loads(self._get(LOCK)).get("token") == self._token:
                self._rm(LOCK)
        except (OSError, ValueError):
            pass
        self._locked = False

    def cleanup(self) -> None:
        """Delete what a killed writer left: files with a part's name that the manifest does not name."""

        m = self.manifest()
        for table in TABLES:
            live = set(m["parts"].get(table, []))
            for name in self._names(table):
                if _OWN.match(name) and name not in live:
                    self._rm(f"{table}/{name}")

    def _write_manifest(self, m: dict) -> None:
        self._put(MANIFEST, json.dumps(m, ensure_ascii=False, indent=0).encode())
        self._manifest = m

    def keys(self, table: str, part: str) -> set[str]:
        """The keys (``path`` in documents and errors, ``doc_id`` elsewhere) of one part."""
        key = "path" if table in ("documents", "errors") else "doc_id"
        if (table, part) not in self._keys:
            t = self.read_part(self._join(table, part), [key])
            self._keys[(table, part)] = set(t[key].to_pylist())
        return self._keys[(table, part)]

    def check_all(self) -> None:
        """Raise, naming it, on the first committed part whose footer cannot be read."""

        for table in TABLES:
            for part in self.parts(table):
                self.check_part(part)

    def repair(self) -> list[str]:
        """Drop every part that cannot be read whole, with every row of the documents that had rows in the
        batch it came from (their other rows may be incomplete) and any item row left without its document:
        the next mine mines those files again. One commit; the dropped parts' names are returned."""

        damaged: list[tuple[str, str]] = []
        for table in TABLES:
            for name in self._manifest["parts"].get(table, []):
                try:
                    self.read_part(self._join(table, name))
                except DatasetError:
                    damaged.append((table, name))
        if not damaged:
            return []
        groups = {_GROUP.match(name).group(1) for _, name in damaged}
        bad = set(damaged)
        suspect: set[str] = set()
        for table in TABLES:
            if table == "errors":
                continue
            for name in self._manifest["parts"].get(table, []):
                if (table, name) not in bad and _GROUP.match(name).group(1) in groups:
                    suspect |= set(self.read_part(self._join(table, name), ["doc_id"])["doc_id"].to_pylist())
        docs = {}
        for name in self._manifest["parts"].get("documents", []):
            if ("documents", name) not in bad:
                t = self.read_part(self._join("documents", name), ["doc_id", "path"])
                docs.update(zip(t["path"].to_pylist(), t["doc_id"].to_pylist()))
        paths = {p for p, d in docs.items() if d in suspect}
        kept_ids = {d for d in docs.values() if d not in suspect}
        orphans = set()
        for table in ITEM_TABLES:
            for name in self._manifest["parts"].get(table, []):
                if (table, name) not in bad:
                    orphans |= self.keys(table, name) - kept_ids
        self.commit(f"{uuid.uuid4().hex[:8]}-999999", {}, paths, suspect | orphans, drop_parts=bad)
        return [self._join(t, n) for t, n in damaged]

    def commit(self, group: str, tables: dict, remove_paths: Iterable[str] = (), remove_ids: Iterable[str] = (),
               drop_parts: Iterable[tuple[str, str]] = ()) -> None:
        """One atomic change: add ``tables`` (pyarrow Tables by name) as the parts of ``group``, and drop the
        rows of ``remove_paths`` (documents, errors) and ``remove_ids`` (the item tables) from the parts before
        (and the parts ``drop_parts``, (table, name) pairs, whole)."""
        import pyarrow as pa
        import pyarrow.compute as pc


        assert self._locked, "commit needs the lock (open_for_writing)"
        on_disk = json.loads(self._get(MANIFEST))
        if on_disk.get("commit") != self._manifest["commit"]:
            raise DatasetError(f"{self.url}: the dataset was changed by another writer during this run")
        m = {**self._manifest, "commit": self._manifest["commit"] + 1,
             "parts": {t: list(self._manifest["parts"].get(t, [])) for t in TABLES}}
        remove_paths, remove_ids = set(remove_paths), set(remove_ids)
        for table, name in drop_parts:
            m["parts"][table].remove(name)
            self._obsolete.add(f"{table}/{name}")
        for table in TABLES:
            values = remove_paths if table in ("documents", "errors") else remove_ids
            if values:
                for name in list(m["parts"][table]):
                    hit = self.keys(table, name) & values
                    if not hit:
                        continue
                    key = "path" if table in ("documents", "errors") else "doc_id"
                    t = self.read_part(self._join(table, name))
                    kept = t.filter(pc.invert(pc.is_in(t[key], value_set=pa.array(sorted(hit), type=pa.string()))))
                    i = m["parts"][table].index(name)
                    if len(kept):
                        new = f"part-{_GROUP.match(name).group(1)}.v{m['commit']}.parquet"
                        self._put(f"{table}/{new}", table=kept)
                        self._keys[(table, new)] = self.keys(table, name) - hit
                        m["parts"][table][i] = new
                    else:
                        del m["parts"][table][i]
                    self._obsolete.add(f"{table}/{name}")
            t = tables.get(table)
            if t is not None and len(t):
                name = f"part-{group}.parquet"
                self._put(f"{table}/{name}", table=t)
                key = "path" if table in ("documents", "errors") else "doc_id"
                self._keys[(table, name)] = set(t[key].to_pylist())
                m["parts"][table].append(name)
        self._write_manifest(m)  # the commit: the new rows and the removals appear together
