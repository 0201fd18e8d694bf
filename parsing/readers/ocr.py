"""Optional OCR for scanned reports and table pictures (``pip install nianbao[ocr]``).

RapidOCR (PP-OCR models on ONNX Runtime) ships its models inside the wheel, so it works
offline.  Text boxes become positioned rows exactly like PDF words, and the same table
interpreter reads them.  Without the extra, callers mark the tables unreadable.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from parsing.errors import ParseError
from parsing.layout import Layout, Row
from parsing.normalize import is_numeric_text
from parsing.readers.boxes import Box, Rules, merge_table_rows, rows_from_boxes

INSTALL_HINT = "pip install 'nianbao[ocr]'"
# A picture larger than this is refused before it is decoded: decoding a 100-megapixel PNG
# takes hundreds of MB and OCR on it minutes, and Pillow's own guard prints a warning.
MAX_PIXELS = 60_000_000


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
    import onnxruntime
    from rapidocr_onnxruntime import RapidOCR

    onnxruntime.set_default_logger_severity(4)  # its C++ log lines on stderr: failures are raised anyway
    return RapidOCR()


def _recognise(arr: Any) -> Any:
    """Run the OCR engine; any failure of it becomes one :class:`ParseError` line."""
    try:
        result, _ = _engine()(arr)
    except MemoryError as exc:
        raise ParseError(f"OCR ran out of memory on a {arr.shape[1]}×{arr.shape[0]} picture") from exc
    except Exception as exc:  # noqa: BLE001 - onnxruntime and OpenCV raise many types
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        # the engine's message may hold a whole traceback: its last line says what failed
        why = (lines[-1] if lines and lines[0].startswith("Traceback") else lines[0]) if lines else type(exc).__name__
        raise ParseError(f"OCR failed on a {arr.shape[1]}×{arr.shape[0]} picture: {why[:200]}") from exc
    return result


def _runs(line: Any, min_len: int) -> list[tuple[int, int]]:
    """(start, end) of the runs of True at least ``min_len`` long in a boolean vector."""
    import numpy as np

    edges = np.flatnonzero(np.diff(np.concatenate(([0], line.view(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= min_len]


def rules_from_image(gray: Any, scale: float, min_len: int = 40) -> Rules:
    """Table ruling lines of a page picture: long runs of dark pixels (in page units)."""
    import numpy as np

    dark = np.ascontiguousarray(np.asarray(gray) < 128)
    horizontal = [(float(y) / scale, a / scale, b / scale)
                  for y in np.flatnonzero(dark.sum(axis=1) >= min_len) for a, b in _runs(dark[y], min_len)]
    dark_t = np.ascontiguousarray(dark.T)
    vertical = [(float(x) / scale, a / scale, b / scale)
                for x in np.flatnonzero(dark_t.sum(axis=1) >= min_len) for a, b in _runs(dark_t[x], min_len)]
    return Rules(horizontal, vertical)


def rows_from_image(image: Any, page: int, scale: float = 1.0) -> list[Row]:
    """OCR one page image (numpy array, grey or RGB) into positioned rows, joining the
    lines of one table row using the ruling lines drawn in the picture."""
    import numpy as np

    arr = np.asarray(image)
    gray = arr if arr.ndim == 2 else arr[..., :3].mean(axis=-1)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    elif arr.shape[-1] == 4:
        arr = arr[..., :3]
    result = _recognise(arr)
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
    rows = rows_from_boxes(boxes, page, merge=False)
    return merge_table_rows(rows, rules_from_image(gray, scale), is_numeric_text)


def read_image(data: bytes) -> Layout:
    """A picture of a report page (PNG, JPEG, …)."""
    layout = Layout(rows=[], source_type="image", pages=1, image_pages=[1])
    if not available():
        layout.unreadable = True
        layout.warnings.append(unavailable_warning())
        return layout
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DecompressionBombWarning: the size is checked below
        try:
            img = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ParseError(f"image too large to read (over {2 * (Image.MAX_IMAGE_PIXELS or 0)} pixels; "
                             f"limit {MAX_PIXELS})") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise ParseError(f"broken image: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
        with img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ParseError(f"image too large for OCR ({width}×{height} pixels; limit {MAX_PIXELS})")
            try:
                img.load()
                rgb = img.convert("RGB")
            except (OSError, SyntaxError, ValueError) as exc:
                raise ParseError(f"broken image: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
    layout.rows = rows_from_image(rgb, 1)
    layout.warnings.append("tables read by OCR from an image; check the values")
    return layout
