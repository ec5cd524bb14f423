"""The starters and the bot title a build would write, for real sites (no embedding, so quick).

    python bench/starters.py [DIR ...]

With no DIR: the demo site and the Debian documentation packages on this machine (the
installation guide, the SQLAlchemy and PostgreSQL manuals, the Debian Reference). The
settings come from the same code path as `sitebot generate` (pipeline._settings).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))

from sitebot.pipeline import GenerateOptions, _settings, read_documents  # noqa: E402

SITES = [
    ROOT / "examples" / "site",
    Path("/usr/share/doc/installation-guide-amd64/en"),
    Path("/usr/share/doc/python-sqlalchemy-doc/html"),
    Path("/usr/share/doc/postgresql-doc-15/html"),
    Path("/usr/share/debian-reference"),  # one folder for all languages: the English pages only
]


def main(folders: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for folder in folders:
            if not folder.is_dir():
                print(f"{folder}: not installed")
                continue
            include = ("*.en.html",) if folder.name == "debian-reference" else ()
            opts = GenerateOptions(source=folder, output=Path(tmp) / "out", include=include)
            docs = read_documents(opts).docs
            settings = _settings(opts, docs)
            print(f"{folder} ({len(docs)} pages)")
            print(f"  title:    {settings['title']!r}")
            for q in settings["starters"] or ["(none)"]:
                print(f"  starter:  {q!r}")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]] or SITES)
