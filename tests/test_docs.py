"""The documentation cannot go stale: the CLI reference is the commands' own help, every `minerals … --option` the
README and docs/ name exists, the site builds with `mkdocs build --strict`, and every relative link leads to a file."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = [README, *sorted(DOCS.glob("*.md"))]


def _load_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "tools" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_the_commands_help():
    expected = _load_tool().generate()
    got = (DOCS / "cli.md").read_text(encoding="utf-8") if (DOCS / "cli.md").is_file() else ""
    assert got == expected, "docs/cli.md is stale: run `python tools/cli_reference.py` and commit docs/cli.md"


def test_cli_reference_is_deterministic(monkeypatch):
    tool = _load_tool()
    first = tool.generate()
    monkeypatch.setenv("COLUMNS", "37")
    monkeypatch.setenv("TERMINAL_WIDTH", "37")
    assert tool.generate() == first


# --- every `minerals <command> … --option` of the docs exists -------------------------------------------------

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
                    re.M | re.S)
_OPERATOR = re.compile(r"\s(?:\|\|?|&&|;|>>?|<|2>)\s|;\s*$")  # a pipe, &&, ;, a redirection: the command ends
_FLAG = re.compile(r"^[\[(]*(--?[A-Za-z][\w-]*)")


def _snippets(text: str) -> list[str]:
    """Command lines in a Markdown page: the lines of code blocks (only the `$ ` lines of a block that has
    prompts; no python blocks) and inline code spans outside them."""
    out = []
    for m in _FENCE.finditer(text):
        if m["info"].strip().lower().startswith(("python", "py", "json")):
            continue
        lines = m["body"].splitlines()
        prompts = [line.strip()[2:] for line in lines if line.strip().startswith("$ ")]
        out += prompts if prompts else lines
    rest = _FENCE.sub("", text)
    out += [span for span in re.findall(r"(?<!`)`([^`\n]+)`(?!`)", rest)]
    return out


def _invocations(line: str) -> list[list[str]]:
    """The `minerals …` commands of one line, each as its words after `minerals`."""
    line = re.sub(r"(^|\s)#.*$", "", line)  # a shell comment
    found = []
    for segment in _OPERATOR.split(line):
        try:
            words = shlex.split(segment, posix=True)
        except ValueError:
            words = segment.split()
        starts = [i for i, w in enumerate(words) if w == "minerals" or w.endswith("/minerals")]
        for n, i in enumerate(starts):
            found.append(words[i + 1 : starts[n + 1] if n + 1 < len(starts) else len(words)])
    return found


def _command_tree():
    import typer

    import minerals.cli

    return typer.main.get_command(minerals.cli.app)


def _options(cmd) -> set[str]:
    names = {"--help"}
    for p in cmd.params:
        if p.param_type_name == "option":
            names.update(p.opts)
            names.update(p.secondary_opts)
    return names


def _resolve(root, words: list[str]):
    """The command the words name, the path to it, and the flags given to it; a word that names no command of
    a group is an error, unless the group sends it to its default command (`minerals graph DATASET`)."""
    cmd, path, flags = root, ["minerals"], []
    for word in words:
        if word.startswith("-") and getattr(cmd, "default_command", None) in getattr(cmd, "commands", {}):
            cmd = cmd.commands[cmd.default_command]  # `minerals graph -d DATASET`: the group's default command
            path.append(cmd.name)
        for alt in word.split("|"):
            if (m := _FLAG.match(alt)) and not alt.startswith("-" * 3):
                flags.append((cmd, " ".join(path), m[1]))
        if word.startswith("-") or word.startswith("["):
            continue
        commands = getattr(cmd, "commands", None)
        if not commands:
            continue
        name = word.split("|")[0]
        if name in commands:
            cmd = commands[name]
            path.append(name)
        elif getattr(cmd, "default_command", None) in commands:
            cmd = commands[cmd.default_command]
            path.append(cmd.name)
        elif re.fullmatch(r"[a-z][a-z-]*", name):
            return cmd, path, flags, f"{' '.join(path)} has no command {name!r}"
        else:
            return cmd, path, flags, None  # a placeholder ("…", "<command>"): nothing more to check
    return cmd, path, flags, None


def _named_options():
    root = _command_tree()
    rows = []
    for page in PAGES:
        for line in _snippets(page.read_text(encoding="utf-8")):
            for words in _invocations(line):
                _, _, flags, error = _resolve(root, words)
                rows.append((page, "minerals " + " ".join(words), flags, error))
    return rows


def test_docs_name_minerals_commands():
    rows = _named_options()
    assert len(rows) > 40, "the parser found hardly any `minerals …` command in the docs"
    assert sum(len(flags) for _, _, flags, _ in rows) > 40, "the parser found hardly any option in the docs"


def test_every_option_the_docs_name_exists():
    bad = []
    for page, line, flags, error in _named_options():
        where = page.relative_to(ROOT)
        if error:
            bad.append(f"{where}: `{line}`: {error}")
        for cmd, path, flag in flags:
            if flag not in _options(cmd):
                bad.append(f"{where}: `{line}`: {path} has no option {flag} (it has {', '.join(sorted(_options(cmd)))})")
    assert not bad, "options the docs name that the commands do not have:\n" + "\n".join(sorted(set(bad)))


def test_the_option_check_catches_a_wrong_option():
    root = _command_tree()
    [words] = _invocations("$ minerals query cited-by 20-CT/TW --no-such-option x | head")
    cmd, path, flags, error = _resolve(root, words)
    assert path == ["minerals", "query", "cited-by"] and error is None
    assert [f for *_, f in flags] == ["--no-such-option"] and "--no-such-option" not in _options(cmd)
    assert _resolve(root, ["quarry", "top"])[3]  # an unknown command
    graph = _resolve(root, ["graph", "out", "-o", "g.html"])
    assert graph[1][:2] == ["minerals", "graph"] and len(graph[1]) == 3  # the group's default command


# --- the site -------------------------------------------------------------------------------------------------

def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs is in the test extra: pip install -e '.[test]'")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                          "-d", str(tmp_path / "site")], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "cli" / "index.html").is_file()


def test_every_docs_page_is_in_the_nav():
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(nav):
        for item in nav:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                yield from pages(value)
            else:
                yield value

    assert sorted(pages(config["nav"])) == sorted(p.name for p in DOCS.glob("*.md"))


def test_readme_is_small_and_standalone():
    data = README.read_bytes()
    assert len(data) < 8 * 1024, f"README.md is {len(data)} bytes; keep it under 8 KB (details go to docs/)"
    assert "../shared" not in data.decode("utf-8")


_LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|^\s*\[[^\]]+\]:\s*(\S+)", re.M)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_to_files(page):
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)
    missing = []
    for m in _LINK.finditer(text):
        target = m[1] or m[2]
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL, or an anchor on the page (mkdocs checks those in docs/)
        path = target.split("#")[0].split("?")[0]
        if not (page.parent / path).exists():
            missing.append(target)
    assert not missing, f"{page.relative_to(ROOT)} links to files that do not exist: {missing}"


def test_the_readme_draws_the_package_as_it_is():
    """Every module and package of minerals/ is named in the README's "How it works" drawing, and every one it
    names exists (issue 19)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## How it works", 1)[1].split("```", 2)[1]
    named = set(re.findall(r"\b([a-z_]+)(?:\.py|/)", block)) - {"minerals"}
    package = ROOT / "minerals"
    real = {p.stem for p in package.glob("*.py") if not p.stem.startswith("__")}
    real |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert real - named == set(), f"not in the README's drawing: {sorted(real - named)}"
    assert named - real == set(), f"in the README's drawing but not in minerals/: {sorted(named - real)}"
