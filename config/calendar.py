"""Loads the milestone template (`config/calendar.yaml`, or `ZI_CALENDAR_FILE`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from config.settings import get_settings
from config.yaml_files import read_yaml
from zi_domain.calendar import MilestoneTemplate

BUNDLED_CALENDAR = Path(__file__).parent / "calendar.yaml"


class CalendarError(ValueError):
    """The calendar file cannot be used; the message names the file and the entry."""


def milestone_template() -> tuple[MilestoneTemplate, ...]:
    settings = get_settings()
    path = settings.calendar_file or BUNDLED_CALENDAR
    try:
        data = read_yaml(path)
        entries = list(data["milestones"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise CalendarError(f"{path}: cannot be read as a calendar: {error}") from error
    template = []
    for index, entry in enumerate(entries):
        try:
            template.append(
                MilestoneTemplate(
                    kind=str(entry["kind"]),
                    title=str(entry["title"]),
                    month=int(entry["month"]),
                    day=int(entry["day"]),
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise CalendarError(f"{path}: milestones[{index}]: {error!r}") from error
        if not (1 <= template[-1].month <= 12 and 1 <= template[-1].day <= 31):
            raise CalendarError(f"{path}: milestones[{index}]: no such month-day")
    if settings.proposal_deadline is not None:
        month, day = settings.proposal_deadline
        template = [t for t in template if t.kind != "proposal"]
        template.append(
            MilestoneTemplate("proposal", "Batas pengusulan unit kerja ke TPN", month, day)
        )
    return tuple(template)
