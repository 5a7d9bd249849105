/* charts_css.h: the stylesheet's part for a list's figures (charts.c,
 * topics.c), appended to page.c's.  Colours come from currentColor, so
 * that the charts follow the page's text colour in any theme. */
#ifndef LISTARC_CHARTS_CSS_H
#define LISTARC_CHARTS_CSS_H

/* ---- charts, busiest lists, topics, senders ---- */
#define CHARTS_CSS                                                                             \
	"figure.chart{margin:.6em 0;max-width:100%;overflow-x:auto}\n"                         \
	"svg.chart{display:block;max-width:100%;height:auto}\n"                                \
	"svg.chart rect.b{fill:var(--chart-bar,currentColor);fill-opacity:.6}\n"               \
	"svg.chart rect.b:hover{fill-opacity:1}\n"                                             \
	"svg.chart rect.axis{fill:currentColor;fill-opacity:.5}\n"                             \
	"svg.chart text{fill:currentColor;font-size:12px}\n"                                   \
	"figure.chart figcaption{font-size:.9em}\n"                                            \
	".tops{display:flex;flex-wrap:wrap;gap:0 2.5em}.tops>div{flex:1 1 22em;min-width:0}\n" \
	"ol.top{margin:.3em 0;padding-left:1.8em}ol.top li{margin:.1em 0}\n"                   \
	".count{opacity:.8;white-space:nowrap}\n"                                              \
	"table.topics{border-collapse:collapse;margin:.5em 0}\n"                               \
	"table.topics th,table.topics td{border-top:1px solid #ddd;padding:.2em .5em;"         \
	"text-align:left;vertical-align:top}\n"                                                \
	"table.topics td.n{text-align:right}table.topics td.date{white-space:nowrap}\n"        \
	"@media (max-width:40em){table.topics{display:block;overflow-x:auto;max-width:100%}}\n"

#endif
