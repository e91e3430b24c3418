"""The command line: argument parsing, printing and exit codes live here, and nothing else does.

One convention for every command (issue 18): the dataset a command reads is ``--dataset/-d`` (default ``out``,
what ``minerals mine`` writes); a file a command writes is ``-o/--output``; a table prints as
``--format table|csv|json|xlsx`` (xlsx needs ``-o``); ``--by`` takes the same names everywhere (type, issuer,
level, year; ``doc_type`` is read as type); ``--max-mb`` raises every file-size limit of ``minerals.limits``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from . import clean, extract, read
from .errors import MineralsError
from .limits import DEFAULT as DEFAULT_LIMITS, Limits

app = typer.Typer(
    help="Mine Vietnamese administrative documents: citations, dates, numbers, metadata.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_display_type_rich = TyperOption.display_type_rich


def _flag_type(self, ctx):
    """typer's help prints "<bool>" beside a flag (--csv, --quiet, --help), as if it took a value; a flag
    takes none, so its help shows no type."""
    return None if self.is_flag else _display_type_rich(self, ctx)


TyperOption.display_type_rich = _flag_type

MaxMb = Annotated[float | None, typer.Option(
    "--max-mb", help="Refuse files larger than this many MB, whatever their kind (default: the limits per kind "
    "of minerals.limits: text 32 MB, PDF 500 MB, Word 100 MB).", show_default=False)]
RegistryOpt = Annotated[str, typer.Option(
    "--registry", help="Known documents (CSV/TSV: number, type, issuer, date, title, status) that fill in cited "
    "documents; 'default' is the registry shipped with minerals, 'none' uses none.")]
DATASET_HELP = "The dataset folder or URL `minerals mine` wrote."
DatasetOpt = Annotated[str, typer.Option("--dataset", "-d", help=DATASET_HELP)]


def _fail(err: Exception | str) -> None:
    typer.echo(f"minerals: error: {' '.join(_message(err).split())}", err=True)  # one line, whatever it said
    raise typer.Exit(1)


def _message(err: Exception | str) -> str:
    """The library's message, with the option names the library does not know: a parameter is an option here."""
    from .errors import DamagedDatasetError, FileTooLargeError, InvalidChoice, NoDatasetError, NotADatasetError

    if isinstance(err, InvalidChoice):
        return f"--{err.param.replace('_', '-')} {err.value!r}: {err.reason}"
    if isinstance(err, FileTooLargeError):
        return f"{err} (raise it with --max-mb)"
    if isinstance(err, NoDatasetError):
        return f"{err} (run `minerals mine ARCHIVE -o {err.path}` first)"
    if isinstance(err, DamagedDatasetError):
        return f"{err}; run `minerals mine ARCHIVE -o {err.url} --repair` to drop it and mine its files again"
    if isinstance(err, NotADatasetError):
        return f"{err}; give -o a new or empty folder"
    return str(err)


def _limits(max_mb: float | None) -> Limits:
    if max_mb is not None and not max_mb > 0:
        _fail(f"--max-mb {max_mb:g}: give a number of megabytes above 0")
    return DEFAULT_LIMITS.with_max_mb(max_mb)


def _document(file: Path, max_mb: float | None, *, extracted: bool = True):
    """FILE read, cleaned (and extracted) within the limits, under the per-document memory ceiling; any error
    is one line."""
    limits = _limits(max_mb)
    from .errors import OutOfMemoryError
    from .extract import warm_up
    from .limits import memory_ceiling
    from .readers import ocr

    try:
        if extracted:
            warm_up()  # the models are the process's, not the document's: loaded before the ceiling
        with memory_ceiling(limits.doc_memory), ocr.reporting(_ocr_status() if sys.stderr.isatty() else None):
            doc = clean(read(file, limits=limits))
            return extract(doc) if extracted else doc
    except MemoryError:
        _fail(OutOfMemoryError(file, limits.doc_memory))
    except MineralsError as err:
        _fail(err)


def _ocr_status():
    """A status line on the terminal while scanned pages are read: "OCR page 2/3" (OCR takes seconds a page)."""
    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\rOCR page {min(done + 1, total)}/{total}" if done < total else f"\rOCR {total} pages done")
        sys.stderr.write(end)
        sys.stderr.flush()

    return show


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path``; a path that cannot be written is a one-line error."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as err:
        _fail(f"{path}: cannot write ({err.strerror or err})")


def _dataset(positional: str | None, option: str) -> str:
    """The dataset of `graph export` and `check`: --dataset, or the positional word they took before."""
    if positional is not None and option not in ("out", positional):
        _fail(f"two datasets given ({positional} and --dataset {option}); give one, with --dataset")
    return positional or option


LegacyDataset = Annotated[str | None, typer.Argument(hidden=True, show_default=False,
                                                     help="Deprecated: the dataset, now --dataset.")]


class _LegacyArgs(TyperCommand):
    """A command whose hidden (deprecated) arguments are left out of its usage line too."""

    def collect_usage_pieces(self, ctx):
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if not getattr(param, "hidden", False):
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


@app.command()
def text(file: Path, max_mb: MaxMb = None) -> None:
    """Print the cleaned text that every offset of `minerals extract` indexes.

    Example: minerals text corpus/seeds/003_34cab656171738ba.txt
    """
    doc = _document(file, max_mb, extracted=False)
    sys.stdout.write(doc.text)
    if doc.text and not doc.text.endswith("\n"):
        sys.stdout.write("\n")


@app.command(name="extract")
def extract_cmd(
    file: Path,
    max_mb: MaxMb = None,
    indent: Annotated[int | None, typer.Option(help="Indent the JSON (default: one line).")] = None,
) -> None:
    """Print one JSON object: document, citations, named laws, dates, quantities, targets (DESIGN.md contract).

    Example: minerals extract corpus/seeds/001_1d392ddcd08d93c9.txt --indent 2
    """
    doc = _document(file, max_mb)
    typer.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=indent))
@app.command(name="eval")
def eval_cmd(
    corpus: Annotated[Path, typer.Argument(help="Folder with the documents and gold/.")] = Path("corpus"),
    gold: Annotated[Path | None, typer.Option(help="Gold folder (default: CORPUS/gold).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every miss per document.")] = False,
) -> None:
    """Precision, recall and F1 per field against the gold annotations; then, where GOLD/documents holds page
    gold, the accuracy of each document field and of the document's bounds in the page, tuning and held-out
    halves apart (the held-out figure is the one that counts).

    Example: minerals eval corpus --verbose
    """
    from .evaluate import (evaluate, evaluate_documents, evaluate_targets, format_document_report, format_report,
                           format_target_report)

    gold_dir = gold or corpus / "gold"
    try:
        totals, results = evaluate(corpus, gold_dir)
        pages = evaluate_documents(corpus, gold_dir / "documents") if (gold_dir / "documents").is_dir() else None
        aims = evaluate_targets(corpus, gold_dir / "targets") if (gold_dir / "targets" / "split.tsv").is_file() and any(
            (gold_dir / "targets").glob("*.json")) else None
    except MineralsError as err:
        _fail(err)
    typer.echo(format_report(totals, results, verbose=verbose))
    if pages:
        typer.echo("\n" + format_document_report(*pages, verbose=verbose))
    if aims:
        typer.echo("\n" + format_target_report(*aims, verbose=verbose))
    if (gold_dir / "relations" / "split.tsv").is_file():
        from .evaluate import evaluate_relations, format_relation_report

        typer.echo("\n" + format_relation_report(*evaluate_relations(corpus, gold_dir / "relations"), verbose=verbose))
    if (gold_dir / "entities" / "split.tsv").is_file():
        from .evaluate import evaluate_mentions, format_mention_report

        typer.echo("\n" + format_mention_report(*evaluate_mentions(corpus, gold_dir / "entities"), verbose=verbose))
    if (gold_dir / "tables").is_dir() and any((gold_dir / "tables").glob("*.json")):
        from .evaluate import evaluate_tables

        cells, per_doc = evaluate_tables(corpus, gold_dir / "tables")
        typer.echo(f"\ntable quantities (recall of cells, value and unit right): {cells.recall:.3f} ({cells.tp}/{cells.n_gold})"
                   + "".join(f"\n  {r.doc}: {r.scores['table_quantity'].tp}/{r.scores['table_quantity'].n_gold}" for r in per_doc))


@app.command()
def show(
    file: Path,
    output: Annotated[Path, typer.Option("--output", "-o", "--html", help="Where to write the page "
                                         "(--html is the old name).")] = Path("minerals-show.html"),
    max_mb: MaxMb = None,
) -> None:
    """Write an HTML page of FILE with every extracted item highlighted; hover an item for its values.

    Example: minerals show corpus/seeds/004_51401b993265fa13.txt -o seed004.html
    """
    from .show import render_html

    doc = _document(file, max_mb)
    _write(output, render_html(doc))
    typer.echo(f"{output} ({len(doc.citations)} citations, {len(doc.dates)} dates, "
               f"{len(doc.quantities)} quantities, {len(doc.entities)} entities)")


def _mine_columns():
    """Progress columns of `minerals mine`: documents a second and the time left, from the documents mined
    since mining began (Rich's own columns wait for a speed estimate; these show from the first document)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    def mining(task) -> bool:
        return task.fields.get("stage") in ("start", "mine") and bool(task.elapsed)

    class Rate(ProgressColumn):
        def render(self, task):
            return Text(f"{task.completed / task.elapsed:.1f} docs/s" if mining(task) else "",
                        style="progress.data.speed")

    class Left(ProgressColumn):
        def render(self, task):
            if not (mining(task) and task.total is not None and task.completed):
                return Text("")
            m, s = divmod(int((task.total - task.completed) * task.elapsed / task.completed + 0.5), 60)
            h, m = divmod(m, 60)
            return Text(f"ETA {h}:{m:02d}:{s:02d}" if h else f"ETA {m}:{s:02d}", style="progress.remaining")

    return Rate(), Left()


def _mine_bar(console):
    """A Rich progress display and the ``progress(stage, done, total)`` callback ``dataset.mine`` calls: first
    the files found while the archive is walked and hashed, then every document as it comes back mined."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   *_mine_columns(), console=console)
    task = bar.add_task("finding files", total=None, stage="scan")
    words = {"scan": "finding files", "hash": "hashing new files", "start": "loading models", "mine": "mining"}
    now = ["scan"]

    def tick(stage: str, done: int, total: int | None) -> None:
        if stage == "mine" and not done:
            stage = "start"  # the workers load spaCy and the rules before the first document comes back
        if stage == now[0]:
            bar.update(task, completed=done, total=total)
        elif (now[0], stage) == ("start", "mine"):  # the clock runs on: the rate counts the models' loading
            now[0] = stage
            bar.update(task, completed=done, total=total, description=words[stage], stage=stage)
        else:  # a new stage: its own clock, so the rate and time left count from its start
            now[0] = stage
            bar.reset(task, total=total, completed=done, description=words.get(stage, stage), stage=stage)

    return bar, tick


@app.command()
def mine(
    archive: Annotated[str, typer.Argument(help="Folder, or an fsspec URL (s3://bucket/archive).")],
    output: Annotated[str, typer.Option("--output", "-o", "--out", help="Dataset folder or URL to write (or add "
                                        "to); --out is the old name.")] = "out",
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")] = None,
    engine: Annotated[str, typer.Option(help="process (this machine) or dask (a cluster).")] = "process",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786; "
                                                       "without it --engine dask starts a LocalCluster.")] = None,
    batch_size: Annotated[int, typer.Option(help="Most documents per committed batch.")] = 256,
    batch_seconds: Annotated[float, typer.Option(help="A batch also commits after this many seconds, so a "
                                                      "killed run loses at most that much work.")] = 30.0,
    max_mb: MaxMb = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar (there is none either when "
                                        "standard error is not a terminal).")] = False,
    prune: Annotated[bool, typer.Option(help="Also drop the rows of files that no longer exist (rows of files "
                                             "outside ARCHIVE are otherwise kept).")] = False,
    repair: Annotated[bool, typer.Option(help="Drop damaged parts of the dataset first and mine their files "
                                              "again.")] = False,
) -> None:
    """Mine every document under ARCHIVE (.txt .md .html .pdf .docx .doc, and inside .zip) into Parquet
    tables; re-running adds only what changed. Prints a summary.

    Example: minerals mine corpus -o out  (or fsspec URLs: minerals mine s3://bucket/archive -o s3://bucket/ds)
    """
    from rich.console import Console

    from .dataset import mine as run_mine
    from .dataset.store import is_url

    if workers is not None and workers < 1:
        _fail(f"--workers {workers}: give 1 or more worker processes (or leave it out: all cores)")
    if batch_size < 1:
        _fail(f"--batch-size {batch_size}: give 1 or more documents")
    if not batch_seconds > 0:
        _fail(f"--batch-seconds {batch_seconds:g}: give a number of seconds above 0")
    limits = _limits(max_mb)
    if not is_url(archive) and Path(archive).is_file():
        _fail(f"{archive}: a file, not a folder; `minerals mine` takes the folder that holds the documents "
              f"(for one file: `minerals extract {archive}` prints its items as JSON)")
    console = Console(stderr=True)
    kwargs = dict(workers=workers, engine=engine, scheduler=scheduler, batch_size=batch_size,
                  batch_seconds=batch_seconds, prune=prune, repair=repair, limits=limits)
    try:
        if quiet or not console.is_terminal:
            s = run_mine(archive, output, **kwargs)
        else:
            bar, tick = _mine_bar(console)
            with bar:
                s = run_mine(archive, output, progress=tick, **kwargs)
    except MineralsError as err:
        _fail(err)
    rate = s.documents / s.seconds if s.seconds else 0.0
    typer.echo(
        f"{s.documents} documents mined ({s.skipped} unchanged, skipped), {s.pages} pages ({s.ocr_pages} OCR), "
        f"{s.citations} citations, {s.named_laws} named laws, {s.dates} dates, {s.quantities} quantities, "
        f"{s.targets} targets, {s.entities} entities, {s.errors} errors in {s.seconds:.1f}s "
        f"({rate:.1f} documents/s) → {s.out}/"
    )
    for note in s.warnings[:5]:
        typer.echo(f"minerals: warning: {note}", err=True)
    if s.top_cited:
        typer.echo("most cited: " + ", ".join(f"{n} ×{k}" for n, k in s.top_cited))


class _DefaultCommandGroup(TyperGroup):
    """A group whose first word, when it is not one of its commands, goes to the default command: so
    `minerals graph -d DATASET -o OUT` (export) and `minerals graph chain FILE` (an analysis) both work (and
    the old `minerals graph DATASET -o OUT`)."""

    default_command = "export"

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


graph_app = typer.Typer(
    cls=_DefaultCommandGroup, no_args_is_help=True,
    help="The legal-reference graph: `minerals graph -d DATASET` summarizes or exports it; `minerals graph "
         "chain|implementers|top|degree|absent|communities` analyse it.",
)
app.add_typer(graph_app, name="graph")


@graph_app.command("export", cls=_LegacyArgs)
def graph(
    legacy_dataset: LegacyDataset = None,
    dataset: DatasetOpt = "out",
    output: Annotated[Path | None, typer.Option("--output", "-o", "--out", help="File to write (a folder for "
                                                "csv); --out is the old name.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="graphml, gexf, json, csv or html "
                                            "(default: from OUTPUT's suffix; a folder is csv).")] = None,
    registry: RegistryOpt = "default",
    max_nodes: Annotated[int | None, typer.Option("--max-nodes", min=1, help="html: beyond this many nodes (default "
                                                  "2000) the page shows the most cited and their neighbours.")] = None,
) -> None:
    """The legal-reference graph: documents (mined and cited, merged by canonical id) and who cites whom, how.
    Without -o, prints a summary. The word `export` may be left out.

    Example: minerals graph -d out --format graphml -o refs.graphml --registry my_registry.tsv
             (or -o graph.html: an interactive page)
    """
    from .graph import build_graph, check_format, export, format_for, summarize

    dataset = _dataset(legacy_dataset, dataset)
    try:
        if fmt is not None:
            check_format(fmt)
        g = build_graph(dataset, registry=registry)
        if output is not None:
            written = export(g, fmt or format_for(output), output, max_nodes=max_nodes)
    except MineralsError as err:
        _fail(err)
    s = summarize(g)
    typer.echo(f"{s.nodes} nodes ({s.mined} mined documents, {s.cited_only} cited-only documents), "
               f"{s.edges} edges carrying {s.citations} citations")
    if s.registry is not None:
        typer.echo(f"registry {Path(s.registry).name} ({s.registry_size} known documents): {s.in_registry} nodes "
                   f"found, {s.filled} given a title, date, issuer, type or status")
    if output is None and s.top:
        typer.echo("most cited: " + ", ".join(f"{n} ×{k}" for n, k in s.top))
    elif output is not None:
        typer.echo("→ " + ", ".join(map(str, written)))


query_app = typer.Typer(help="Query a mined dataset (DuckDB, no server).", no_args_is_help=True)
app.add_typer(query_app, name="query")

# --- tables: --format table|csv|json|xlsx, -o FILE ---------------------------------------------------------------
FORMATS = ("table", "csv", "json", "xlsx")
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help="table, csv, json or xlsx (xlsx needs -o); "
                                               "default: a table, or from -o's suffix.", show_default=False)]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write the rows to this file "
                                                "(.csv, .json or .xlsx) instead of printing them.")]
Csv = Annotated[bool, typer.Option("--csv", hidden=True, help="Deprecated: --format csv.")]
Json = Annotated[bool, typer.Option("--json", hidden=True, help="Deprecated: --format json.")]
Xlsx = Annotated[Path | None, typer.Option("--xlsx", hidden=True, help="Deprecated: --format xlsx -o PATH.")]
LimitOpt = Annotated[int | None, typer.Option("--limit", help="At most this many rows.", show_default=False)]
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}


class _Out:
    """Where and how a command's rows go: ``fmt`` (table, csv, json, xlsx) and ``path`` (None: standard output)."""

    def __init__(self, fmt: str | None, path: Path | None, csv: bool = False, json_out: bool = False,
                 xlsx: Path | None = None):
        old = [f for f, given in (("csv", csv), ("json", json_out), ("xlsx", xlsx is not None)) if given]
        if len(old) > 1 or (old and fmt is not None and fmt != old[0]):
            _fail(f"more than one format given ({', '.join(filter(None, [fmt, *old]))}); give one --format")
        if xlsx is not None:
            if path is not None and path != xlsx:
                _fail(f"two output files given (--xlsx {xlsx} and -o {path}); give one, with -o")
            path = xlsx
        fmt = fmt or (old[0] if old else None)
        if fmt is None:
            fmt = "table" if path is None else SUFFIX_FORMATS.get(path.suffix.lower())
            if fmt is None:
                _fail(f"{path}: which format is {path.suffix or 'a name without a suffix'}? Give --format "
                      "(csv, json or xlsx)")
        fmt = fmt.lower()
        if fmt not in FORMATS:
            _fail(f"--format {fmt!r}: valid values are {', '.join(FORMATS)}")
        if fmt == "xlsx" and path is None:
            _fail("--format xlsx writes a file: give -o FILE.xlsx")
        if fmt == "table" and path is not None:
            _fail("--format table prints to the terminal; with -o give --format csv, json or xlsx")
        self.fmt, self.path = fmt, path

    @property
    def table(self) -> bool:
        return self.fmt == "table"


def _emit(frame, out: _Out) -> None:
    from .query import spreadsheet_safe, write_xlsx

    if frame.attrs.get("truncated"):
        typer.echo(f"minerals: warning: only the first {len(frame)} rows (raise --max-rows)", err=True)
    if out.fmt == "xlsx":
        try:
            write_xlsx(frame, out.path)
        except OSError as err:
            _fail(f"{out.path}: cannot write ({err.strerror or err})")
    elif out.fmt in ("csv", "json"):
        text = (spreadsheet_safe(frame).to_csv(index=False) if out.fmt == "csv"
                else frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
        if out.path is None:
            sys.stdout.write(text)
            return
        _write(out.path, text)
    else:
        import pandas as pd
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for col in frame.columns:
            table.add_column(str(col), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*["" if v is None or v is pd.NA or v != v else str(v) for v in row])
        Console(width=200).print(table)
        typer.echo(f"{len(frame)} rows")
        return
    typer.echo(f"{out.path} ({len(frame)} rows)")


RelationOpt = Annotated[str | None, typer.Option("--relation", help="căn cứ, thực hiện, triển khai, theo, sửa đổi, "
                                                  "bổ sung, …; diacritics optional ('can cu').")]
SectionOpt = Annotated[str | None, typer.Option("--section", help="Only citations in this part of the citing document: header, basis (căn cứ), body, annex, signature, recipients, footnote.")]


def _query(fn, *args, out: _Out, head: int | None = None, **kwargs) -> None:
    """``fn``'s rows (the first ``head`` of them when given) to ``out``; a library error is one line."""
    try:
        frame = fn(*args, **kwargs)
    except MineralsError as err:
        _fail(err)
    _emit(frame if head is None else frame.head(head), out)


def _positive(limit: int | None) -> None:
    if limit is not None and limit < 1:
        _fail(f"--limit {limit}: give 1 or more rows")


# --- --by: one set of names for every command that groups -------------------------------------------------------
BY_ALIASES = {"doc_type": "type"}  # the graph's column name, accepted as type


def _by(by: str | None, allowed: tuple[str, ...]) -> str | None:
    """``--by`` in the one spelling every command shares; an unknown value is a one-line error naming the valid."""
    if by is None:
        return None
    name = BY_ALIASES.get(by.strip().lower(), by.strip().lower())
    if name not in allowed:
        _fail(f"--by {by!r}: valid values are {', '.join(allowed)} (doc_type is read as type)")
    return name


def _graph_by(by: str | None, allowed: tuple[str, ...]) -> str | None:
    """``--by`` as the graph analyses name their columns (type is the nodes' doc_type)."""
    name = _by(by, allowed)
    return "doc_type" if name == "type" else name


GRAPH_BY = ("type", "issuer", "level", "year")
By = Annotated[str | None, typer.Option("--by", help="Group by type, issuer, level (national/local) or year.")]


def _analysis(fn, dataset: str, *args, out: _Out, **kwargs) -> None:
    from .graph import build_graph

    try:
        frame = fn(build_graph(dataset), *args, **kwargs)
    except MineralsError as err:
        _fail(err)
    _emit(frame, out)


def _walked(fn, dataset: str, ref: str, follow, out: _Out):
    """The graph, the node REF names and ``fn``'s walk from it (chain, implementers); with a --format other
    than table the walk is written here and None returned."""
    from .analyses import find_node
    from .graph import build_graph

    try:
        g = build_graph(dataset)
        root = find_node(g, ref)
        frame = fn(g, root, follow=follow)
    except MineralsError as err:
        _fail(err)
    if not out.table:
        _emit(frame, out)
        return None
    return g, root, frame


@graph_app.command("chain")
def g_chain(
    file: Annotated[str, typer.Argument(help="A mined file (its path), or a number in the graph.")],
    dataset: DatasetOpt = "out",
    every_relation: Annotated[bool, typer.Option("--every-relation", help="Follow every citation, not only "
                                                 "the implementing ones (thực hiện, triển khai, căn cứ, …).")] = False,
    fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False,
) -> None:
    """The documents FILE implements, hop by hop (relation and sentence), up to the national ones; the
    national documents the chain ends at are marked ⇧.

    Example: minerals graph chain corpus/seeds/001_1d392ddcd08d93c9.txt --dataset out
    """
    from .analyses import chain
    from .graph import UNKNOWN_RELATION

    walked = _walked(chain, dataset, file, None if every_relation else (), _Out(fmt, output, csv, json_out))
    if walked is None:
        return
    g, root, frame = walked
    a = g.nodes[root]
    typer.echo(f"{a.get('path') or root} ({a.get('doc_type') or '?'}, {a.get('issuer') or '?'})")
    for r in frame.itertuples(index=False):
        mark = " ⇧" if r.ultimate else ""
        who = ", ".join(v for v in (r.doc_type, r.issuer, r.level) if isinstance(v, str))
        rel = r.relation if isinstance(r.relation, str) else UNKNOWN_RELATION
        number = r.number if isinstance(r.number, str) else r.target
        typer.echo(f"{'   ' * r.depth}└ {rel} → {number} ({who}){mark}")
    tops = frame[frame["ultimate"]]
    typer.echo(f"{len(frame)} documents on the chain; national documents it ends at: "
               + (", ".join(f"{t.doc_type or ''} {t.number}".strip() for t in tops.itertuples()) or "none"))


@graph_app.command("implementers")
def g_implementers(
    number: Annotated[str, typer.Argument(help="A number in any spelling (57-NQ/TW, 57/NQ-TW), or a mined file.")],
    dataset: DatasetOpt = "out",
    relation: RelationOpt = None,
    every_relation: Annotated[bool, typer.Option("--every-relation", help="Follow every citation, not only "
                                                 "the implementing ones.")] = False,
    fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False,
) -> None:
    """The documents that implement NUMBER, directly or through a chain, each with the path down to it and
    the sentence of every hop (relations stated between cited documents count: a plan based on Nghị quyết
    71/NQ-CP, the action programme for 57-NQ/TW, implements 57-NQ/TW through it).

    Example: minerals graph implementers 57-NQ/TW --dataset out
    """
    from . import patterns
    from .analyses import implementers

    out = _Out(fmt, output, csv, json_out)
    try:
        follow = None if every_relation else ((patterns.relation_named(relation),) if relation else ())
    except ValueError as err:
        _fail(MineralsError(f"--relation: {err}"))
    walked = _walked(implementers, dataset, number, follow, out)
    if walked is None:
        return
    g, root, frame = walked
    a = g.nodes[root]
    typer.echo(f"{a.get('number') or root} ({a.get('doc_type') or '?'}, {a.get('issuer') or '?'})")
    for r in frame.itertuples(index=False):
        who = ", ".join(v for v in (r.doc_type, r.issuer) if isinstance(v, str))
        where = f" {r.path}" if isinstance(r.path, str) else ""
        typer.echo(f"{'   ' * (r.depth - 1)}└ {r.number if isinstance(r.number, str) else r.document} ({who}){where}"
                   f" — {r.relation}: {r.chain}")
        if isinstance(r.sentence, str):
            typer.echo(f"{'   ' * r.depth}  “{r.sentence[:160]}”")
    direct = int((frame["depth"] == 1).sum()) if len(frame) else 0
    typer.echo(f"{len(frame)} documents implement it ({direct} directly, {len(frame) - direct} through a chain)")


@graph_app.command("top")
def g_top(dataset: DatasetOpt = "out", by: By = None,
          limit: Annotated[int, typer.Option(help="How many (per group with --by).")] = 20,
          fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False) -> None:
    """The most cited documents of the graph (citations, then citing documents), overall or per group.

    Example: minerals graph top --by type --limit 3 --dataset out
    """
    from .analyses import most_cited

    out = _Out(fmt, output, csv, json_out)
    _positive(limit)
    _analysis(most_cited, dataset, top=limit, by=_graph_by(by, GRAPH_BY), out=out)


@graph_app.command("degree")
def g_degree(dataset: DatasetOpt = "out",
             by: Annotated[str, typer.Option("--by", help="type, issuer, level, year, or relation (the archive's "
                                             "relation counts).")] = "type",
             fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False) -> None:
    """In- and out-degree per type, issuer, level or year: distinct links and citation rows each way; with
    --by relation, how many citations, links, citing and cited documents each relation has, and the relations
    stated between two cited documents.

    Example: minerals graph degree --by relation --dataset out
    """
    from .analyses import degree_table

    out = _Out(fmt, output, csv, json_out)
    _analysis(degree_table, dataset, by=_graph_by(by, (*GRAPH_BY, "relation")), out=out)


@graph_app.command("absent")
def g_absent(dataset: DatasetOpt = "out", limit: LimitOpt = None,
             fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False) -> None:
    """Documents cited but not in the archive, most citing documents first: what to add next.

    Example: minerals graph absent --dataset out --format csv -o missing.csv
    """
    from .analyses import absent
    from .graph import build_graph

    out = _Out(fmt, output, csv, json_out)
    _positive(limit)
    try:
        frame = absent(build_graph(dataset))
    except MineralsError as err:
        _fail(err)
    _emit(frame if limit is None else frame.head(limit), out)


@graph_app.command("communities")
def g_communities(dataset: DatasetOpt = "out",
                  seed: Annotated[int, typer.Option(help="Louvain's random seed.")] = 0,
                  fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False) -> None:
    """Groups of documents that cite each other (Louvain on the undirected graph weighted by citations):
    size, types and most cited members.

    Example: minerals graph communities --dataset out
    """
    from .analyses import communities

    _analysis(communities, dataset, seed=seed, out=_Out(fmt, output, csv, json_out))


@query_app.command("citations")
def q_citations(
    dataset: DatasetOpt = "out",
    number: Annotated[str | None, typer.Option(help="A number in any spelling.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Document type, e.g. 'Nghị định' ('nghi dinh', 'NĐ').")] = None,
    issuer: Annotated[str | None, typer.Option(help="Part of the issuer's name.")] = None,
    year: Annotated[int | None, typer.Option(help="Year of the cited document.")] = None,
    relation: RelationOpt = None,
    cited_by: Annotated[str | None, typer.Option("--cited-by", help="Only citations made by this mined document: "
                                                 "its path (or file name), or its own number.")] = None,
    section: SectionOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False, xlsx: Xlsx = None,
) -> None:
    """Citation rows, filtered.

    Example: minerals query citations --type "Nghị định" --year 2007 --dataset out
    """
    from .query import citations

    _positive(limit)
    _query(citations, dataset, number=number, doc_type=type_, issuer=issuer, year=year, relation=relation,
           cited_by=cited_by, section=section, limit=limit, out=_Out(fmt, output, csv, json_out, xlsx))


@query_app.command("cited-by")
def q_cited_by(number: str, dataset: DatasetOpt = "out", section: SectionOpt = None, relation: RelationOpt = None,
               limit: LimitOpt = None, fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False,
               json_out: Json = False, xlsx: Xlsx = None) -> None:
    """Which documents cite NUMBER, with the sentence around each citation.

    Example: minerals query cited-by 20-CT/TW --relation "thuc hien" --dataset out
    """
    from .query import cited_by

    _positive(limit)
    _query(cited_by, dataset, number, section=section, relation=relation, head=limit,
           out=_Out(fmt, output, csv, json_out, xlsx))


@query_app.command("top")
def q_top(dataset: DatasetOpt = "out",
          by: Annotated[str | None, typer.Option(help="Group by type or year.")] = None,
          limit: Annotated[int, typer.Option(help="How many (per group with --by).")] = 20, section: SectionOpt = None,
          fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False,
          xlsx: Xlsx = None) -> None:
    """The most cited documents.

    Example: minerals query top --by type --dataset out
    """
    from .query import top

    out = _Out(fmt, output, csv, json_out, xlsx)
    _positive(limit)
    _query(top, dataset, by=_by(by, ("type", "year")), limit=limit, section=section, out=out)


@query_app.command("targets")
def q_targets(
    dataset: DatasetOpt = "out",
    indicator: Annotated[str | None, typer.Option(help="Part of the indicator, e.g. 'tỷ lệ hộ nghèo'.")] = None,
    deadline: Annotated[int | None, typer.Option(help="The year the target is for.")] = None,
    kind: Annotated[str | None, typer.Option(help="target, achievement or change.")] = None,
    issuer: Annotated[str | None, typer.Option(help="Part of the name of the body whose document it is.")] = None,
    section: Annotated[str | None, typer.Option("--section", help="Only rows in this part of the document: "
                                                "header, basis, body, annex, signature, recipients, footnote.")] = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False, xlsx: Xlsx = None,
) -> None:
    """Targets, achievements and changes, filtered, with the document that states them.

    Example: minerals query targets --deadline 2030 --kind target --dataset out
    """
    from .query import targets

    _positive(limit)
    _query(targets, dataset, indicator=indicator, deadline=deadline, kind=kind, issuer=issuer, section=section,
           limit=limit, out=_Out(fmt, output, csv, json_out, xlsx))


@query_app.command("sql")
def q_sql(query: str, dataset: DatasetOpt = "out",
          fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False,
          xlsx: Xlsx = None,
          max_rows: Annotated[int, typer.Option(help="Return at most this many rows.")] = 100_000,
          timeout: Annotated[float, typer.Option(help="Stop the query after this many seconds.")] = 300.0) -> None:
    """One read-only SQL statement over the tables (documents, citations, named_laws, dates, quantities, targets,
    entities, errors); "-" reads it from standard input (a query starting with "--" can go there).

    Example: minerals query sql "SELECT doc_type, count(*) FROM citations GROUP BY 1 ORDER BY 2 DESC" --dataset out
    """
    from .query import sql

    out = _Out(fmt, output, csv, json_out, xlsx)
    if query == "-":
        query = sys.stdin.read()
    _query(sql, dataset, query, out=out, max_rows=max_rows, timeout=timeout)


@app.command(name="check", cls=_LegacyArgs)
def check_cmd(
    legacy_dataset: LegacyDataset = None,
    dataset: DatasetOpt = "out",
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only this check (repeatable): "
                                                   "date_vs_number_year, inconsistent_across_archive, "
                                                   "cited_after_citing, type_contradicts_symbol, malformed_number, "
                                                   "lookalike_characters, date_vs_registry.")] = None,
    registry: RegistryOpt = "default",
    fmt: FormatOpt = None, output: OutputOpt = None, csv: Csv = False, json_out: Json = False, xlsx: Xlsx = None,
) -> None:
    """Citation checks: a date that disagrees with its number's year or across the archive, a document cited
    before it was issued, a type word that contradicts the symbol's code, a malformed number, a date that
    disagrees with the registry's. One row per warning with its evidence; exits 0 when there are warnings.

    Example: minerals check -d out --registry my_registry.tsv --format json
    """
    import dataclasses

    import pandas as pd

    from .checks import CitationWarning, check

    dataset = _dataset(legacy_dataset, dataset)
    out = _Out(fmt, output, csv, json_out, xlsx)
    try:
        warnings = check(dataset, kinds=kind or None, registry=registry)
    except ValueError as err:
        _fail(f"--kind: {err}")
    except MineralsError as err:
        _fail(err)
    columns = [f.name for f in dataclasses.fields(CitationWarning)]
    frame = pd.DataFrame([w.to_dict() for w in warnings], columns=columns)
    if out.table:  # the terminal table: file name, not the whole row
        frame = frame.assign(file=frame["path"].map(lambda p: p.rsplit("/", 1)[-1] if isinstance(p, str) else ""))
        frame = frame[["kind", "file", "number", "message", "evidence"]]
    _emit(frame, out)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
