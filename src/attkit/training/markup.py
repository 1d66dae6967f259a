"""Course text from Markdown to safe HTML: CommonMark with tables, raw HTML escaped, unsafe links refused."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

TABLE_CLASS = "usa-table usa-table--borderless attkit-lesson-table"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "html": False escapes any HTML written in the text; CommonMark's link validation refuses javascript: URLs.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render(text: str, *, table_class: str = TABLE_CLASS) -> str:
    """HTML for a lesson body; safe to mark safe in a template (nothing of the source passes unescaped)."""
    parser = _parser()
    env: dict[str, object] = {}
    tokens = parser.parse(text, env)
    for token in tokens:
        if token.type == "table_open" and table_class:
            token.attrSet("class", table_class)
    return str(parser.renderer.render(tokens, parser.options, env))
