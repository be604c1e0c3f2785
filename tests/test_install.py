"""The program is whole when installed: a wheel built from this checkout, installed into a fresh
virtual environment, runs from another directory with its own workflows, settings, letter
templates and benchmarks (noncoop/resources.py), and says which extra a benchmark needs."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

# The wheel is built once, for the module: its tests stay on one worker of the suite.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("install")]

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("workflows", "config", "letters", "bench")  # setup.py copies them into noncoop/_data/
JUNK = (".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", "*.py[co]",
        ".pytest_cache", ".ruff_cache", "test-output", "*.db", "*.db-wal", "*.db-shm")


def _build_wheel(out: Path) -> Path:
    """Built from a copy of the checkout, so that the checkout's build/ (stale files) neither
    leaks into the wheel nor is written by the test."""
    src = out / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*JUNK))
    # Without build isolation when this interpreter's setuptools builds wheels by itself (70.1+,
    # the [dev] extra): nothing to download. Else pip fetches the build-system's setuptools.
    try:
        local = tuple(int(x) for x in version("setuptools").split(".")[:2]) >= (70, 1)
    except PackageNotFoundError:
        local = False
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q",
                           *(["--no-build-isolation"] if local else []), "-w", str(out / "dist")],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode and "No module named pip" in proc.stderr:
        pytest.skip("cannot build a wheel here: this interpreter has no pip")
    if proc.returncode and not local and "satisfies the requirement setuptools" in proc.stderr:
        pytest.skip(f"cannot build a wheel here: no setuptools 70.1+ installed nor downloadable "
                    f"({proc.stderr.strip().splitlines()[-1]})")
    assert proc.returncode == 0, proc.stderr
    return next((out / "dist").glob("noncoop-*.whl"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("install")
    wheel = _build_wheel(base)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies come from this interpreter's site-packages, appended after the venv's
    # own: the noncoop imported is the wheel's. (`venv --system-site-packages` would not do:
    # made from a venv, it sees the base Python, not the venv's packages.)
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    Path(purelib, "dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=120)
    work = base / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NONCOOP_", "PYTHON"))}
    env["NONCOOP_DATABASE_URL"] = f"sqlite:///{work / 'noncoop.db'}"
    return {"wheel": wheel, "venv": venv, "python": python, "cwd": work, "env": env}


def _noncoop(installed: dict, *args: str, **env: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(installed["venv"] / "bin" / "noncoop"), *args], cwd=installed["cwd"],
                          env={**installed["env"], **env}, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def test_the_wheel_carries_the_workflows_settings_letters_and_benchmarks(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for folder in SHIPPED:
        files = [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files
        missing = [str(p.relative_to(ROOT)) for p in files
                   if f"noncoop/_data/{p.relative_to(ROOT).as_posix()}" not in names]
        assert not missing, f"not in the wheel: {missing}"
    assert "noncoop/_data/workflows/formal.yaml" in names
    assert "noncoop/_data/letters/en/forward_decision.html" in names
    assert "noncoop/_data/config/data/findings.csv" in names


def test_the_installed_program_reads_its_own_files_not_the_checkout(installed):
    proc = subprocess.run([str(installed["python"]), "-c", "import noncoop.resources as r; "
                           "print(r.__file__, r.WORKFLOWS, r.CONFIG, r.LETTERS, r.BENCH)"],
                          cwd=installed["cwd"], env=installed["env"], capture_output=True, text=True,
                          check=True)
    paths = proc.stdout.split()
    assert all(Path(p).is_relative_to(installed["venv"].resolve()) for p in paths), paths


def test_the_installed_program_has_its_french_catalogue(installed):
    """The wheel carries the .po file; it is compiled when first read, with no build step."""
    proc = subprocess.run([str(installed["python"]), "-c", "from noncoop.i18n import tr, po_path; "
                           "print(tr('fr', 'Dashboard')); print(po_path('fr'))"],
                          cwd=installed["cwd"], env=installed["env"], capture_output=True, text=True,
                          check=True)
    word, path = proc.stdout.splitlines()
    assert word == "Tableau de bord"
    assert Path(path).is_relative_to(installed["venv"].resolve()), path


def test_demo_letters_and_bench_run_from_another_directory(installed):
    proc = _noncoop(installed, "demo")
    assert proc.returncode == 0 and "demo loaded: 13 cases" in proc.stdout, proc.stderr
    proc = _noncoop(installed, "letters", "render", "NC-2025-001", "forward_decision")
    assert proc.returncode == 0, proc.stderr
    assert "<html" in proc.stdout and "Hungary" in proc.stdout
    proc = _noncoop(installed, "bench", "--quick", "--only", "letters", "--json")
    assert proc.returncode == 0, proc.stderr
    assert {b["name"] for b in json.loads(proc.stdout)["benchmarks"]} == {"letter_html", "letter_docx"}


def test_a_letters_directory_named_in_the_environment_replaces_the_installed_one(installed):
    mine = installed["cwd"] / "my-letters"
    shutil.copytree(ROOT / "letters", mine, dirs_exist_ok=True)
    template = mine / "en" / "forward_decision.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block body %}", "{% block body %}<p>Our own wording.</p>", 1), encoding="utf-8")
    assert _noncoop(installed, "demo").returncode == 0
    proc = _noncoop(installed, "letters", "render", "NC-2025-001", "forward_decision",
                    NONCOOP_LETTERS_DIR=str(mine))
    assert proc.returncode == 0 and "Our own wording." in proc.stdout, proc.stderr


def test_the_web_benchmark_without_httpx2_names_the_extra_at_once(installed):
    # As a plain install is: neither httpx2 nor the older httpx importable.
    code = ("import sys; sys.modules['httpx2'] = sys.modules['httpx'] = None; "
            "sys.argv = ['noncoop', 'bench', '--quick', '--only', 'letters', '--only', 'web', '--json']; "
            "from noncoop.cli import main; main()")
    proc = subprocess.run([str(installed["python"]), "-c", code], cwd=installed["cwd"],
                          env=installed["env"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    error = json.loads(proc.stdout)["error"]
    assert error["code"] == "bench_unavailable" and "pip install 'noncoop[bench]'" in error["message"]
