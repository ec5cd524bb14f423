#!/bin/sh
# Install what the tests need (Debian's chromium; never a browser download) and run them all.
set -eu
SITEBOT_EXTRAS="[test]"
. "$(dirname "$0")/setup.sh"
# Real sites nobody here wrote: debian-reference-en (DocBook) is what the crawl tests serve;
# python-sqlalchemy-doc (Sphinx) and it are the pages the panel layout tests embed the widget in;
# sqlite3-doc (7.5 MB) is SQLite's hand-written site, whose chrome tests/test_boilerplate.py measures.
[ -x /usr/bin/chromium ] && [ -d /usr/share/debian-reference ] && [ -d /usr/share/doc/python-sqlalchemy-doc/html ] &&
  [ -f /usr/share/doc/sqlite3/index.html ] ||
  apt_install chromium debian-reference-en python-sqlalchemy-doc sqlite3-doc
exec .venv/bin/python -m pytest "$@"
