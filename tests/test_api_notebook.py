"""The notebook docs/notebooks/compare_policies.ipynb runs top to bottom (issue 10), and is kept without outputs."""

from __future__ import annotations

import nbformat
from conftest import REPO
from nbclient import NotebookClient

NOTEBOOK = REPO / "docs" / "notebooks" / "compare_policies.ipynb"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_notebook_runs_to_the_end(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel's temporary folders (the sweep's) go here
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    last = "".join(o.get("text", "") for o in nb.cells[-2].outputs)
    assert "6 of 6 runs" in last and "> True True" in last and last.strip().endswith("report.html")
    assert any("image/png" in o.get("data", {}) for o in outputs), "the differences were plotted"
