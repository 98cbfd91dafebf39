"""Shared fixtures: built books, and the slow tier's marking."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO, copy_project
from publish.engine.build import build

# Tests that use these fixtures build whole books: they belong to the slow tier.
SLOW_FIXTURES = {"bundled_build", "mini_build", "ace_env"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory) -> Path:
    """The bundled book, built once per test session (all editions and formats)."""
    project = copy_project(REPO, tmp_path_factory.mktemp("bundled"))
    build(project)
    return project / "build"


@pytest.fixture(scope="session")
def mini_build(tmp_path_factory) -> Path:
    """tests/fixtures/mini, built once per session."""
    project = copy_project(FIXTURES / "mini", tmp_path_factory.mktemp("mini"))
    build(project)
    return project / "build"


@pytest.fixture
def ace_env() -> dict:
    env = dict(os.environ)
    env["PUPPETEER_EXECUTABLE_PATH"] = shutil.which("chromium") or ""
    return env
