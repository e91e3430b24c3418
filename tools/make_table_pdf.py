"""Makes corpus/pdfs/004_51401b993265fa13_seed_table.pdf: seed 004's opening and its results as a ruled table,
a text PDF with a real table for the PDF table reader (needs reportlab and the DejaVu fonts; run once)."""

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

ROOT = Path(__file__).resolve().parent.parent / "corpus"
pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
style = ParagraphStyle("vi", fontName="DejaVu", fontSize=11, leading=15)
text = (ROOT / "seeds" / "004_51401b993265fa13.txt").read_text(encoding="utf-8")
paras = [" ".join(p.split()).replace("&", "&amp;") for p in text.split("\n\n") if p.strip()][:14]
rows = [["Chỉ tiêu", "Kế hoạch (người)", "Thực hiện (người)", "Tỷ lệ (%)"],
        ["Lao động xuất cảnh", "5", "02", "40"],
        ["Tập huấn nghiệp vụ", "70", "70", "100"],
        ["Tư vấn, tuyên truyền", "1.000", "1.120", "112"]]
table = Table(rows)
table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "DejaVu"), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
story = [Paragraph(p, style) for p in paras[:7]] + [table] + [Paragraph(p, style) for p in paras[7:]]
SimpleDocTemplate(str(ROOT / "pdfs" / "004_51401b993265fa13_seed_table.pdf"), pagesize=A4).build(story)
