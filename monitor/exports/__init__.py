"""What a person reads from the monitor: the audit list's formats, shared Chinese labels.

``monitor.audit`` keeps the public names (``to_csv``, ``to_xlsx``, ``to_html``,
``to_json``); the rendering lives here, one module per format.

May import: ``monitor``, ``db`` (region names) and ``parsing`` (labels).
"""
