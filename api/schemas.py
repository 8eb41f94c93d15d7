"""Pydantic models at the API boundary.

Where the service has a type of its own (policykb/filters.py, policykb/results.py) the
model is made from that dataclass by `model_of`: a field added there is in the API, its
schema and its JSON without a second edit here.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Union

from pydantic import BaseModel, Field, create_model

from policykb.filters import SearchFilters
from policykb.results import Answer, Citation as ServiceCitation, FileResult, Hit, SearchResult
from policykb.verify import Difference


def model_of(source: type, name: str, *, exclude: tuple[str, ...] = (),
             models: dict[type, type[BaseModel]] | None = None) -> type[BaseModel]:
    """A pydantic model with the fields of the dataclass `source`, in its order, with its
    defaults and the `description` of each field's metadata; `models` stands in for
    dataclasses nested in a field's type (list[Hit] becomes list[HitModel])."""
    hints = typing.get_type_hints(source)
    spec: dict[str, Any] = {}
    for f in dataclasses.fields(source):
        if f.name in exclude:
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()  # pydantic copies it for each instance
        else:
            default = ...
        spec[f.name] = (_standing_in(hints[f.name], models or {}),
                        Field(default, description=f.metadata.get("description")))
    return create_model(name, **spec)


def _standing_in(tp: Any, models: dict[type, type[BaseModel]]) -> Any:
    if tp in models:
        return models[tp]
    args = typing.get_args(tp)
    if not args:
        return tp
    swapped = tuple(_standing_in(a, models) for a in args)
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return Union[swapped]
    return origin[swapped]


# The filters users give; which documents to search among is the service's own business.
Filters = model_of(SearchFilters, "Filters", exclude=("doc_ids",))


def service_filters(filters: BaseModel | None) -> SearchFilters | None:
    """The one conversion of the API's filters to the service's. Checked by the service
    (policykb/filters.py), so a streamed answer reports a bad filter in its stream."""
    if filters is None:
        return None
    return SearchFilters(**{k: v for k, v in filters.model_dump().items() if v != ""})


class SearchRequest(BaseModel):
    query: str = Field(..., min_length=1, max_length=2000, examples=["村党组织书记每年培训多少学时？"])
    top_k: int = Field(10, ge=1, le=100)
    filters: Filters | None = None
    mode: str = Field("hybrid", pattern="^(hybrid|keyword|vector)$")
    kbs: list[str] | None = Field(None, description="同时检索的多个知识库（结果按排名融合，每条结果的 metadata.kb 为所属知识库）")


HitModel = model_of(Hit, "HitModel")
SearchResponse = model_of(SearchResult, "SearchResponse", models={Hit: HitModel})


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=2000, examples=["村党组织书记每年培训多少学时？"])
    filters: Filters | None = None


# The offsets a citation carries until the service has used them are no part of the answer.
Citation = model_of(ServiceCitation, "Citation", exclude=("cited_offsets",))
AnswerResponse = model_of(Answer, "AnswerResponse", models={ServiceCitation: Citation, Hit: HitModel})


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


# For routes with a path parameter: the OpenAPI schema says what an unknown id returns.
NOT_FOUND_RESPONSE = {404: {"model": ErrorResponse, "description": "不存在（文档、段落或文件）"}}


class DocumentSummary(BaseModel):
    id: str
    title: str | None
    doc_no: str | None
    issuer: str | None
    date: str | None
    doc_type: str | None
    region: str | None = None
    filename: str
    source_path: str
    format: str
    status: str
    superseded_by: str | None
    version: int
    created_at: str
    updated_at: str
    chunk_count: int
    pending_vectors: int
    extra: dict[str, Any] = {}
    validity: str = "现行有效"
    validity_note: str | None = None
    family: str = ""


class ReadingJob(BaseModel):
    filename: str
    pages_done: int
    pages_total: int
    state: str = Field(..., description="reading（识别中）| failed（识别失败）")
    label: str = Field(..., description="如「识别中 3/12 页」")


class DocumentList(BaseModel):
    total: int
    offset: int
    limit: int
    documents: list[DocumentSummary]
    reading: list[ReadingJob] = Field([], description="已上传、正在后台识别（OCR）的扫描件，识别完成后出现在 documents 中")


class ChunkModel(BaseModel):
    id: str
    ord: int
    text: str
    char_start: int
    char_end: int
    page: int | None
    section_path: list[str]
    vectorized: bool


class DocumentDetail(DocumentSummary):
    sections: list[str]
    chunks: list[ChunkModel]
    pages: list[dict[str, int]] = []


class DocumentText(BaseModel):
    id: str
    title: str | None
    doc_no: str | None = None
    issuer: str | None = None
    date: str | None = None
    doc_type: str | None = None
    filename: str | None = None
    format: str | None = None
    text: str = Field(..., description="抽取并清洗后的全文；段落的 char_start/char_end 即此文本中的位置")
    pages: list[dict[str, int]] = []
    scanned_pages: list[int] = Field([], description="由扫描图像识别（OCR）的页码；这些页可取页面图像对照")


FileResultModel = model_of(FileResult, "FileResultModel")


class UploadResponse(BaseModel):
    files: list[FileResultModel]
    counts: dict[str, int]
    pending_vectors: int


class Health(BaseModel):
    status: str
    kb: str
    documents: int
    chunks: int
    pending_vectors: int
    version: str


class VerifyRequest(BaseModel):
    text: str = Field(..., min_length=1, max_length=50_000, description="待核对的文稿",
                      examples=["省委要求，“每人每年参加县级以上集中培训不少于40学时”。"])
    filters: Filters | None = None


DifferenceModel = model_of(Difference, "DifferenceModel")


class QuoteSource(HitModel):
    quote: str = Field(..., description="原文中与引文对应的一段")
    quote_start: int = Field(..., description="该段在文档全文中的起始位置")
    quote_end: int


class QuoteCheckModel(BaseModel):
    text: str
    start: int = Field(..., description="在文稿中的位置")
    end: int
    kind: str = Field(..., description="quote：引号内的引文；statement：引述政策的句子")
    status: str = Field(..., description="exact 一致 / close 有出入 / not_found 未找到")
    label: str
    similarity: float
    source: QuoteSource | None
    differences: list[DifferenceModel]


class VerifyResponse(BaseModel):
    items: list[QuoteCheckModel]
    counts: dict[str, int]


class VersionModel(BaseModel):
    id: str
    title: str | None
    date: str | None
    label: str
    validity: str
    superseded_by: str | None
    current: bool
    this: bool


class ReferenceModel(BaseModel):
    mention: str
    kind: str
    repeal: bool
    char_start: int
    doc_id: str | None
    title: str | None
    date: str | None
    validity: str | None


class CitedByModel(BaseModel):
    doc_id: str
    title: str | None
    date: str | None
    validity: str | None
    mentions: list[str]
    repeals: bool


class DocumentLineage(BaseModel):
    id: str
    validity: str = Field(..., description="现行有效 / 已修订 / 已废止 / 尚未生效")
    validity_note: str | None = None
    effective_date: str | None = None
    superseded_by: str | None = None
    family: str = ""
    versions: list[VersionModel] = []
    cites: list[ReferenceModel] = Field([], description="本文引用（已对应到库中文档）")
    unresolved: list[ReferenceModel] = Field([], description="本文引用但库中未找到的文件")
    cited_by: list[CitedByModel] = Field([], description="被引用")


class ValidityEdit(BaseModel):
    validity: str | None = Field(None, description="现行有效 / 已修订 / 已废止 / 尚未生效")
    family: str | None = Field(None, description="版本族（标题去掉年份后的名称）")
    superseded_by: str | None = Field(None, description="替代它的文档（ID、文号或标题）")
    clear: bool = Field(False, description="清除人工设定，交还自动识别")


class CompareSide(BaseModel):
    label: str
    text: str


class ComparePair(BaseModel):
    change: str = Field(..., description="未变 / 修改 / 新增 / 删除")
    old: CompareSide | None
    new: CompareSide | None
    differences: list[dict[str, Any]]


class CompareDocument(BaseModel):
    id: str
    title: str | None
    date: str | None
    validity: str


class CompareResponse(BaseModel):
    pairs: list[ComparePair]
    counts: dict[str, int]
    old_document: CompareDocument
    new_document: CompareDocument
