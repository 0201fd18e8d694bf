"""Parser benchmark: parse speed per input type and peak memory, measured on this machine.

Prints a table and writes ``.bench/results.json``.  Figures:

* median wall time and CPU time of :func:`parsing.api.parse_bytes` per input type
  (in-process, after one warm-up run), over the committed fixtures; for HTML also with
  the article text (trafilatura) the crawler asks for;
* for the real text-layer PDFs, the same files through ``pdftotext -layout`` (subprocess;
  CPU time of the child) and pdfplumber's ``extract_text``, as baselines in the same run,
  and the ratio parse / pdftotext;
* accuracy over every fixture with known truth: cells right / total and wrong values
  (non-null and not the truth), see tests/parsing/scoring.py;
* peak RSS of a fresh process parsing a 50-page PDF (ten real reports joined).

CPU time is printed beside wall time because the machine is often shared: wall time then
measures the other processes too.
"""

from __future__ import annotations

import os
import resource
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


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (pdftotext, LibreOffice)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _median_ms(fn, runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``fn``."""
    fn()  # warm-up: imports, LibreOffice profile, OCR model
    walls, cpus = [], []
    for _ in range(runs):
        c0 = _cpu_s()
        t0 = time.perf_counter()
        fn()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((_cpu_s() - c0) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def bench_types() -> dict[str, dict[str, float]]:
    from parsing.api import parse_bytes

    out: dict[str, dict[str, float]] = {}
    cases = dict(INPUTS)
    cases["html + article text (crawler)"] = INPUTS["html"]
    for kind, paths in cases.items():
        if kind in SLOW and os.environ.get("NIANBAO_BENCH_FAST"):
            continue  # NIANBAO_BENCH_FAST=1: leave out LibreOffice and OCR (minutes on a shared machine)
        runs = SLOW.get(kind, 15)
        article = kind.startswith("html +")
        per_file = []
        for p in paths:
            data = p.read_bytes()
            per_file.append(_median_ms(lambda d=data, a=article: parse_bytes(d, article_text=a), runs))
        wall = statistics.median(w for w, _ in per_file)
        cpu = statistics.median(c for _, c in per_file)
        out[kind] = {"wall_ms": wall, "cpu_ms": cpu}
        print(f"  {kind:30s} {wall:9.1f} ms wall {cpu:9.1f} ms CPU  ({len(paths)} file(s), median of {runs} runs each)",
              flush=True)
    return out


def bench_pdf_baselines(parse_ms: dict[str, float]) -> dict[str, dict[str, float]]:
    import pdfplumber

    def pdftotext(p: Path) -> None:
        subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, check=True)

    def plumber(p: Path) -> None:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_text()

    out: dict[str, dict[str, float]] = {}
    for name, fn, runs in (("pdftotext -layout", pdftotext, 15), ("pdfplumber extract_text", plumber, 3)):
        per_file = [_median_ms(lambda p=p, fn=fn: fn(p), runs) for p in REAL_PDFS]
        wall = statistics.median(w for w, _ in per_file)
        cpu = statistics.median(c for _, c in per_file)
        out[name] = {"wall_ms": wall, "cpu_ms": cpu}
        print(f"  {name:30s} {wall:9.1f} ms wall {cpu:9.1f} ms CPU  (same real PDFs, baseline)", flush=True)
    base = out["pdftotext -layout"]
    ratio = {"wall": parse_ms["wall_ms"] / base["wall_ms"], "cpu": parse_ms["cpu_ms"] / base["cpu_ms"]}
    ratio |= _paired_ratio(pdftotext)
    out["ratio_parse_to_pdftotext"] = ratio
    print(f"  parse / pdftotext -layout:      {ratio['wall']:.2f}x wall, {ratio['cpu']:.2f}x CPU "
          f"(medians above); paired run by run: {ratio['paired_wall']:.2f}x wall, {ratio['paired_cpu']:.2f}x CPU")
    return out


def _paired_ratio(pdftotext, runs: int = 15) -> dict[str, float]:
    """parse / pdftotext with the two timed back to back, run by run, so both see the same
    load on a shared machine; the median over runs and files."""
    from parsing.api import parse_bytes

    walls, cpus = [], []
    for p in REAL_PDFS:
        data = p.read_bytes()
        for _ in range(runs):
            pw, pc = _median_ms(lambda d=data: parse_bytes(d), 1)
            tw, tc = _median_ms(lambda p=p: pdftotext(p), 1)
            walls.append(pw / tw)
            cpus.append(pc / tc if tc else float("nan"))
    return {"paired_wall": statistics.median(walls), "paired_cpu": statistics.median(cpus)}


def bench_accuracy() -> dict[str, float]:
    """Cells right / total and wrong values over every fixture with known truth."""
    sys.path.insert(0, str(ROOT))
    from parsing.api import parse_bytes
    from tests.parsing.corpus import corpus
    from tests.parsing.scoring import Score, load_truth, parsed_tables, score

    total = Score()
    cases = corpus()
    for name, path, ref in cases:
        total.add(score(name, load_truth(ref), parsed_tables(parse_bytes(path.read_bytes()).to_json())))
    out = {"fixtures": len(cases), "right": total.right, "total": total.total, "wrong": len(total.wrong)}
    print(f"  {len(cases)} fixtures: {total.right}/{total.total} cells right ({total.right / total.total:.4f}), "
          f"{len(total.wrong)} wrong values")
    for w in total.wrong[:10]:
        print(f"    wrong: {w}")
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


def run() -> dict:
    print(f"parser — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print("median parse time per input type (parse_bytes, in-process):")
    results = {"parse_ms": bench_types()}
    print("baselines on the real text-layer PDFs:")
    results["pdf_baseline_ms"] = bench_pdf_baselines(results["parse_ms"]["pdf (real, text layer)"])
    print("accuracy over every fixture with known truth:")
    results["accuracy"] = bench_accuracy()
    print("memory:")
    results["memory"] = bench_memory()
    return results
