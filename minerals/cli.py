"""The command line: argument parsing, printing and exit codes live here, and nothing else does."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import clean, extract, read
from .errors import MineralsError

app = typer.Typer(
    help="Mine Vietnamese administrative documents: citations, dates, numbers, metadata.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

MaxMb = Annotated[float, typer.Option("--max-mb", help="Refuse files larger than this many MB.")]


def _fail(err: Exception) -> None:
    typer.echo(f"minerals: error: {err}", err=True)
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
    """Precision, recall and F1 per field against the gold annotations.

    Example: minerals eval corpus --verbose
    """
    from .evaluate import evaluate, format_report

    try:
        totals, results = evaluate(corpus, gold)
    except MineralsError as err:
        _fail(err)
    typer.echo(format_report(totals, results, verbose=verbose))


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
    archive: Path,
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset folder to write.")] = Path("out"),
) -> None:
    """Mine every document under ARCHIVE into Parquet tables, and print a summary.

    Example: minerals mine corpus --out out
    """
    from rich.console import Console

    from .dataset import mine as run_mine

    console = Console(stderr=True)
    try:
        with console.status("mining…") as status:
            s = run_mine(archive, out, progress=lambda p: status.update(f"mining {p.name}"))
    except MineralsError as err:
        _fail(err)
    rate = s.documents / s.seconds if s.seconds else 0.0
    typer.echo(
        f"{s.documents} documents, {s.pages} pages, {s.citations} citations, {s.named_laws} named laws, "
        f"{s.dates} dates, {s.quantities} quantities, {s.targets} targets, {s.entities} entities, "
        f"{s.errors} errors in {s.seconds:.1f}s ({rate:.0f} documents/s) → {s.out}/"
    )
    if s.top_cited:
        typer.echo("most cited: " + ", ".join(f"{n} ×{k}" for n, k in s.top_cited))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
