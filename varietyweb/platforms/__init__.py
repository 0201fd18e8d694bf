"""One module per list platform of sites.md; each renders a column from list entries.

May import: the rest of ``varietyweb`` only.
"""
