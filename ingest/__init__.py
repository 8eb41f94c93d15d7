"""Ingestion: files (pdf, docx, txt, md, html, ofd, scans by OCR) → cleaned text, 公文 metadata and
structure-aware chunks. Pure functions: no database, no network, no heavy imports
(llama-index lives only in `ingest.node_parser`)."""
from policykb.ingest.pipeline import SUPPORTED_SUFFIXES, Skipped, iter_input_files, parse_file, walk_inputs
from policykb.ingest.types import Chunk, DocMeta, IngestError, Page, ParsedDocument

__all__ = [
    "parse_file",
    "iter_input_files",
    "walk_inputs",
    "Skipped",
    "SUPPORTED_SUFFIXES",
    "IngestError",
    "ParsedDocument",
    "Chunk",
    "DocMeta",
    "Page",
]
