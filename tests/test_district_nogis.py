"""Without the GIS extra: ``sim`` imports and runs the synthetic district; a district scenario is refused (exit 2)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

#: Runs in a fresh interpreter with the GIS libraries made unimportable.
SCRIPT = """
import sys
for name in ("geopandas", "shapely", "pyproj", "pyogrio", "openpyxl"):
    sys.modules[name] = None  # import fails, as if not installed
import sim
model = sim.CommunityModel("scenarios/baseline.yaml", rng=1, steps=2, **{"world.residents": 2000}).run()
assert model.layout.district is None and model.outcomes["coverage"] > 0
try:
    sim.load_scenario("scenarios/example_district.yaml")
except sim.ScenarioError as exc:
    print(exc.lines()[0])
import run
sys.exit(run.main(["validate", "scenarios/example_district.yaml"]))
"""


def test_sim_works_without_the_gis_libraries_and_refuses_districts():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert "world.district" in done.stdout and 'pip install -e ".[gis]"' in done.stdout
    assert "example_district.yaml" in done.stdout.splitlines()[0]  # located at the scenario's world.district line
    assert "Traceback" not in done.stderr
