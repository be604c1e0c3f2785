"""The one build step pyproject.toml cannot declare: the procedure files, settings, letter
templates and benchmarks are kept at the top of the repository, outside the package, and an
installed noncoop needs them. The wheel carries a copy of each in noncoop/_data/, where
noncoop/resources.py looks first."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA = ("workflows", "config", "letters", "bench")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's own folders
            return
        for name in DATA:
            target = Path(self.build_lib, "noncoop", "_data", name)
            shutil.rmtree(target, ignore_errors=True)  # no file deleted from git lingers in build/
            shutil.copytree(name, target, ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"))


setup(cmdclass={"build_py": BuildWithData})
