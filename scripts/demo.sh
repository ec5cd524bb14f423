#!/bin/sh
# Build the demo bot for examples/ and serve the example site with the bot on every page,
# on http://127.0.0.1:$PORT/ (PORT=8000 unless set: `PORT=8080 sh scripts/demo.sh`).
set -eu
. "$(dirname "$0")/setup.sh"
echo "Building the demo bot for examples/…" >&2
.venv/bin/sitebot generate examples --base-url / -o examples/_site/chatbot
exec .venv/bin/sitebot serve examples/_site/chatbot --site examples/site --port "${PORT:-8000}"
