"""Optional OCR for scanned reports and table pictures (``pip install nianbao[ocr]``).

RapidOCR (PP-OCR models on ONNX Runtime) ships its models inside the wheel, so it works
offline.  Text boxes become positioned rows exactly like PDF words, and the same table
interpreter reads them.  Without the extra, callers mark the tables unreadable.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from parsing.layout import Layout, Row
from parsing.readers.boxes import Box, rows_from_boxes

INSTALL_HINT = "pip install 'nianbao[ocr]'"


@functools.cache
def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except Exception:  # noqa: BLE001 - any import failure means "not usable"
        return False
    return True


def unavailable_warning() -> str:
    return f"tables are images and OCR is not installed ({INSTALL_HINT}); tables marked unreadable"


@functools.cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def rows_from_image(image: Any, page: int, scale: float = 1.0) -> list[Row]:
    """OCR one page image (numpy array, grey or RGB) into positioned rows."""
    import numpy as np

    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    elif arr.shape[-1] == 4:
        arr = arr[..., :3]
    result, _ = _engine()(arr)
    boxes: list[Box] = []
    for points, text, _score in result or []:
        xs = [p[0] / scale for p in points]
        ys = [p[1] / scale for p in points]
        # An OCR box may hold several cells' numbers ("0 0 0"): split them evenly.
        parts = text.split()
        if len(parts) > 1:
            width = (max(xs) - min(xs)) / len(parts)
            for k, part in enumerate(parts):
                x0 = min(xs) + k * width
                boxes.append(Box(part, x0, x0 + width * 0.8, min(ys), max(ys)))
        else:
            boxes.append(Box(text, min(xs), max(xs), min(ys), max(ys)))
    return rows_from_boxes(boxes, page, merge=False)


def read_image(data: bytes) -> Layout:
    """A picture of a report page (PNG, JPEG, …)."""
    layout = Layout(rows=[], source_type="image", pages=1, image_pages=[1])
    if not available():
        layout.unreadable = True
        layout.warnings.append(unavailable_warning())
        return layout
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.load()
        rgb = img.convert("RGB")
    layout.rows = rows_from_image(rgb, 1)
    layout.warnings.append("tables read by OCR from an image; check the values")
    return layout
