"""site — the knowledge base as a static web site: a drawn timeline, a page per record, the stance matrix and
histories as charts, disputes, audits and a client-side search, readable from `file://` with no network.

`build(export, options)` gives every page as bytes by its path in the site (`actors/peskov.html`); the command
line writes them into a folder atomically (`talkbase site`), and `talkbase serve` answers requests from the
same mapping. Pages come from Jinja2 templates with autoescaping (templates/), so text from the data is never
markup: every value also goes through records.text.escape_controls first (control and bidi characters shown
as escapes), URLs from the data become links only when they are http(s), and JSON for the page's script is
written with `<`, `>` and `&` escaped. The same knowledge base gives byte-identical pages: nothing in them
depends on the clock but the build date, which is SOURCE_DATE_EPOCH's when set, and shown only then.
"""

from talkbase.show.site.pages import SiteOptions, build, foreign_files, problems_page, static_files

__all__ = ["SiteOptions", "build", "foreign_files", "problems_page", "static_files"]
