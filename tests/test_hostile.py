"""Issue 13: trying to break sitebot as an attacker and as a clumsy owner would.

Every promise stands next to its test: one sentence and exit 1, nothing of the owner's lost,
nothing leaked. The numbers are the cases of the issue; "held" cases were already true and are
kept true here. Each section is owned by one area of the code (named in its heading).
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Data loss — bundle/writer.py, deploy/plan.py
# 1. `generate -o` refuses a folder holding anything but a bundle's own files (a deployed site root).
# 2. deploy without its record never overwrites an existing, different index.html / snippet.html.
# 17. Leftovers: stale .tmp folders cleaned, SIGTERM handled, a half-done swap finished, git temp
#     folders holding a token removed.

# ---------------------------------------------------------------------------------------------
# Leaks in `sitebot serve` — serve.py
# 3. Path traversal in serve --site.
# 4. serve --llm refuses a DNS-rebinding Host.
# 13. serve --llm body lengths (Content-Length: abc, -1).

# ---------------------------------------------------------------------------------------------
# Leaks through the proxy and secrets — data/templates/proxy/*, checks.py, deploy
# 5. The proxy's rate limit behind a front proxy (rightmost hop, CF-Connecting-IP).
# 6. The proxy forwards only an allow-list of fields.
# 7. Secrets in public URLs: the whole family of names refused.
# 8. A password in --endpoint-url is masked.

# ---------------------------------------------------------------------------------------------
# Wrong content and crashes while reading a site — text/sources.py, text/extract.py
# Symlinks outside the site are skipped (generate, serve, deploy), and named.
# 9. Deeply nested HTML: iterative walk, bounded work, the page skipped with its reason.
# 10. A non-UTF-8 file name.
# 14. A binary file named .html is skipped.
# 15. UTF-16/UTF-32 pages with a BOM, or declared UTF-16.

# ---------------------------------------------------------------------------------------------
# Crashes and unclear errors — index/embed.py, options.py, deploy/
# 11. A broken cache: one sentence, moved aside, rebuilt.
# 12. Bad paths and URLs: --report to a missing folder, --base-url 'https://[::1/', deploy --endpoint-url 'not a url'.
# 16. Incomplete bundles refused before anything is sent (every file the manifest and runtime need, by hash).

# ---------------------------------------------------------------------------------------------
# Held today; kept held
