"""What a run mines, skips and drops (minerals.dataset.plan), on small in-memory cases: no file is touched."""

from __future__ import annotations

from minerals.dataset.archive import Source
from minerals.dataset.plan import Known, decide, settle


def src(key: str, size: int = 10, mtime: float = 1.0, member: str | None = None) -> Source:
    return Source(key, key.split("!", 1)[0], member, size, mtime)


def row(path: str, size: int = 0, mtime: float = 0.0, kind: str = "SpecialFile") -> dict:
    return {"path": path, "size": size, "mtime": mtime, "stage": "read", "error_type": kind, "message": path}


def in_a(path: str) -> bool:
    return path.startswith("/a/")


KNOWN = Known({"/a/1.txt": ("h1", 10, 1.0), "/a/2.txt": ("h2", 10, 1.0)}, {"/a/bad.txt": (0, 0.0)})


def test_unchanged_files_and_errors_are_skipped():
    p = decide([src("/a/1.txt"), src("/a/2.txt"), row("/a/bad.txt")], KNOWN, in_archive=in_a)
    assert (p.todo, p.skipped, p.error_rows, p.stale, p.gone) == ([], 2, [], set(), set())


def test_a_changed_file_is_mined_again_and_its_old_rows_go_with_its_new_ones():
    p = decide([src("/a/1.txt", size=11), src("/a/2.txt", mtime=2.0)], KNOWN, in_archive=in_a)
    assert [s.key for s in p.todo] == ["/a/1.txt", "/a/2.txt"] and p.skipped == 0
    assert p.stale == {"/a/1.txt", "/a/2.txt"} and p.gone == {"/a/bad.txt"}  # not walked this time: gone
    s = settle(p.todo, {"/a/1.txt": "h1b", "/a/2.txt": "h2b"}, p.stale, p.gone, KNOWN)
    assert [x.key for x in s.to_mine] == ["/a/1.txt", "/a/2.txt"] and s.copies == []
    assert s.doc_ids == set() and s.refs == {"h1": 1, "h2": 1}


def test_a_new_file_is_mined_and_drops_nothing():
    p = decide([src("/a/1.txt"), src("/a/2.txt"), row("/a/bad.txt"), src("/a/3.txt")], KNOWN, in_archive=in_a)
    assert [x.key for x in p.todo] == ["/a/3.txt"] and p.stale == set() and p.gone == set()
    s = settle(p.todo, {"/a/3.txt": "h3"}, p.stale, p.gone, KNOWN)
    assert [x.key for x in s.to_mine] == ["/a/3.txt"] and s.refs == {} and s.doc_ids == {"h1", "h2"}


def test_a_moved_file_is_known_by_its_content_and_not_mined_again():
    p = decide([src("/a/2.txt"), src("/a/sub/1.txt", mtime=5.0), row("/a/bad.txt")], KNOWN, in_archive=in_a)
    assert p.gone == {"/a/1.txt"} and [x.key for x in p.todo] == ["/a/sub/1.txt"]
    s = settle(p.todo, {"/a/sub/1.txt": "h1"}, p.stale, p.gone, KNOWN)
    assert s.to_mine == [] and [(x.key, sha) for x, sha in s.copies] == [("/a/sub/1.txt", "h1")]
    assert s.doc_ids == {"h1", "h2"} and s.refs == {}  # its items stay: the content still lies somewhere


def test_a_copy_of_a_known_file_is_not_mined_and_a_gone_document_goes_with_its_last_path():
    known = Known({"/a/1.txt": ("h1", 10, 1.0), "/a/1-copy.txt": ("h1", 10, 1.0), "/a/2.txt": ("h2", 10, 1.0)})
    p = decide([src("/a/2.txt"), src("/a/2-copy.txt")], known, in_archive=in_a)
    assert p.gone == {"/a/1.txt", "/a/1-copy.txt"}
    s = settle(p.todo, {"/a/2-copy.txt": "h2"}, p.stale, p.gone, known)
    assert [(x.key, sha) for x, sha in s.copies] == [("/a/2-copy.txt", "h2")]
    assert s.doc_ids == {"h2"} and s.refs == {"h1": 2}  # h1's items go when the second of its paths goes


def test_rows_of_other_archives_are_kept_unless_pruned_and_gone():
    known = Known({"/a/1.txt": ("h1", 10, 1.0), "/b/x.txt": ("hx", 10, 1.0), "/b/y.txt": ("hy", 10, 1.0)})
    walk = [src("/a/1.txt")]
    assert decide(walk, known, in_archive=in_a).gone == set()
    there = {"/b/x.txt"}
    assert decide(walk, known, in_archive=in_a, prune=True, still_there=there.__contains__).gone == {"/b/y.txt"}


def test_an_error_row_is_new_when_its_path_or_size_changed():
    p = decide([src("/a/1.txt"), src("/a/2.txt"), row("/a/bad.txt", size=3), row("/a/loop.txt")], KNOWN,
               in_archive=in_a)
    assert [r["path"] for r in p.error_rows] == ["/a/bad.txt", "/a/loop.txt"]
    assert p.stale == {"/a/bad.txt", "/a/loop.txt"} and p.gone == set()


def test_a_file_that_was_an_error_row_and_now_reads_replaces_it():
    p = decide([src("/a/1.txt"), src("/a/2.txt"), src("/a/bad.txt", size=5)], KNOWN, in_archive=in_a)
    assert [x.key for x in p.todo] == ["/a/bad.txt"] and p.stale == {"/a/bad.txt"}


def test_a_store_without_mtimes_compares_the_content():
    known = Known({"s3://b/a/1.txt": ("h1", 10, 0.0)})
    asked = []

    def same(s: Source, doc_id: str) -> bool:
        asked.append((s.key, doc_id))
        return s.key.endswith("same.txt")

    walk = [Source("s3://b/a/1.txt", "s3://b/a/1.txt", None, 10, 0.0)]
    assert decide(walk, known, in_archive=in_a, same_content=same).todo == walk
    assert asked == [("s3://b/a/1.txt", "h1")]
    assert decide([src("/a/1.txt")], KNOWN, in_archive=in_a, same_content=same).skipped == 1  # (a local mtime)


def test_a_zip_member_without_a_hash_is_mined():
    p = decide([src("/a/z.zip!m.txt", member="m.txt")], Known(), in_archive=in_a)
    s = settle(p.todo, {"/a/z.zip!m.txt": None}, p.stale, p.gone, Known())
    assert [x.key for x in s.to_mine] == ["/a/z.zip!m.txt"] and s.copies == []
