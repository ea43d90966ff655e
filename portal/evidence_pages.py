"""Placeholder: this module's pages are being built (issue 14)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
