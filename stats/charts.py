"""Charts as inline SVG, drawn on the server: nothing to download, nothing to run on a
cheap phone, and they print. Each function returns safe SVG markup."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 130
WIDTH = 320


def bars(items, *, unit: str = "", maximum: float | None = None, color: str = "#2b6cb0") -> str:
    """Horizontal bars: items are (label, value, link or None). Scales to its container."""
    items = list(items)
    if not items:
        return ""
    top = maximum or max((value for _label, value, _link in items), default=0) or 1
    height = len(items) * (BAR_HEIGHT + GAP)
    room = WIDTH - LABEL_WIDTH - 40
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value, link) in enumerate(items):
        y = i * (BAR_HEIGHT + GAP)
        width = 0 if not value else max(1, round(room * value / top))
        text = f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"
        row = (
            f'<text x="0" y="{y + 13}" font-size="11">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{width}" height="{BAR_HEIGHT - 4}" '
            f'fill="{color}" rx="2"><title>{escape(label)}: {text}</title></rect>'
            f'<text x="{LABEL_WIDTH + width + 4}" y="{y + 13}" font-size="11">{text}</text>'
        )
        if link:
            row = f'<a href="{escape(link)}">{row}</a>'
        parts.append(row)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def columns(items, *, color: str = "#2b6cb0", in_progress_label: str = "") -> str:
    """Vertical columns over time: items are (label, value) or (label, value, in_progress),
    oldest first. A column in progress (a quarter whose round is still open) is drawn as a
    dashed outline, not as a solid drop, with `in_progress_label` above it. A label's lines
    are split at "\n"."""
    items = [(*item, False) if len(item) == 2 else tuple(item) for item in items]
    if not items:
        return ""
    top = max(value for _label, value, _open in items) or 1
    height, base = 132, 100
    step = WIDTH / max(len(items), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value, in_progress) in enumerate(items):
        bar = round(80 * value / top)
        x = i * step + step * 0.2
        middle = x + step * 0.3
        style = (
            f'fill="{color}" fill-opacity="0.15" stroke="{color}" stroke-dasharray="3 2"'
            if in_progress
            else f'fill="{color}"'
        )
        lines = str(label).split("\n")
        text = "".join(
            f'<tspan x="{middle:.1f}" dy="{0 if n == 0 else 11}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        title = escape(" ".join(lines))
        parts.append(
            f'<rect x="{x:.1f}" y="{base - bar}" width="{step * 0.6:.1f}" height="{bar}" '
            f'{style} rx="2" data-in-progress="{str(in_progress).lower()}">'
            f"<title>{title}: {value}</title></rect>"
            f'<text x="{middle:.1f}" y="{base - bar - 3}" font-size="10" '
            f'text-anchor="middle">{value}{"*" if in_progress else ""}</text>'
            f'<text x="{middle:.1f}" y="{base + 12}" font-size="9" '
            f'text-anchor="middle">{text}</text>'
        )
        if in_progress and in_progress_label:
            parts.append(
                f'<text x="{middle:.1f}" y="{base - bar - 15}" font-size="9" fill="{color}" '
                f'text-anchor="middle">{escape(in_progress_label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
