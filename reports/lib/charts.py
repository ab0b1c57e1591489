"""The plotly figures of the Overblik sections: bars per half-year, one colour-blind-safe palette
(Okabe-Ito, as the coverage charts), Danish separators, no plotly theme (it would travel in every
figure). A value of None (hidden by suppression) is left out of its bar."""

from __future__ import annotations

import json

import plotly.graph_objects as go

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7")


def bars(
    *,
    categories: list[str],
    series: list[tuple[str, list[float | int | None]]],
    title: str,
    axis: str,
    stacked: bool = False,
    suffix: str = "",
) -> dict:
    figure = go.Figure()
    for (name, values), colour in zip(series, PALETTE, strict=False):
        figure.add_bar(
            name=str(name),
            x=categories,
            y=values,
            marker_color=colour,
            hovertemplate="%{x}: %{y}" + suffix + "<extra>" + str(name) + "</extra>",
        )
    figure.update_layout(
        template="none",
        title={"text": title},
        barmode="stack" if stacked else "group",
        separators=",.",
        yaxis={"title": {"text": axis}, "gridcolor": "#d0d0d0", "ticksuffix": suffix},
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=300,
        font={"family": "inherit"},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return json.loads(figure.to_json())
