"""Charts drawn by the app as SVG: no script, no CDN, readable when printed."""

from django.utils.html import escape
from django.utils.translation import gettext as _

WIDTH, BAR, GAP, TOP, LABEL = 320, 44, 28, 24, 40


def dropoff_svg(bars) -> str:
    """Attendance at each segment of the sessions, in % of those expected: "crowded in the
    morning, thin at noon, empty in the afternoon" at a glance."""
    if not bars:
        return ""
    height = TOP + 100 * 1.6 + LABEL
    step = BAR + GAP
    width = max(WIDTH, GAP + step * len(bars))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'class="chart" role="img" aria-label="{escape(_("Attendance by segment"))}">',
        f'<line x1="0" y1="{TOP + 160}" x2="{width}" y2="{TOP + 160}" stroke="#555" />',
    ]
    for index, bar in enumerate(bars):
        x = GAP + index * step
        h = bar.share * 1.6
        y = TOP + 160 - h
        parts += [
            f'<rect x="{x}" y="{y:.1f}" width="{BAR}" height="{h:.1f}" fill="#a31f1f">'
            f"<title>{escape(bar.label)}: {bar.attended}/{bar.expected}</title></rect>",
            f'<text x="{x + BAR / 2}" y="{y - 6:.1f}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="#222">{bar.share}%</text>',
            f'<text x="{x + BAR / 2}" y="{TOP + 160 + 18}" text-anchor="middle" font-size="12" '
            f'fill="#222">{escape(bar.label[:14])}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)
