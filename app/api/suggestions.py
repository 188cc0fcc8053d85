import uuid

from flask_smorest import Blueprint

from app.api.context import db_session
from app.services import suggestions as service
from schemas.suggestions import SuggestionArgs, SuggestionPageSchema

blp = Blueprint("suggestions", __name__, description="Ranked equivalence candidates (suggestions, never mappings)")


@blp.route("/standards/<uuid:standard_id>/suggestions", methods=["GET"])
@blp.arguments(SuggestionArgs, location="query")
@blp.response(200, SuggestionPageSchema)
def suggest(args, standard_id: uuid.UUID):
    """Rank a target framework's published standards as equivalents of a published standard, explaining each score."""
    return service.suggest(db_session(), standard_id, args["framework"], args["page"], args["per_page"])
