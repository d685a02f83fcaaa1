"""A published ranking as CSV, XLSX and a chart image for the newspaper."""

from __future__ import annotations

import csv
import io

COLUMNS = [
    ("rank", "Peringkat"),
    ("opd_name", "OPD"),
    ("received", "Laporan diterima"),
    ("responded_within_pct", "Respons tepat waktu (%)"),
    ("resolved_within_pct", "Selesai tepat waktu (%)"),
    ("response_median_minutes", "Median waktu respons (menit)"),
    ("response_p90_minutes", "P90 waktu respons (menit)"),
    ("resolution_median_minutes", "Median waktu penyelesaian (menit)"),
    ("resolution_p90_minutes", "P90 waktu penyelesaian (menit)"),
    ("reopen_rate_pct", "Dibuka kembali (%)"),
    ("rating_avg", "Rata-rata nilai warga"),
    ("overdue", "Melewati tenggat"),
    ("score", "Skor"),
    ("red_card", "Rapor merah"),
]


def _cell(row: dict, key: str):
    value = row.get(key)
    if key == "red_card":
        reasons = "; ".join(r["id"] for r in row.get("red_card_reasons", []))
        return f"Ya: {reasons}" if value else "Tidak"
    return "" if value is None else value


def to_csv(snapshot) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in COLUMNS])
    for row in snapshot.rows:
        writer.writerow([_cell(row, key) for key, _ in COLUMNS])
    return out.getvalue()


def to_xlsx(snapshot) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "Peringkat"
    sheet.append([snapshot.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"Versi {snapshot.version} · SHA-256 {snapshot.content_sha256}"])
    sheet.append([title for _, title in COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F8D7DA")
    for row in snapshot.rows:
        sheet.append([_cell(row, key) for key, _ in COLUMNS])
        if row.get("red_card"):
            for cell in sheet[sheet.max_row]:
                cell.fill = red
    sheet.column_dimensions["B"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_png(snapshot) -> bytes:
    """A horizontal bar chart of scores; red cards in red."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    ranked = [r for r in snapshot.rows if r.get("score") is not None][:25]
    names = [r["opd_name"] for r in ranked][::-1]
    scores = [r["score"] for r in ranked][::-1]
    colours = ["#C0392B" if r.get("red_card") else "#1F6FB2" for r in ranked][::-1]
    height = max(3.0, 0.38 * len(ranked) + 1.5)
    figure, axes = plt.subplots(figsize=(9, height), dpi=150)
    axes.barh(names, scores, color=colours)
    axes.set_xlim(0, 100)
    axes.set_xlabel("Skor (0–100)")
    axes.set_title(snapshot.title, fontsize=11, loc="left")
    for index, score in enumerate(scores):
        axes.text(score + 1, index, f"{score:.1f}", va="center", fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    figure.text(0.01, 0.01, f"Merah = rapor merah · versi {snapshot.version} · Kanal", fontsize=7)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    plt.close(figure)
    return out.getvalue()
