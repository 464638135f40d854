"""The image holds every package the distribution installs: the Containerfile copies each one
pyproject.toml names, and .dockerignore lets each into the build context."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _packages() -> set[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}


def test_the_containerfile_copies_every_installed_package():
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Containerfile").read_text(), re.M))
    assert copied == _packages()


def test_the_build_context_lets_every_package_in():
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    assert _packages() <= allowed
    assert {
        "pyproject.toml",
        "constraints.txt",
        "ops/entrypoint.sh",
        "ops/healthcheck.py",
    } <= allowed
