#!/bin/sh
# Install what the tests need (Debian's chromium; never a browser download) and run them all.
set -eu
SITEBOT_EXTRAS="[test]"
. "$(dirname "$0")/setup.sh"
[ -x /usr/bin/chromium ] || apt_install chromium
exec .venv/bin/python -m pytest "$@"
