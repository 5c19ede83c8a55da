"""The risk heat map drawn on the server as SVG: probability down the side, impact across."""

from django.utils.html import escape

from tminus.readiness.choices import (
    IMPACT_WEIGHT,
    PROBABILITY_WEIGHT,
    Impact,
    Probability,
    RiskStatus,
    risk_level,
)

LABEL, HEAD, CELL_W, CELL_H = 96, 26, 112, 56
FILL = {"low": "#dff3e8", "medium": "#fff1d6", "high": "#fcd9b6", "critical": "#f8c4bd"}
ROWS = [Probability.HIGH, Probability.MEDIUM, Probability.LOW]
COLUMNS = [Impact.LOW, Impact.MEDIUM, Impact.HIGH, Impact.CRITICAL]


def heat_map_cells(risks) -> dict[tuple[str, str], list]:
    """The risks still in play (not closed) in each (probability, impact) cell."""
    cells: dict[tuple[str, str], list] = {(p, i): [] for p in ROWS for i in COLUMNS}
    for risk in risks:
        if risk.status != RiskStatus.CLOSED and (risk.probability, risk.impact) in cells:
            cells[(risk.probability, risk.impact)].append(risk)
    return cells


def heat_map_svg(risks) -> str:
    """A probability x impact grid, each cell coloured by its score band and counting risks."""
    cells = heat_map_cells(risks)
    width, height = LABEL + CELL_W * len(COLUMNS), HEAD + CELL_H * len(ROWS) + 22
    parts = [f'<svg class="heat-map" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Risk heat map: probability by impact" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="12">']
    for column, impact in enumerate(COLUMNS):
        x = LABEL + column * CELL_W + CELL_W / 2
        parts.append(f'<text x="{x}" y="16" text-anchor="middle" fill="#5b6475">'
                     f'{Impact(impact).label}</text>')
    for row, probability in enumerate(ROWS):
        y = HEAD + row * CELL_H
        parts.append(f'<text x="4" y="{y + CELL_H / 2 + 4}" fill="#5b6475">'
                     f'{Probability(probability).label}</text>')
        for column, impact in enumerate(COLUMNS):
            parts.append(_cell(LABEL + column * CELL_W, y, probability, impact,
                               cells[(probability, impact)]))
    parts.append(f'<text x="{LABEL + CELL_W * 2}" y="{height - 4}" text-anchor="middle" '
                 f'fill="#5b6475">Impact → (rows: probability)</text></svg>')
    return "".join(parts)


def _cell(x: int, y: int, probability: str, impact: str, risks: list) -> str:
    score = PROBABILITY_WEIGHT[probability] * IMPACT_WEIGHT[impact]
    level = risk_level(score)
    open_count = sum(1 for risk in risks if risk.status == RiskStatus.OPEN)
    names = "\n".join(f"• {risk.description} ({risk.get_status_display()})" for risk in risks)
    title = escape(f"{Probability(probability).label} probability x {Impact(impact).label} "
                   f"impact = {score} ({level})" + (f"\n{names}" if names else ""))
    count = f'{len(risks)}' if risks else ""
    detail = f"{open_count} open" if risks else ""
    return (f'<g class="cell level-{level}" data-probability="{probability}" '
            f'data-impact="{impact}" data-count="{len(risks)}"><title>{title}</title>'
            f'<rect x="{x + 2}" y="{y + 2}" width="{CELL_W - 4}" height="{CELL_H - 4}" rx="4" '
            f'fill="{FILL[level]}" stroke="#d9dee7"/>'
            f'<text x="{x + CELL_W / 2}" y="{y + CELL_H / 2 + 2}" text-anchor="middle" '
            f'font-size="18" font-weight="700" fill="#1d2433">{count}</text>'
            f'<text x="{x + CELL_W / 2}" y="{y + CELL_H - 8}" text-anchor="middle" '
            f'fill="#5b6475">{detail}</text></g>')
