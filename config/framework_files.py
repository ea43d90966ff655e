"""Finds and loads the installed LKE framework files (YAML, see frameworks/FORMAT.md).

Bundled files live in `config/frameworks/`; an operator may add more in `ZI_FRAMEWORKS_DIR`,
which is searched first, so a new regulation needs a file and no code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from config.settings import get_settings
from config.yaml_files import read_yaml
from zi_domain.framework import Framework
from zi_domain.framework_data import FrameworkError, framework_from_data

BUNDLED_DIR = Path(__file__).parent / "frameworks"


@dataclass(frozen=True)
class InstalledFramework:
    name: str
    path: Path


def framework_dirs() -> list[Path]:
    extra = get_settings().frameworks_dir
    return [extra, BUNDLED_DIR] if extra is not None else [BUNDLED_DIR]


def installed_frameworks() -> list[InstalledFramework]:
    """Every framework file found, the first folder winning when a name repeats."""
    found: dict[str, InstalledFramework] = {}
    for folder in framework_dirs():
        for path in sorted(folder.glob("*.yaml")):
            found.setdefault(path.stem, InstalledFramework(name=path.stem, path=path))
    return sorted(found.values(), key=lambda f: f.name)


def load_framework(name: str | None = None) -> Framework:
    """The named framework (default: the configured one), validated."""
    wanted = name or get_settings().framework
    for installed in installed_frameworks():
        if installed.name == wanted:
            return load_framework_file(installed.path)
    known = ", ".join(f.name for f in installed_frameworks()) or "none"
    raise FrameworkError(f"framework '{wanted}' is not installed (installed: {known})")


def load_framework_file(path: Path) -> Framework:
    stat = path.stat()
    return _load(path.resolve(), stat.st_mtime_ns, stat.st_size)


@cache
def _load(path: Path, _mtime_ns: int, _size: int) -> Framework:
    """Parsed once per file version: the key includes mtime and size."""
    try:
        data = read_yaml(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise FrameworkError(f"{path.name}: cannot be read: {error}") from error
    framework = framework_from_data(data, source=path.name)
    if framework.name != path.stem:
        raise FrameworkError(f"{path.name}: name '{framework.name}' differs from the file name")
    return framework
