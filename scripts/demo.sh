#!/bin/sh
# Build the demo bot for examples/ and serve the example site with the bot on every page.
set -eu
. "$(dirname "$0")/setup.sh"
.venv/bin/sitebot generate examples --base-url / -o examples/_site/chatbot
exec .venv/bin/sitebot serve examples/_site/chatbot --site examples/site --port "${PORT:-8000}"
