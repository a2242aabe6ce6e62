"""The compiled-kernel cache (sim/jit.py) follows the sources: an edit anywhere in sim starts a fresh cache.

numba checks a cached kernel against its own file only; a kernel that
inlines a helper from another file would keep the helper's old code after an
edit there (issue 12 found wrong numbers and crashes that way). The cache
folder is therefore named by a hash of every source file of the package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sim.jit

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    copy = tmp_path / "sim"
    shutil.copytree(ROOT / "sim", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sim.jit, "_PACKAGE", copy)
    return copy


def test_an_edit_to_any_source_moves_the_cache_and_removes_the_old_one(package_copy):
    first = sim.jit.cache_folder()
    assert first.parent == package_copy / "__pycache__" and first.name.startswith("numba-")
    assert sim.jit.cache_folder() == first  # same sources, same folder
    (package_copy / "network.py").write_text((package_copy / "network.py").read_text() + "\n# an edit\n")
    second = sim.jit.cache_folder()
    assert second != first and second.is_dir()
    assert not first.exists()  # the cache of sources that no longer exist is gone


def test_the_model_uses_the_cache_folder_of_its_sources():
    code = "import numba, sim.jit; print(numba.config.CACHE_DIR == str(sim.jit.cache_folder()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)})
    assert out.stdout.strip() == "True"


def test_a_users_numba_cache_dir_wins(tmp_path):
    code = "import numba, sim.jit; print(numba.config.CACHE_DIR)"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NUMBA_CACHE_DIR": str(tmp_path / "mine")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == str(tmp_path / "mine")
