#!/bin/sh
# Install what the tests need (Debian's chromium; never a browser download) and run them all.
set -eu
SITEBOT_EXTRAS="[test]"
. "$(dirname "$0")/setup.sh"
# Debian's chromium for the browser tests; debian-reference-en is a real site the crawl tests serve;
# sqlite3-doc (7.5 MB) is SQLite's hand-written site, whose chrome tests/test_boilerplate.py measures.
[ -x /usr/bin/chromium ] && [ -d /usr/share/debian-reference ] && [ -f /usr/share/doc/sqlite3/index.html ] ||
  apt_install chromium debian-reference-en sqlite3-doc
exec .venv/bin/python -m pytest "$@"
