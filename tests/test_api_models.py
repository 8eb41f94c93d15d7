"""The API's models are made from the service's dataclasses (api/schemas.py model_of): a
field the service adds is in the OpenAPI schema and the response without a second edit."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from policykb.filters import SearchFilters
from policykb.results import Answer, Citation, FileResult, Hit, SearchResult
from policykb.verify import Difference


def _fields(cls: type, *, leaving: tuple[str, ...] = ()) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.name not in leaving]


def test_the_schema_lists_every_field_of_the_service_types(tmp_path: Path) -> None:
    from policykb.api.app import create_app
    from policykb.config import Settings

    schemas = create_app(Settings(home=tmp_path), background_worker=False).openapi()["components"]["schemas"]
    expected = {
        "HitModel": _fields(Hit), "SearchResponse": _fields(SearchResult), "AnswerResponse": _fields(Answer),
        "Citation": _fields(Citation, leaving=("cited_offsets",)), "FileResultModel": _fields(FileResult),
        "Filters": _fields(SearchFilters, leaving=("doc_ids",)), "DifferenceModel": _fields(Difference),
    }
    for name, names in expected.items():
        assert list(schemas[name]["properties"]) == names, name
    # Descriptions travel with the dataclass fields.
    assert schemas["Filters"]["properties"]["issuer"]["description"] == "发文机关（包含即可）"
    assert "undated" in schemas["SearchResponse"]["properties"]["left_out"]["description"]
    assert "row" in schemas["Citation"]["properties"] and "cited_offsets" not in schemas["Citation"]["properties"]
    assert schemas["AnswerResponse"]["properties"]["citations"]["items"]["$ref"].endswith("/Citation")
    assert set(schemas["SearchResponse"]["required"]) == {"query", "results"}


@dataclasses.dataclass
class Later(Hit):  # a Hit with a field the service might add
    rank_note: str = dataclasses.field(default="", metadata={"description": "新字段"})


@dataclasses.dataclass
class Found:
    hits: list[Later]
    best: Later | None = None


def test_a_field_added_to_a_dataclass_is_in_its_model() -> None:
    from policykb.api.schemas import model_of

    LaterModel = model_of(Later, "LaterModel")
    FoundModel = model_of(Found, "FoundModel", models={Later: LaterModel})
    hit = Later(chunk_id="c", doc_id="d", title=None, source_path="p", section_path=[], text="t", char_start=0,
                char_end=1, page=None, score=1.0, metadata={}, rank_note="第一")
    dumped = FoundModel.model_validate({"hits": [dataclasses.asdict(hit)]}).model_dump()
    assert dumped == {"hits": [dataclasses.asdict(hit)], "best": None}
    assert FoundModel.model_json_schema()["$defs"]["LaterModel"]["properties"]["rank_note"]["description"] == "新字段"


def test_the_api_filters_become_the_service_filters() -> None:
    from policykb.api.schemas import Filters, service_filters

    got = service_filters(Filters.model_validate({"issuer": "组织部", "date_from": "", "include_undated": True}))
    assert got == SearchFilters(issuer="组织部", include_undated=True)
    assert service_filters(None) is None
