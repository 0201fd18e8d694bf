"""Parser benchmark: parse speed per input type and peak memory, measured on this machine.

Prints a table and writes ``.bench/results.json``.  Figures:

* median wall time of :func:`parsing.api.parse_bytes` per input type (in-process,
  after one warm-up run), over the committed fixtures;
* for the real text-layer PDFs, the same files through ``pdftotext -layout`` (subprocess)
  and through pdfplumber's ``extract_text`` on every page, as baselines;
* peak RSS of a fresh process parsing a 50-page PDF (ten real reports joined).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
REAL_PDFS = sorted((FIX / "real").glob("*/source.pdf"))

INPUTS: dict[str, list[Path]] = {
    "html": [FIX / "formats" / "hongze-2023-gbk-wrong-charset.html", FIX / "formats" / "huaian-2024-word-export.html",
             FIX / "formats" / "xinzhou-2020-trs.shtml"],
    "text (seeds)": sorted((FIX / "seeds").glob("*.txt")),
    "markdown": [FIX / "formats" / "hongze-2023.md"],
    "pdf (real, text layer)": REAL_PDFS,
    "pdf (LibreOffice)": [FIX / "formats" / "xinzhou-2020.pdf", FIX / "formats" / "huaian-2024-blank-cells.pdf"],
    "docx": [FIX / "formats" / "huaian-2024.docx"],
    "xlsx": [FIX / "formats" / "huaian-2024.xlsx"],
    "xls": [FIX / "formats" / "huaian-2024.xls"],
    "et": [FIX / "formats" / "huaian-2024.et"],
    "doc (LibreOffice)": [FIX / "formats" / "huaian-2024.doc"],
    "wps (LibreOffice)": [FIX / "formats" / "huaian-2024.wps"],
    "png (OCR)": [FIX / "formats" / "hongze-2023-tables.png"],
    "scanned pdf (OCR, 4 pages)": [FIX / "formats" / "xinzhou-2020-scan.pdf"],
}
SLOW = {"doc (LibreOffice)": 3, "wps (LibreOffice)": 3, "png (OCR)": 2, "scanned pdf (OCR, 4 pages)": 1}


def _median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up: imports, LibreOffice profile, OCR model
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_types() -> dict[str, float]:
    from parsing.api import parse_bytes

    out: dict[str, float] = {}
    for kind, paths in INPUTS.items():
        runs = SLOW.get(kind, 15)
        per_file = []
        for p in paths:
            data = p.read_bytes()
            per_file.append(_median_ms(lambda d=data: parse_bytes(d), runs))
        out[kind] = statistics.median(per_file)
        print(f"  {kind:30s} {out[kind]:9.1f} ms  ({len(paths)} file(s), median of {runs} runs each)", flush=True)
    return out


def bench_pdf_baselines() -> dict[str, float]:
    import pdfplumber

    def pdftotext(p: Path) -> None:
        subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, check=True)

    def plumber(p: Path) -> None:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_text()

    out = {}
    for name, fn in (("pdftotext -layout", pdftotext), ("pdfplumber extract_text", plumber)):
        out[name] = statistics.median(_median_ms(lambda p=p, fn=fn: fn(p), 5) for p in REAL_PDFS)
        print(f"  {name:30s} {out[name]:9.1f} ms  (same real PDFs, baseline)", flush=True)
    return out


def make_50_page_pdf(path: Path) -> int:
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    sources = [pdfium.PdfDocument(p.read_bytes()) for p in REAL_PDFS]
    while len(out) < 50:
        for src in sources:
            if len(out) >= 50:
                break
            n = min(len(src), 50 - len(out))
            out.import_pages(src, list(range(n)))
    out.save(str(path))
    return len(out)


# Peak RSS from /proc/self/status VmHWM: ru_maxrss would carry the benchmark process's own
# peak across fork+exec into the child.
_HWM = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"
_RSS_CHILD = f"""
import sys, time
from parsing.api import parse_bytes
data = open(sys.argv[1], 'rb').read()
t0 = time.perf_counter()
r = parse_bytes(data)
dt = time.perf_counter() - t0
print({_HWM}, dt, r.error)
"""


def bench_memory() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "fifty.pdf"
        pages = make_50_page_pdf(pdf)
        base = subprocess.run([sys.executable, "-c", f"import parsing.api; print({_HWM})"],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        proc = subprocess.run([sys.executable, "-c", _RSS_CHILD, str(pdf)], capture_output=True, text=True,
                              check=True, cwd=ROOT)
    rss_kb, secs, error = proc.stdout.split(maxsplit=2)
    out = {"pages": pages, "peak_rss_mb": int(rss_kb) / 1024, "baseline_rss_mb": int(base.stdout) / 1024,
           "seconds": float(secs)}
    print(f"  {pages}-page PDF: peak RSS {out['peak_rss_mb']:.0f} MB (interpreter with imports: "
          f"{out['baseline_rss_mb']:.0f} MB), parsed in {out['seconds'] * 1000:.0f} ms, error={error.strip()}")
    return out


def run() -> dict:  # type: ignore[type-arg]
    print(f"parser — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print("median parse time per input type (parse_bytes, in-process):")
    results = {"parse_ms": bench_types()}
    print("baselines on the real text-layer PDFs:")
    results["pdf_baseline_ms"] = bench_pdf_baselines()
    print("memory:")
    results["memory"] = bench_memory()
    return results
