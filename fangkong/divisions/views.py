from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from fangkong.divisions import selectors
from fangkong.divisions.models import LEVEL_ORDER, Level


@login_required
def division_tree(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The division tree: one division, its ancestors and children, plus search."""
    division = None
    if code is not None:
        division = selectors.division_by_code(code)
        if division is None:
            raise Http404
    else:
        division = selectors.division_root()
    q = request.GET.get("q", "").strip()
    results = list(selectors.division_search(q=q, limit=100)) if q else []
    context = {
        "division": division,
        "ancestors": selectors.division_ancestors(division) if division else [],
        "children": selectors.division_children(division).select_related(None) if division else [],
        "q": q,
        "results": results,
        "counts": [
            (Level(level).label, n)
            for level, n in sorted(
                selectors.division_counts_by_level(division.code if division else "").items(),
                key=lambda item: LEVEL_ORDER.index(Level(item[0])),
            )
            if division is None or level != division.level
        ],
    }
    if request.headers.get("HX-Request") and request.GET.get("partial") == "results":
        return render(request, "divisions/_search_results.html", context)
    return render(request, "divisions/division_tree.html", context)
