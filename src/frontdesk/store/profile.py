"""A profile directory holds one desk's mirror and settings. Several can live side by side."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_HOME = "FRONTDESK_HOME"
MIRROR_FILE = "mirror.db"


@dataclass(frozen=True)
class Profile:
    home: Path

    @property
    def mirror_path(self) -> Path:
        return self.home / MIRROR_FILE

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> Profile:
        """`--home`, else $FRONTDESK_HOME, else the platform's user data directory."""
        chosen = home or os.environ.get(ENV_HOME) or platformdirs.user_data_dir("frontdesk")
        path = Path(chosen).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        return cls(path)
