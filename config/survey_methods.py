"""Finds and loads the survey methods (config/surveys/*.yaml; format in the bundled file's
header): the questionnaire, scale and formula behind IPAK and IPKP, versioned like the LKE."""

from __future__ import annotations

from pathlib import Path

import yaml

from config.yaml_files import read_yaml
from zi_domain.surveys import SurveyMethod, SurveyMethodError, method_from_data

SURVEYS_DIR = Path(__file__).parent / "surveys"
DEFAULT_METHOD = "ipak-ipkp-2024"


def installed_methods() -> list[str]:
    return sorted(path.stem for path in SURVEYS_DIR.glob("*.yaml"))


def load_survey_method(name: str | None = None) -> SurveyMethod:
    """The named method (default: DEFAULT_METHOD), validated."""
    wanted = name or DEFAULT_METHOD
    if wanted not in installed_methods():
        known = ", ".join(installed_methods()) or "tidak ada"
        raise SurveyMethodError(f"metode survei {wanted!r} tidak terpasang (yang ada: {known})")
    return load_survey_method_file(SURVEYS_DIR / f"{wanted}.yaml")


def load_survey_method_file(path: Path) -> SurveyMethod:
    """A method file, read and validated (a few kilobytes: read at each use, never cached, so an
    edited file counts at once)."""
    try:
        data = read_yaml(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SurveyMethodError(f"{path.name}: tidak dapat dibaca: {error}") from error
    method = method_from_data(data, source=path.name)
    if method.name != path.stem:
        raise SurveyMethodError(f"{path.name}: nama {method.name!r} berbeda dari nama berkas")
    return method
