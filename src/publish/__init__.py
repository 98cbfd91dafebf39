"""publish: Markdown lessons to EPUB 3, print PDF, cheatsheets and templates."""

__version__ = "0.1.0"
