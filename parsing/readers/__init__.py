"""One reader per format (PDF, OCR, DOCX, DOC/WPS via LibreOffice, spreadsheets, HTML,
text, collapsed dumps): bytes -> :class:`~parsing.layout.Layout` rows of cells.

May import: the rest of ``parsing`` only.
"""
