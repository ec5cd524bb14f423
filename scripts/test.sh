#!/bin/sh
# Install what the tests need (Debian's chromium; never a browser download) and run them all.
set -eu
SITEBOT_EXTRAS="[test]"
. "$(dirname "$0")/setup.sh"
# Debian's chromium for the browser tests; debian-reference-en is a real site the crawl tests serve.
[ -x /usr/bin/chromium ] && [ -d /usr/share/debian-reference ] || apt_install chromium debian-reference-en
exec .venv/bin/python -m pytest "$@"
