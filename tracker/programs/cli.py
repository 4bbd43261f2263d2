"""`flask requirements export|import`: requirement sets as reviewable TOML files."""

from __future__ import annotations

from flask.cli import AppGroup

requirements_cli = AppGroup("requirements", help="Export or import a track's requirement set.")
