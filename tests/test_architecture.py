"""The pipeline's seams: outputs from a registry, builds that never meet, light `check`."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO, copy_project
from publish.engine.build import Build, build
from publish.engine.staging import OutputTree
from publish.outputs.base import Output, OutputJob
from publish.outputs.manifest import Artifact
from publish.outputs.registry import CHEATSHEETS, EPUB, OUTPUTS, PDF, TEMPLATES, select
from publish.project.loader import load_project

SOURCE = REPO / "src" / "publish"
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


def write_word_count(job: OutputJob) -> list[Artifact]:
    """A throwaway output: the edition's reading words in a text file."""
    path = job.folder / "words.txt"
    job.tree.write(path, f"{job.edition.reading_words}\n".encode())
    return [job.describe(path, "txt", title=job.edition.name)]


WORD_COUNT = Output("word-count", write_word_count, needs_html=False, needs_pdf_engine=False)


@pytest.mark.slow
def test_an_output_registered_in_a_test_is_built_and_listed(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    result = build(project, formats=("word-count",), outputs=(*OUTPUTS, WORD_COUNT), jobs=1)
    words = {e: load_project(project).editions[e].reading_words for e in ("full", "sample")}
    for edition, count in words.items():
        assert (project / "build" / edition / "words.txt").read_text() == f"{count}\n"
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    listed = {(a["path"], a["format"]) for a in manifest["artifacts"]}
    assert listed == {("full/words.txt", "txt"), ("sample/words.txt", "txt")}
    assert [a.path for a in result.artifacts] == ["full/words.txt", "sample/words.txt"]


def test_format_groups_expand_and_unknown_names_select_nothing():
    assert select(("printables",)) == (CHEATSHEETS, TEMPLATES)
    assert select(("pdf", "epub")) == (EPUB, PDF)
    # The web edition is built only when asked for by name.
    assert select(None) == tuple(output for output in OUTPUTS if output.name != "web")
    assert [output.name for output in select(("web",))] == ["web"]


def _prepared(tmp_path: Path, edition: str, source: Path = FIXTURES / "mini") -> Build:
    """A build of a project prepared and rendered, but with nothing written."""
    project = load_project(copy_project(source, tmp_path / "book"))
    run = Build(project, OutputTree(tmp_path / "out"), (edition,), OUTPUTS, lambda _: None)
    run.prepare()
    run.render({edition}, needs_pdf_engine=True)
    return run


@pytest.mark.slow
@pytest.mark.parametrize("output", [EPUB, PDF], ids=lambda o: o.name)
def test_each_edition_output_writes_from_a_prepared_edition(tmp_path, output):
    run = _prepared(tmp_path, "sample")
    artifacts = output.write(run.job("sample", output))
    assert [a.format for a in artifacts] == [output.name]
    written = tmp_path / "out" / artifacts[0].path
    assert not written.exists(), "nothing lands before the build commits"
    run.tree.commit()
    data = written.read_bytes()
    assert len(data) == artifacts[0].bytes
    if output is EPUB:
        assert zipfile.ZipFile(written).namelist()[0] == "mimetype"
    else:
        assert data.startswith(b"%PDF-")


@pytest.mark.slow
@pytest.mark.parametrize("output", [CHEATSHEETS, TEMPLATES], ids=lambda o: o.name)
def test_each_printable_output_writes_from_a_prepared_project(tmp_path, output):
    run = _prepared(tmp_path, "full", REPO)
    job = run.job("full", output)
    assert job.context is None, "printables need no rendered edition"
    artifacts = output.write(job)
    book = run.project.book
    expected = len(book.cheatsheets) * 4 if output is CHEATSHEETS else len(book.templates) * 2
    assert len(artifacts) == expected
    run.tree.commit()
    for artifact in artifacts:
        assert artifact.path.startswith(f"full/{output.name}/")
        assert (tmp_path / "out" / artifact.path).stat().st_size == artifact.bytes


def _shas(out: Path) -> dict[str, str]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {a["path"]: a["sha256"] for a in manifest["artifacts"]}


@pytest.mark.slow
def test_builds_in_one_process_match_separate_processes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    books = {
        name: copy_project(FIXTURES / name, tmp_path / "alone" / name)
        for name in ("mini", "cheatsheet-tight", "fidelity")  # fidelity has a PNG image
    }
    publish = Path(sys.executable).parent / "publish"
    for project in books.values():
        subprocess.run([str(publish), "build", str(project), "-q"], check=True)
    expected = {name: _shas(project / "build") for name, project in books.items()}

    for name in books:  # one after the other, in this process
        project = copy_project(FIXTURES / name, tmp_path / "sequential" / name)
        build(project)
        assert _shas(project / "build") == expected[name]

    threads, errors = [], []
    for name in books:  # at the same time, from two threads
        project = copy_project(FIXTURES / name, tmp_path / "threaded" / name)
        thread = threading.Thread(target=_build_into, args=(project, errors))
        threads.append((name, project, thread))
        thread.start()
    for _name, _project, thread in threads:
        thread.join()
    assert not errors
    for name, project, _thread in threads:
        assert _shas(project / "build") == expected[name]


def _build_into(project: Path, errors: list) -> None:
    try:
        build(project)
    except Exception as exc:  # reported by the test's own thread
        errors.append(exc)


def test_check_imports_no_renderer():
    code = (
        "import sys; from publish.commands.cli import main\n"
        "try: main(['check', sys.argv[1]])\n"
        "except SystemExit: pass\n"
        "heavy = {'weasyprint', 'ebooklib', 'pydyf', 'pypandoc'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(SOURCE).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SOURCE.rglob("*.py"))
    ]


def test_no_module_level_mutable_state():
    """No `global`, and no module-level name bound to a mutable container that code
    could change (upper-case constants are read-only tables by convention)."""
    found = []
    for name, tree in _modules():
        found += [f"{name}: global" for node in ast.walk(tree) if isinstance(node, ast.Global)]
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            mutable = isinstance(getattr(node, "value", None), ast.List | ast.Dict | ast.Set)
            for target in targets:
                if mutable and isinstance(target, ast.Name) and not target.id.isupper():
                    found.append(f"{name}: {target.id}")
    assert found == []


def test_outputs_never_import_the_engine():
    offenders = []
    for name, tree in _modules():
        if not name.startswith("outputs/"):
            continue
        for node in ast.walk(tree):
            module = node.module or "" if isinstance(node, ast.ImportFrom) else ""
            if module.split(".")[0] == "engine" or module.startswith("publish.engine"):
                offenders.append(f"{name}: {node.module}")
    assert offenders == []


def test_only_the_engine_seam_touches_weasyprint():
    users = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            imported = []
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                imported = [node.module or ""]
            if any(m.split(".")[0] in ("weasyprint", "pydyf") for m in imported):
                users.append(name)
    assert users == ["render/pdf_engine.py", "render/pdf_engine.py"]


def test_no_private_attributes_of_dependencies_outside_the_seam():
    """`._page_box` and the like are used in the engine seam only."""
    private = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("_page_box", "_write_opf_file"):
                private.append(name)
    assert set(private) <= {"render/pdf_engine.py"}
