"""`publish preview`: the web edition served from memory, re-rendered on every save.

`render` turns the manuscript into the site's files, `session` keeps the last good site
and what the last attempt found and watches the project, `server` serves both to the
browser (with server-sent events that reload open pages), `pdf` builds the PDF on demand.
Each preview is one `PreviewSession` object: two previews in one process never meet.
"""
