#!/bin/sh
# Install what the tests need (Debian's chromium; never a browser download) and run them all.
set -eu
SITEBOT_EXTRAS="[test]"
. "$(dirname "$0")/setup.sh"
# Debian's chromium for the browser tests; debian-reference-en (DocBook) is a real site the crawl
# tests serve, and with python-sqlalchemy-doc (Sphinx) the pages the panel layout tests embed the widget in.
[ -x /usr/bin/chromium ] && [ -d /usr/share/debian-reference ] && [ -d /usr/share/doc/python-sqlalchemy-doc/html ] ||
  apt_install chromium debian-reference-en python-sqlalchemy-doc
exec .venv/bin/python -m pytest "$@"
