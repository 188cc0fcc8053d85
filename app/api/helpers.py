"""Small helpers the blueprints share."""


def page_body(items, total, page, per_page):
    return {"items": items, "total": total, "page": page, "per_page": per_page}


BEARER = [{"bearerAuth": []}]
