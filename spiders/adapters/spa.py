"""SPA shells: ``<div id="app">``, ``chunk-vendors``, ``window.__INITIAL_STATE__`` on a
small page with no report words and no known interface.  Nothing to list over HTTP:
the spider renders such a page in the browser, as the last resort."""

from __future__ import annotations

import re

from spiders.adapters.base import Listing, Page

NAME = "spa"
_SHELL_RE = re.compile(r"<div[^>]+id=['\"](?:app|root)['\"][^>]*>\s*</div>|chunk-vendors|__INITIAL_STATE__|__NUXT__|ng-app=", re.I)
_REPORT_WORDS_RE = re.compile(r"年度报告|年报")


def fingerprint(page: Page) -> bool:
    visible = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", page.text, flags=re.S)
    return bool(_SHELL_RE.search(page.text)) and len(page.text) < 30000 and not _REPORT_WORDS_RE.search(visible)


def read(page: Page) -> Listing:
    return Listing(render=True)
