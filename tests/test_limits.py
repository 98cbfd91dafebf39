"""The bounds themselves: the YAML loader, child processes, and limits an author raises."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hostile_cases import BOOK, CHAPTER
from hostile_cases_bounds import LAUGHS
from publish.commands.cli import main
from publish.limited import LimitHit, run_limited
from publish.project.config_limits import DEFAULT_LIMITS, Limits
from publish.project.yaml_safe import YamlRefused, compose_yaml, load_yaml
from publish.render.pandoc import run_pandoc


def write_project(root, chapter: str, extra: str = ""):
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "book.yaml").write_text(BOOK + extra)
    (root / "manuscript" / "ch.md").write_text(CHAPTER + chapter)
    return root


def test_the_alias_bomb_is_refused_before_it_grows():
    started = time.monotonic()
    with pytest.raises(YamlRefused) as refused:
        load_yaml(LAUGHS)
    assert refused.value.code == "LIM001"
    assert refused.value.problem_mark.line + 1 == 2  # l1's first alias, on the second line
    assert time.monotonic() - started < 1


def test_plain_yaml_still_loads_with_its_dates_and_anchors():
    data = load_yaml("a: &first [1, {b: 2026-11-28}]\nc: text\n")
    assert data["a"][1]["b"].isoformat() == "2026-11-28"
    assert compose_yaml("x: 1\n").value[0][1].value == "1"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x: !!python/name:os.system\n", "LIM003"),
        ("x: " + "[" * 65 + "]" * 65, "LIM002"),
        ("x: " + "y" * (1024 * 1024 + 1), "LIM004"),
    ],
    ids=["foreign-tag", "too-deep", "too-large"],
)
def test_yaml_refusals_carry_their_code(text, code):
    with pytest.raises(YamlRefused) as refused:
        load_yaml(text)
    assert refused.value.code == code


def test_an_impossible_date_is_a_yaml_error_at_its_line():
    with pytest.raises(yaml.YAMLError) as error:
        load_yaml("title: x\ndate: 2026-13-45\n")
    assert error.value.problem_mark.line + 1 == 2


def test_a_child_past_its_wall_clock_is_killed():
    limits = Limits(child_seconds=1)
    started = time.monotonic()
    with pytest.raises(LimitHit) as hit:
        run_limited([sys.executable, "-c", "import time; time.sleep(30)"], b"", limits, "sleeper")
    assert hit.value.code == "LIM010"
    assert "sleeper ran past its 1 s limit" in hit.value.message
    assert time.monotonic() - started < 10


def test_pandoc_past_its_memory_limit_is_lim011():
    with pytest.raises(LimitHit) as hit:
        run_pandoc("# A heading\n", limits=Limits(child_memory_mb=32))
    assert hit.value.code == "LIM011"
    html, _warnings = run_pandoc("# A heading\n", limits=DEFAULT_LIMITS)
    assert "A heading</h1>" in html


def test_a_memory_limit_hit_in_a_build_names_the_chapter(tmp_path):
    project = write_project(tmp_path / "book", "Words.\n", "limits: {child_memory_mb: 32}\n")
    result = CliRunner().invoke(main, ["build", str(project), "-j", "1", "--format", "epub"])
    assert result.exit_code == 1, result.output
    assert "manuscript/ch.md:1:1: ERROR LIM011 pandoc ran past its 32 MB" in result.stderr
    assert "internal error" not in result.output


def test_an_author_raises_a_limit_in_book_yaml(tmp_path):
    nested = "".join("  " * depth + "- item\n" for depth in range(120))
    refused = write_project(tmp_path / "refused", nested)
    result = CliRunner().invoke(main, ["check", str(refused)])
    assert result.exit_code == 1
    assert "manuscript/ch.md:105:1: ERROR LIM006 lists or quotes nested 101 deep" in result.output
    raised = write_project(tmp_path / "raised", nested, "limits:\n  max_nesting: 200\n")
    result = CliRunner().invoke(main, ["check", str(raised)])
    assert "LIM006" not in result.output, result.output


def test_brackets_and_runs_inside_code_are_not_counted(tmp_path):
    code = "```\n" + "[" * 40 + "<" * 2000 + "\n```\n\n`" + "[" * 40 + "`\n"
    project = write_project(tmp_path / "book", code)
    result = CliRunner().invoke(main, ["check", str(project)])
    assert "LIM0" not in result.output, result.output


def _allocate() -> None:
    bytearray(2 * 1024**3)


def _sleep() -> None:
    time.sleep(30)


def _tasks(run) -> list:
    from types import SimpleNamespace

    from publish.engine.runner import Task

    return [Task("full", SimpleNamespace(name=f"task{i}"), "key", run, 1.0) for i in range(2)]


def test_a_build_worker_past_its_memory_limit_is_lim011():
    # the workers themselves: TaskRunner runs tasks in-process while other threads run
    from publish.engine.runner import _Workers
    from publish.errors import PublishError

    workers = _Workers(_tasks(_allocate), 2, Limits(child_memory_mb=256))
    with pytest.raises(PublishError, match=r"LIM011 full-task[01] ran past its 256 MB memory"):
        list(workers.results([0, 1]))


def test_a_build_worker_past_its_time_limit_is_lim010():
    # the workers themselves: TaskRunner runs tasks in-process while other threads run
    from publish.engine.runner import _Workers
    from publish.errors import PublishError

    started = time.monotonic()
    workers = _Workers(_tasks(_sleep), 2, Limits(task_seconds=1))
    with pytest.raises(PublishError, match="LIM010 no build task finished within its 1 s"):
        list(workers.results([0, 1]))
    assert time.monotonic() - started < 10


def _start_a_child_then_sleep(pid_file) -> None:
    child = subprocess.Popen(["sleep", "60"])
    pid_file.write_text(str(child.pid), encoding="ascii")
    time.sleep(30)


def test_a_worker_ended_early_takes_what_it_started_with_it(tmp_path):
    """A worker stopped at a limit ends with every process it started (a PDF's part
    workers and its join would otherwise wait on a dead pipe for good)."""
    from publish.engine.runner import _Workers
    from publish.errors import PublishError

    pid_file = tmp_path / "child.pid"
    tasks = _tasks(lambda: _start_a_child_then_sleep(pid_file))
    with pytest.raises(PublishError, match="LIM010"):
        list(_Workers(tasks, 2, Limits(task_seconds=2)).results([0, 1]))
    child = int(pid_file.read_text(encoding="ascii"))
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # killed; its parent gone, init reaps it
    status = Path(f"/proc/{child}/status")
    assert not status.exists() or "State:\tZ" in status.read_text()
