"""What a person reads in a Markdown string the app shows: its text, escapes resolved."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from geo.text import WORD_JOINER

_PARSER = MarkdownIt("commonmark").enable("strikethrough")


def shown(markdown: str) -> str:
    """The text of every node, lines joined by spaces (no formatting, no invisible joiner)."""
    parts: list[str] = []

    def walk(node: SyntaxTreeNode) -> None:
        if node.type in ("text", "code_inline"):
            parts.append(node.content)
        elif node.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        for child in node.children:
            walk(child)
        if node.type == "paragraph":
            parts.append("\n")

    walk(SyntaxTreeNode(_PARSER.parse(markdown)))
    return "".join(parts).strip().replace(WORD_JOINER, "")
