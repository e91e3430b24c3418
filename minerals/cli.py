"""The command line: argument parsing, printing and exit codes live here, and nothing else does."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from . import clean, extract, read
from .errors import MineralsError

app = typer.Typer(
    help="Mine Vietnamese administrative documents: citations, dates, numbers, metadata.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

MaxMb = Annotated[float, typer.Option("--max-mb", help="Refuse files larger than this many MB.")]
RegistryOpt = Annotated[str, typer.Option(
    "--registry", help="Known documents (CSV/TSV: number, type, issuer, date, title, status) that fill in cited "
    "documents; 'default' is the registry shipped with minerals, 'none' uses none.")]


def _fail(err: Exception) -> None:
    typer.echo(f"minerals: error: {' '.join(str(err).split())}", err=True)  # one line, whatever the library said
    raise typer.Exit(1)


def _read_clean(file: Path, max_mb: float):
    return clean(read(file, max_bytes=int(max_mb * 1e6)))


@app.command()
def text(file: Path, max_mb: MaxMb = 32) -> None:
    """Print the cleaned text that every offset of `minerals extract` indexes.

    Example: minerals text corpus/seeds/003_34cab656171738ba.txt
    """
    try:
        doc = _read_clean(file, max_mb)
    except MineralsError as err:
        _fail(err)
    sys.stdout.write(doc.text)
    if doc.text and not doc.text.endswith("\n"):
        sys.stdout.write("\n")


@app.command(name="extract")
def extract_cmd(
    file: Path,
    max_mb: MaxMb = 32,
    indent: Annotated[int | None, typer.Option(help="Indent the JSON (default: one line).")] = None,
) -> None:
    """Print one JSON object: document, citations, named laws, dates, quantities, targets (DESIGN.md contract).

    Example: minerals extract corpus/seeds/001_1d392ddcd08d93c9.txt --indent 2
    """
    try:
        doc = extract(_read_clean(file, max_mb))
    except MineralsError as err:
        _fail(err)
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
    html_out: Annotated[Path, typer.Option("--html", help="Where to write the page.")] = Path("minerals-show.html"),
    max_mb: MaxMb = 32,
) -> None:
    """Write an HTML page of FILE with every extracted item highlighted; hover an item for its values.

    Example: minerals show corpus/seeds/004_51401b993265fa13.txt --html seed004.html
    """
    from .show import render_html

    try:
        doc = extract(_read_clean(file, max_mb))
    except MineralsError as err:
        _fail(err)
    html_out.write_text(render_html(doc), encoding="utf-8")
    typer.echo(f"{html_out} ({len(doc.citations)} citations, {len(doc.dates)} dates, "
               f"{len(doc.quantities)} quantities, {len(doc.entities)} entities)")


@app.command()
def mine(
    archive: Annotated[str, typer.Argument(help="Folder, or an fsspec URL (s3://bucket/archive).")],
    out: Annotated[str, typer.Option("--out", "-o", help="Dataset folder or URL to write (or add to).")] = "out",
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")] = None,
    engine: Annotated[str, typer.Option(help="process (this machine) or dask (a cluster).")] = "process",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786; "
                                                       "without it --engine dask starts a LocalCluster.")] = None,
    batch_size: Annotated[int, typer.Option(help="Most documents per committed batch.")] = 256,
    batch_seconds: Annotated[float, typer.Option(help="A batch also commits after this many seconds, so a "
                                                      "killed run loses at most that much work.")] = 30.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    prune: Annotated[bool, typer.Option(help="Also drop the rows of files that no longer exist (rows of files "
                                             "outside ARCHIVE are otherwise kept).")] = False,
    repair: Annotated[bool, typer.Option(help="Drop damaged parts of the dataset first and mine their files "
                                              "again.")] = False,
) -> None:
    """Mine every document under ARCHIVE (.txt .md .html .pdf .docx .doc, and inside .zip) into Parquet
    tables; re-running adds only what changed. Prints a summary.

    Example: minerals mine corpus --out out  (or fsspec URLs: minerals mine s3://bucket/archive --out s3://bucket/ds)
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .dataset import mine as run_mine

    console = Console(stderr=True)
    try:
        if quiet or not console.is_terminal:
            s = run_mine(archive, out, workers=workers, engine=engine, scheduler=scheduler, batch_size=batch_size,
                         batch_seconds=batch_seconds, prune=prune, repair=repair)
        else:
            columns = (TextColumn("mining"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[rate]:.1f} docs/s"), TimeRemainingColumn())
            with Progress(*columns, console=console) as bar:
                task = bar.add_task("mine", total=None, rate=0.0)
                start = __import__("time").perf_counter()

                def tick(done: int, total: int) -> None:
                    rate = done / max(__import__("time").perf_counter() - start, 1e-9)
                    bar.update(task, completed=done, total=total, rate=rate)

                s = run_mine(archive, out, workers=workers, engine=engine, scheduler=scheduler,
                             batch_size=batch_size, batch_seconds=batch_seconds, progress=tick, prune=prune,
                             repair=repair)
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
    `minerals graph DATASET -o OUT` (export) and `minerals graph chain FILE` (an analysis) both work. A dataset
    folder named like a command is reached with `minerals graph export NAME`."""

    default_command = "export"

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


graph_app = typer.Typer(
    cls=_DefaultCommandGroup, no_args_is_help=True,
    help="The legal-reference graph: `minerals graph DATASET` summarizes or exports it; `minerals graph "
         "chain|top|degree|absent|communities` analyse it.",
)
app.add_typer(graph_app, name="graph")


@graph_app.command("export")
def graph(
    dataset: Annotated[Path, typer.Argument(help="The dataset folder `minerals mine` wrote.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (a folder for csv).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="graphml, gexf, json, csv or html "
                                            "(default: from OUT's suffix; a folder is csv).")] = None,
    registry: RegistryOpt = "default",
    max_nodes: Annotated[int | None, typer.Option("--max-nodes", min=1, help="html: beyond this many nodes (default "
                                                  "2000) the page shows the most cited and their neighbours.")] = None,
) -> None:
    """The legal-reference graph: documents (mined and cited, merged by canonical id) and who cites whom, how.
    Without --out, prints a summary. The word `export` may be left out.

    Example: minerals graph out --format graphml -o refs.graphml --registry my_registry.tsv
             (or -o graph.html: an interactive page)
    """
    from .graph import build_graph, check_format, export, format_for, summarize

    try:
        if fmt is not None:
            check_format(fmt)
        g = build_graph(dataset, registry=registry)
        if out is not None:
            written = export(g, fmt or format_for(out), out, max_nodes=max_nodes)
    except MineralsError as err:
        _fail(err)
    s = summarize(g)
    typer.echo(f"{s.nodes} nodes ({s.mined} mined documents, {s.cited_only} cited-only documents), "
               f"{s.edges} edges carrying {s.citations} citations")
    if s.registry is not None:
        typer.echo(f"registry {Path(s.registry).name} ({s.registry_size} known documents): {s.in_registry} nodes "
                   f"found, {s.filled} given a title, date, issuer, type or status")
    if out is None and s.top:
        typer.echo("most cited: " + ", ".join(f"{n} ×{k}" for n, k in s.top))
    elif out is not None:
        typer.echo("→ " + ", ".join(map(str, written)))


query_app = typer.Typer(help="Query a mined dataset (DuckDB, no server).", no_args_is_help=True)
app.add_typer(query_app, name="query")

DatasetOpt = Annotated[str, typer.Option("--dataset", "-d", help="The dataset folder or URL `minerals mine` wrote.")]
Fmt = Annotated[str | None, typer.Option("--format", help="csv, json or xlsx (default: a table).")]


def _emit(frame, csv: bool, json_out: bool, xlsx: Path | None) -> None:
    from .query import spreadsheet_safe, write_xlsx

    if frame.attrs.get("truncated"):
        typer.echo(f"minerals: warning: only the first {len(frame)} rows (raise --max-rows)", err=True)
    if xlsx:
        write_xlsx(frame, xlsx)
        typer.echo(f"{xlsx} ({len(frame)} rows)")
    elif csv:
        sys.stdout.write(spreadsheet_safe(frame).to_csv(index=False))
    elif json_out:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
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


Csv = Annotated[bool, typer.Option("--csv", help="Print CSV.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON records.")]
Xlsx = Annotated[Path | None, typer.Option("--xlsx", help="Write an Excel file.")]
RelationOpt = Annotated[str | None, typer.Option("--relation", help="căn cứ, thực hiện, triển khai, theo, sửa đổi, "
                                                  "bổ sung, …; diacritics optional ('can cu').")]
SectionOpt = Annotated[str | None, typer.Option("--section", help="Only citations in this part of the citing document: header, basis (căn cứ), body, annex, signature, recipients, footnote.")]


def _query(fn, *args, csv=False, json_out=False, xlsx=None, **kwargs) -> None:
    try:
        frame = fn(*args, **kwargs)
    except MineralsError as err:
        _fail(err)
    _emit(frame, csv, json_out, xlsx)


GraphDataset = Annotated[Path, typer.Option("--dataset", "-d", help="The dataset folder `minerals mine` wrote.")]
By = Annotated[str | None, typer.Option("--by", help="Group by doc_type, issuer, level (national/local) or year.")]


def _analysis(fn, dataset: Path, *args, csv=False, json_out=False, **kwargs) -> None:
    from .graph import build_graph

    try:
        frame = fn(build_graph(dataset), *args, **kwargs)
    except MineralsError as err:
        _fail(err)
    _emit(frame, csv, json_out, None)


def _walked(fn, dataset: Path, ref: str, follow, csv: bool, json_out: bool):
    """The graph, the node REF names and ``fn``'s walk from it (chain, implementers); with --csv or --json the
    walk is printed here and None returned."""
    from .analyses import find_node
    from .graph import build_graph

    try:
        g = build_graph(dataset)
        root = find_node(g, ref)
        frame = fn(g, root, follow=follow)
    except MineralsError as err:
        _fail(err)
    if csv or json_out:
        _emit(frame, csv, json_out, None)
        return None
    return g, root, frame


@graph_app.command("chain")
def g_chain(
    file: Annotated[str, typer.Argument(help="A mined file (its path), or a number in the graph.")],
    dataset: GraphDataset = Path("out"),
    every_relation: Annotated[bool, typer.Option("--every-relation", help="Follow every citation, not only "
                                                 "the implementing ones (thực hiện, triển khai, căn cứ, …).")] = False,
    csv: Csv = False, json_out: Json = False,
) -> None:
    """The documents FILE implements, hop by hop (relation and sentence), up to the national ones; the
    national documents the chain ends at are marked ⇧.

    Example: minerals graph chain corpus/seeds/001_1d392ddcd08d93c9.txt --dataset out
    """
    from .analyses import chain
    from .graph import UNKNOWN_RELATION

    walked = _walked(chain, dataset, file, None if every_relation else (), csv, json_out)
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
    dataset: GraphDataset = Path("out"),
    relation: RelationOpt = None,
    every_relation: Annotated[bool, typer.Option("--every-relation", help="Follow every citation, not only "
                                                 "the implementing ones.")] = False,
    csv: Csv = False, json_out: Json = False,
) -> None:
    """The documents that implement NUMBER, directly or through a chain, each with the path down to it and
    the sentence of every hop (relations stated between cited documents count: a plan based on Nghị quyết
    71/NQ-CP, the action programme for 57-NQ/TW, implements 57-NQ/TW through it).

    Example: minerals graph implementers 57-NQ/TW --dataset out
    """
    from . import patterns
    from .analyses import implementers

    try:
        follow = None if every_relation else ((patterns.relation_named(relation),) if relation else ())
    except ValueError as err:
        _fail(MineralsError(f"--relation: {err}"))
    walked = _walked(implementers, dataset, number, follow, csv, json_out)
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
def g_top(dataset: GraphDataset = Path("out"), by: By = None,
          limit: Annotated[int, typer.Option(help="How many (per group with --by).")] = 20,
          csv: Csv = False, json_out: Json = False) -> None:
    """The most cited documents of the graph (citations, then citing documents), overall or per group.

    Example: minerals graph top --by doc_type --limit 3 --dataset out
    """
    from .analyses import most_cited

    _analysis(most_cited, dataset, top=limit, by=by, csv=csv, json_out=json_out)


@graph_app.command("degree")
def g_degree(dataset: GraphDataset = Path("out"),
             by: Annotated[str, typer.Option("--by", help="doc_type, issuer, level, year, or relation (the archive's "
                                             "relation counts).")] = "doc_type",
             csv: Csv = False, json_out: Json = False) -> None:
    """In- and out-degree per type, issuer, level or year: distinct links and citation rows each way; with
    --by relation, how many citations, links, citing and cited documents each relation has, and the relations
    stated between two cited documents.

    Example: minerals graph degree --by relation --dataset out
    """
    from .analyses import degree_table

    _analysis(degree_table, dataset, by=by, csv=csv, json_out=json_out)


@graph_app.command("absent")
def g_absent(dataset: GraphDataset = Path("out"), csv: Csv = False, json_out: Json = False) -> None:
    """Documents cited but not in the archive, most citing documents first: what to add next.

    Example: minerals graph absent --dataset out --csv > missing.csv
    """
    from .analyses import absent

    _analysis(absent, dataset, csv=csv, json_out=json_out)


@graph_app.command("communities")
def g_communities(dataset: GraphDataset = Path("out"),
                  seed: Annotated[int, typer.Option(help="Louvain's random seed.")] = 0,
                  csv: Csv = False, json_out: Json = False) -> None:
    """Groups of documents that cite each other (Louvain on the undirected graph weighted by citations):
    size, types and most cited members.

    Example: minerals graph communities --dataset out
    """
    from .analyses import communities

    _analysis(communities, dataset, seed=seed, csv=csv, json_out=json_out)


@query_app.command("citations")
def q_citations(
    dataset: DatasetOpt = "out",
    number: Annotated[str | None, typer.Option(help="A number in any spelling.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Document type, e.g. 'Nghị định' ('nghi dinh', 'NĐ').")] = None,
    issuer: Annotated[str | None, typer.Option(help="Part of the issuer's name.")] = None,
    year: Annotated[int | None, typer.Option(help="Year of the cited document.")] = None,
    relation: RelationOpt = None,
    cited_by: Annotated[str | None, typer.Option("--cited-by", help="Only citations made by this file.")] = None,
    section: SectionOpt = None,
    csv: Csv = False, json_out: Json = False, xlsx: Xlsx = None,
) -> None:
    """Citation rows, filtered.

    Example: minerals query citations --type "Nghị định" --year 2007 --dataset out
    """
    from .query import citations

    _query(citations, dataset, number=number, doc_type=type_, issuer=issuer, year=year, relation=relation,
           cited_by=cited_by, section=section, csv=csv, json_out=json_out, xlsx=xlsx)


@query_app.command("cited-by")
def q_cited_by(number: str, dataset: DatasetOpt = "out", section: SectionOpt = None, relation: RelationOpt = None,
               csv: Csv = False, json_out: Json = False, xlsx: Xlsx = None) -> None:
    """Which documents cite NUMBER, with the sentence around each citation.

    Example: minerals query cited-by 20-CT/TW --relation "thuc hien" --dataset out
    """
    from .query import cited_by

    _query(cited_by, dataset, number, section=section, relation=relation, csv=csv, json_out=json_out, xlsx=xlsx)


@query_app.command("top")
def q_top(dataset: DatasetOpt = "out",
          by: Annotated[str | None, typer.Option(help="Group by type or year.")] = None,
          limit: Annotated[int, typer.Option(help="How many.")] = 20, section: SectionOpt = None,
          csv: Csv = False, json_out: Json = False, xlsx: Xlsx = None) -> None:
    """The most cited documents.

    Example: minerals query top --by type --dataset out
    """
    from .query import top

    _query(top, dataset, by=by, limit=limit, section=section, csv=csv, json_out=json_out, xlsx=xlsx)


@query_app.command("targets")
def q_targets(
    dataset: DatasetOpt = "out",
    indicator: Annotated[str | None, typer.Option(help="Part of the indicator, e.g. 'tỷ lệ hộ nghèo'.")] = None,
    deadline: Annotated[int | None, typer.Option(help="The year the target is for.")] = None,
    kind: Annotated[str | None, typer.Option(help="target, achievement or change.")] = None,
    issuer: Annotated[str | None, typer.Option(help="Part of the name of the body whose document it is.")] = None,
    section: Annotated[str | None, typer.Option("--section", help="Only rows in this part of the document: "
                                                "header, basis, body, annex, signature, recipients, footnote.")] = None,
    csv: Csv = False, json_out: Json = False, xlsx: Xlsx = None,
) -> None:
    """Targets, achievements and changes, filtered, with the document that states them.

    Example: minerals query targets --deadline 2030 --kind target --dataset out
    """
    from .query import targets

    _query(targets, dataset, indicator=indicator, deadline=deadline, kind=kind, issuer=issuer, section=section,
           csv=csv, json_out=json_out, xlsx=xlsx)


@query_app.command("sql")
def q_sql(query: str, dataset: DatasetOpt = "out", csv: Csv = False, json_out: Json = False,
          xlsx: Xlsx = None,
          max_rows: Annotated[int, typer.Option(help="Return at most this many rows.")] = 100_000,
          timeout: Annotated[float, typer.Option(help="Stop the query after this many seconds.")] = 300.0) -> None:
    """One read-only SQL statement over the tables (documents, citations, named_laws, dates, quantities, targets,
    entities, errors); "-" reads it from standard input (a query starting with "--" can go there).

    Example: minerals query sql "SELECT doc_type, count(*) FROM citations GROUP BY 1 ORDER BY 2 DESC" --dataset out
    """
    from .query import sql

    if query == "-":
        query = sys.stdin.read()
    _query(sql, dataset, query, csv=csv, json_out=json_out, xlsx=xlsx, max_rows=max_rows, timeout=timeout)


@app.command(name="check")
def check_cmd(
    dataset: Annotated[str, typer.Argument(help="The dataset folder or URL `minerals mine` wrote.")],
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only this check (repeatable): "
                                                   "date_vs_number_year, inconsistent_across_archive, "
                                                   "cited_after_citing, type_contradicts_symbol, malformed_number, "
                                                   "date_vs_registry.")] = None,
    registry: RegistryOpt = "default",
    csv: Csv = False, json_out: Json = False,
) -> None:
    """Citation checks: a date that disagrees with its number's year or across the archive, a document cited
    before it was issued, a type word that contradicts the symbol's code, a malformed number, a date that
    disagrees with the registry's. One row per warning with its evidence; exits 0 when there are warnings.

    Example: minerals check out --registry my_registry.tsv --json
    """
    import dataclasses

    import pandas as pd

    from .checks import CitationWarning, check

    try:
        warnings = check(dataset, kinds=kind or None, registry=registry)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--kind") from err
    except MineralsError as err:
        _fail(err)
    columns = [f.name for f in dataclasses.fields(CitationWarning)]
    frame = pd.DataFrame([w.to_dict() for w in warnings], columns=columns)
    if not (csv or json_out):  # the terminal table: file name, not the whole row
        frame = frame.assign(file=frame["path"].map(lambda p: p.rsplit("/", 1)[-1] if isinstance(p, str) else ""))
        frame = frame[["kind", "file", "number", "message", "evidence"]]
    _emit(frame, csv, json_out, None)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
